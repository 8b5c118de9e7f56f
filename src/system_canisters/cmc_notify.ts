// The cycles minting canister's ICP paths: a user sends ICP to the CMC's account for a beneficiary
// (subaccount = the beneficiary's principal, length-prefixed) with the memo of an intent, then notifies
// the CMC of that ICP ledger block. The CMC burns the ICP, turns it into cycles at its conversion rate and
// mints them into a cycles ledger account (MINT), tops up a canister (TPUP) or creates one (CREA). A block
// is processed once; a repeated notification gets the same reply. When the cycles cannot be delivered,
// the ICP goes back to the payer less the ledger fee (`Refunded`).
import type { IcpBlock, Principal } from '../state/index.ts';
import type * as C from './candid/cmc.ts';
import { createCanisterViaCmc, presentSettings } from './cmc_create.ts';
import { accountIdentifier, E8S_PER_ICP, hexOf, ICP_FEE, MINTING_ACCOUNT_ID, moveTokens } from './icp_accounts.ts';
import { CYCLES_MINTING_CANISTER } from './ids.ts';
import { accountOf, appendBlock, credit } from './ledger_accounts.ts';
import { depositCyclesAs } from './management_bridge.ts';
import { canisterTrap, type MethodOutcome, type SystemCall, type SystemContext } from './method.ts';

/** The intents, as the memo of the transfer to the CMC: "MINT", "TPUP", "CREA" read as little-endian u64. */
export const MEMO_MINT = 0x544e494dn;
export const MEMO_TOP_UP = 0x50555054n;
export const MEMO_CREATE = 0x41455243n;
/** A fixed rate: 5 XDR per ICP, so 1 ICP buys 5 T cycles (1 XDR = 1 T cycles). */
export const XDR_PERMYRIAD_PER_ICP = 50_000n;
const CYCLES_PER_XDR = 1_000_000_000_000n;

export function cyclesForE8s(e8s: bigint): bigint {
  return (e8s * XDR_PERMYRIAD_PER_ICP * CYCLES_PER_XDR) / (10_000n * E8S_PER_ICP);
}

/** The CMC's subaccount for `beneficiary`: its length, its bytes, zeros. */
export function principalSubaccount(beneficiary: Principal): Uint8Array {
  const bytes = beneficiary.toUint8Array();
  const subaccount = new Uint8Array(32);
  subaccount[0] = bytes.length;
  subaccount.set(bytes, 1);
  return subaccount;
}

type NotifyError = { Err: Record<string, unknown> };

function memoOf(block: IcpBlock): bigint {
  const icrc1 = block.icrc1Memo;
  if (icrc1?.length === 8) return new DataView(icrc1.buffer, icrc1.byteOffset, 8).getBigUint64(0, true);
  return block.memo;
}

/** The transfer of block `index` to the CMC for `beneficiary` with memo `memo`, or why it is not one. */
function paymentAt(context: SystemContext, index: bigint, memo: bigint, beneficiary: Principal): IcpBlock | NotifyError {
  const blocks = context.state.systemCanisters.icpLedger.blocks;
  const block = index < BigInt(blocks.length) ? blocks[Number(index)] : undefined;
  if (!block) return { Err: { Other: { error_code: 0n, error_message: `The ICP ledger has no block ${index}` } } };
  const expected = hexOf(accountIdentifier(CYCLES_MINTING_CANISTER, principalSubaccount(beneficiary)));
  if (block.kind !== 'transfer' || !block.to || !block.from) return { Err: { InvalidTransaction: `Block ${index} is not a transfer` } };
  if (hexOf(block.to) !== expected) {
    return { Err: { InvalidTransaction: `Destination account in the block (${hexOf(block.to)}) different than in the notification (${expected})` } };
  }
  if (memoOf(block) !== memo) return { Err: { InvalidTransaction: `Intent mismatch: the transfer's memo is ${memoOf(block)}, expected ${memo}` } };
  return block;
}

/** Returns the payment to its payer, less the fee; the `Refunded` error. */
function refund(context: SystemContext, block: IcpBlock, reason: string): NotifyError {
  const ledger = context.state.systemCanisters.icpLedger;
  const back = block.amount - ICP_FEE;
  if (back <= 0n || !block.from || !block.to) return { Err: { Refunded: { reason, block_index: [] } } };
  const movement = { from: block.to, to: block.from, amount: back, fee: ICP_FEE, memo: 0n, icrc1Memo: undefined, createdAt: undefined, spender: undefined };
  const index = moveTokens(ledger, movement, context.state.time);
  return { Err: { Refunded: { reason, block_index: typeof index === 'bigint' ? [index] : [] } } };
}

/** Burns the payment (the CMC's account back to the minting account); returns the cycles it buys. */
function burn(context: SystemContext, block: IcpBlock): bigint {
  const movement = { from: block.to!, to: MINTING_ACCOUNT_ID, amount: block.amount, fee: undefined, memo: 0n, icrc1Memo: undefined, createdAt: undefined, spender: undefined };
  moveTokens(context.state.systemCanisters.icpLedger, movement, context.state.time);
  return cyclesForE8s(block.amount);
}

/** Runs `deliver` for a new payment, or answers a processed block as before; remembers the reply. */
function notify(context: SystemContext, index: bigint, memo: bigint, beneficiary: Principal, deliver: (block: IcpBlock) => unknown): MethodOutcome {
  const processed = context.state.systemCanisters.cyclesMinting.processed;
  const earlier = processed.get(index);
  if (earlier !== undefined) return { value: earlier };
  const block = paymentAt(context, index, memo, beneficiary);
  if ('Err' in block) return { value: block };
  const value = deliver(block);
  processed.set(index, value);
  return { value };
}

export function notifyMintCycles(context: SystemContext, call: SystemCall, arg: C.NotifyMintCyclesArg): MethodOutcome {
  const account = accountOf(call.caller, arg.to_subaccount);
  if (typeof account === 'string') return canisterTrap(CYCLES_MINTING_CANISTER, account);
  return notify(context, arg.block_index, MEMO_MINT, call.caller, (block) => {
    const minted = burn(context, block);
    const cyclesLedger = context.state.systemCanisters.cyclesLedger;
    const balance = credit(cyclesLedger, account, minted);
    return { Ok: { block_index: appendBlock(cyclesLedger), minted, balance } };
  });
}

export function notifyTopUp(context: SystemContext, _call: SystemCall, arg: C.NotifyTopUpArg): MethodOutcome {
  return notify(context, arg.block_index, MEMO_TOP_UP, arg.canister_id, (block) => {
    const cycles = cyclesForE8s(block.amount);
    const failure = depositCyclesAs(context, CYCLES_MINTING_CANISTER, arg.canister_id, cycles);
    if (failure) return refund(context, block, failure.error.message);
    burn(context, block);
    return { Ok: cycles };
  });
}

export function notifyCreateCanister(context: SystemContext, _call: SystemCall, arg: C.NotifyCreateCanisterArg): MethodOutcome {
  return notify(context, arg.block_index, MEMO_CREATE, arg.controller, (block) => {
    const cycles = cyclesForE8s(block.amount);
    const selection = { subnet_selection: arg.subnet_selection, subnet_type: arg.subnet_type };
    const created = createCanisterViaCmc(context, arg.controller, selection, presentSettings(arg.settings), cycles);
    if ('error' in created) return refund(context, block, created.error.message);
    burn(context, block);
    return { Ok: created };
  });
}
