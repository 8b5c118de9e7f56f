// Candid types of the cycles minting canister (rkp4c-7iaaa-aaaaa-aaaca-cai) and of the one NNS registry
// method tooling asks (rwlgt-iiaaa-aaaaa-aaaaa-cai), for the methods Capsule implements.
//
// Sources: `declarations/cmc/cmc.did` of npm @icp-sdk/canisters 3.6.0 (IC release-2026-04-02), read with
// `npm pack`; the registry's `get_subnet_for_canister` as icp-cli declares it
// (crates/icp-canister-interfaces/src/registry.rs of dfinity/icp-cli).
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

type Opt<T> = [] | [T];

const LogVisibility = IDL.Variant({ controllers: IDL.Null, public: IDL.Null, allowed_viewers: IDL.Vec(IDL.Principal) });
const EnvironmentVariable = IDL.Record({ name: IDL.Text, value: IDL.Text });
export const CanisterSettings = IDL.Record({
  controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
  compute_allocation: IDL.Opt(IDL.Nat),
  memory_allocation: IDL.Opt(IDL.Nat),
  freezing_threshold: IDL.Opt(IDL.Nat),
  reserved_cycles_limit: IDL.Opt(IDL.Nat),
  log_visibility: IDL.Opt(LogVisibility),
  snapshot_visibility: IDL.Opt(LogVisibility),
  wasm_memory_limit: IDL.Opt(IDL.Nat),
  wasm_memory_threshold: IDL.Opt(IDL.Nat),
  environment_variables: IDL.Opt(IDL.Vec(EnvironmentVariable)),
  log_memory_limit: IDL.Opt(IDL.Nat),
});
export type Visibility = { controllers: null } | { public: null } | { allowed_viewers: Principal[] };
export interface CanisterSettings {
  controllers: Opt<Principal[]>;
  compute_allocation: Opt<bigint>;
  memory_allocation: Opt<bigint>;
  freezing_threshold: Opt<bigint>;
  reserved_cycles_limit: Opt<bigint>;
  log_visibility: Opt<Visibility>;
  snapshot_visibility: Opt<Visibility>;
  wasm_memory_limit: Opt<bigint>;
  wasm_memory_threshold: Opt<bigint>;
  environment_variables: Opt<{ name: string; value: string }[]>;
  log_memory_limit: Opt<bigint>;
}
const SubnetSelection = IDL.Variant({
  Subnet: IDL.Record({ subnet: IDL.Principal }),
  Filter: IDL.Record({ subnet_type: IDL.Opt(IDL.Text) }),
});
export type SubnetSelection = { Subnet: { subnet: Principal } } | { Filter: { subnet_type: Opt<string> } };

export const CreateCanisterArg = IDL.Record({
  settings: IDL.Opt(CanisterSettings),
  subnet_type: IDL.Opt(IDL.Text),
  subnet_selection: IDL.Opt(SubnetSelection),
});
export interface CreateCanisterArg {
  settings: Opt<CanisterSettings>;
  subnet_type: Opt<string>;
  subnet_selection: Opt<SubnetSelection>;
}
const CreateCanisterError = IDL.Variant({ Refunded: IDL.Record({ refund_amount: IDL.Nat, create_error: IDL.Text }) });
export const CreateCanisterResult = IDL.Variant({ Ok: IDL.Principal, Err: CreateCanisterError });

export const NotifyCreateCanisterArg = IDL.Record({
  block_index: IDL.Nat64,
  controller: IDL.Principal,
  subnet_type: IDL.Opt(IDL.Text),
  subnet_selection: IDL.Opt(SubnetSelection),
  settings: IDL.Opt(CanisterSettings),
});
const NotifyError = IDL.Variant({
  Refunded: IDL.Record({ reason: IDL.Text, block_index: IDL.Opt(IDL.Nat64) }),
  Processing: IDL.Null,
  TransactionTooOld: IDL.Nat64,
  InvalidTransaction: IDL.Text,
  Other: IDL.Record({ error_code: IDL.Nat64, error_message: IDL.Text }),
});
export const NotifyCreateCanisterResult = IDL.Variant({ Ok: IDL.Principal, Err: NotifyError });
export interface NotifyCreateCanisterArg {
  block_index: bigint;
  controller: Principal;
  subnet_type: Opt<string>;
  subnet_selection: Opt<SubnetSelection>;
  settings: Opt<CanisterSettings>;
}

export const NotifyTopUpArg = IDL.Record({ block_index: IDL.Nat64, canister_id: IDL.Principal });
export interface NotifyTopUpArg {
  block_index: bigint;
  canister_id: Principal;
}
export const NotifyTopUpResult = IDL.Variant({ Ok: IDL.Nat, Err: NotifyError });

export const NotifyMintCyclesArg = IDL.Record({ block_index: IDL.Nat64, deposit_memo: IDL.Opt(IDL.Vec(IDL.Nat8)), to_subaccount: IDL.Opt(IDL.Vec(IDL.Nat8)) });
export interface NotifyMintCyclesArg {
  block_index: bigint;
  deposit_memo: Opt<Uint8Array | number[]>;
  to_subaccount: Opt<Uint8Array | number[]>;
}
export const NotifyMintCyclesResult = IDL.Variant({
  Ok: IDL.Record({ block_index: IDL.Nat, minted: IDL.Nat, balance: IDL.Nat }),
  Err: NotifyError,
});

export const IcpXdrConversionRateResponse = IDL.Record({
  certificate: IDL.Vec(IDL.Nat8),
  data: IDL.Record({ xdr_permyriad_per_icp: IDL.Nat64, timestamp_seconds: IDL.Nat64 }),
  hash_tree: IDL.Vec(IDL.Nat8),
});

export const SubnetTypesToSubnetsResponse = IDL.Record({ data: IDL.Vec(IDL.Tuple(IDL.Text, IDL.Vec(IDL.Principal))) });
export const PrincipalsAuthorizedResponse = IDL.Record({ data: IDL.Vec(IDL.Tuple(IDL.Principal, IDL.Vec(IDL.Principal))) });

export const GetSubnetForCanisterRequest = IDL.Record({ principal: IDL.Opt(IDL.Principal) });
export interface GetSubnetForCanisterRequest {
  principal: Opt<Principal>;
}
export const GetSubnetForCanisterResult = IDL.Variant({ Ok: IDL.Record({ subnet_id: IDL.Opt(IDL.Principal) }), Err: IDL.Text });
export const DefaultSubnets = IDL.Vec(IDL.Principal);
export const BuildMetadata = IDL.Text;
