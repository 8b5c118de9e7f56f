// The mainnet ids of the system canisters Capsule implements; all lie in the subnet's canister ranges
// (src/api/subnet.ts), so clients route them to this subnet as they route user canisters.
import { canisterIdFromIndex } from '../state/index.ts';

/** NNS registry, rwlgt-iiaaa-aaaaa-aaaaa-cai (index 0). */
export const REGISTRY = canisterIdFromIndex(0n);
/** Cycles minting canister, rkp4c-7iaaa-aaaaa-aaaca-cai (index 4). */
export const CYCLES_MINTING_CANISTER = canisterIdFromIndex(4n);
/** Cycles ledger, um5iw-rqaaa-aaaaq-qaaba-cai (index 0x2100002). */
export const CYCLES_LEDGER = canisterIdFromIndex(0x2100002n);
/** NNS governance, rrkah-fqaaa-aaaaa-aaaaq-cai (index 1): the ICP ledger's minting account. */
export const GOVERNANCE = canisterIdFromIndex(1n);
/** ICP ledger, ryjl3-tyaaa-aaaaa-aaaba-cai (index 2). */
export const ICP_LEDGER = canisterIdFromIndex(2n);
