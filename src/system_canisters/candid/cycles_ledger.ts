// Candid types of the cycles ledger (um5iw-rqaaa-aaaaq-qaaba-cai), for the methods Capsule implements.
//
// Source: `declarations/cycles-ledger/cycles-ledger.did` of npm @icp-sdk/canisters 3.6.0 (generated from
// dfinity/cycles-ledger @ 77756f6), read with `npm pack` (the package itself is not a dependency: its
// peer dependencies conflict with @icp-sdk/core 6). Names below are the .did's type names.
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

type Opt<T> = [] | [T];

export const Subaccount = IDL.Vec(IDL.Nat8);
export const Account = IDL.Record({ owner: IDL.Principal, subaccount: IDL.Opt(Subaccount) });
export interface Account {
  owner: Principal;
  subaccount: Opt<Uint8Array | number[]>;
}
export const BlockIndex = IDL.Nat;

export const DepositArgs = IDL.Record({ to: Account, memo: IDL.Opt(IDL.Vec(IDL.Nat8)) });
export interface DepositArgs {
  to: Account;
  memo: Opt<Uint8Array | number[]>;
}
export const DepositResult = IDL.Record({ balance: IDL.Nat, block_index: BlockIndex });

export const RejectionCode = IDL.Variant({
  NoError: IDL.Null,
  CanisterError: IDL.Null,
  SysTransient: IDL.Null,
  DestinationInvalid: IDL.Null,
  Unknown: IDL.Null,
  SysFatal: IDL.Null,
  CanisterReject: IDL.Null,
});
export type RejectionCodeName = 'NoError' | 'CanisterError' | 'SysTransient' | 'DestinationInvalid' | 'Unknown' | 'SysFatal' | 'CanisterReject';

export const WithdrawArgs = IDL.Record({
  amount: IDL.Nat,
  from_subaccount: IDL.Opt(Subaccount),
  to: IDL.Principal,
  created_at_time: IDL.Opt(IDL.Nat64),
});
export interface WithdrawArgs {
  amount: bigint;
  from_subaccount: Opt<Uint8Array | number[]>;
  to: Principal;
  created_at_time: Opt<bigint>;
}
const GenericError = IDL.Record({ message: IDL.Text, error_code: IDL.Nat });
export const WithdrawError = IDL.Variant({
  GenericError,
  TemporarilyUnavailable: IDL.Null,
  FailedToWithdraw: IDL.Record({ fee_block: IDL.Opt(IDL.Nat), rejection_code: RejectionCode, rejection_reason: IDL.Text }),
  Duplicate: IDL.Record({ duplicate_of: IDL.Nat }),
  BadFee: IDL.Record({ expected_fee: IDL.Nat }),
  InvalidReceiver: IDL.Record({ receiver: IDL.Principal }),
  CreatedInFuture: IDL.Record({ ledger_time: IDL.Nat64 }),
  TooOld: IDL.Null,
  InsufficientFunds: IDL.Record({ balance: IDL.Nat }),
});
export const WithdrawResult = IDL.Variant({ Ok: BlockIndex, Err: WithdrawError });

export const TransferArgs = IDL.Record({
  from_subaccount: IDL.Opt(Subaccount),
  to: Account,
  amount: IDL.Nat,
  fee: IDL.Opt(IDL.Nat),
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  created_at_time: IDL.Opt(IDL.Nat64),
});
export interface TransferArgs {
  from_subaccount: Opt<Uint8Array | number[]>;
  to: Account;
  amount: bigint;
  fee: Opt<bigint>;
  memo: Opt<Uint8Array | number[]>;
  created_at_time: Opt<bigint>;
}
export const TransferError = IDL.Variant({
  BadFee: IDL.Record({ expected_fee: IDL.Nat }),
  BadBurn: IDL.Record({ min_burn_amount: IDL.Nat }),
  InsufficientFunds: IDL.Record({ balance: IDL.Nat }),
  TooOld: IDL.Null,
  CreatedInFuture: IDL.Record({ ledger_time: IDL.Nat64 }),
  Duplicate: IDL.Record({ duplicate_of: IDL.Nat }),
  TemporarilyUnavailable: IDL.Null,
  GenericError,
});
export const TransferResult = IDL.Variant({ Ok: BlockIndex, Err: TransferError });

/** The cycles ledger's (older, five-field) canister settings, as the CMC takes them. */
export const CanisterSettings = IDL.Record({
  controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
  compute_allocation: IDL.Opt(IDL.Nat),
  memory_allocation: IDL.Opt(IDL.Nat),
  freezing_threshold: IDL.Opt(IDL.Nat),
  reserved_cycles_limit: IDL.Opt(IDL.Nat),
});
export interface CanisterSettings {
  controllers: Opt<Principal[]>;
  compute_allocation: Opt<bigint>;
  memory_allocation: Opt<bigint>;
  freezing_threshold: Opt<bigint>;
  reserved_cycles_limit: Opt<bigint>;
}
export const SubnetFilter = IDL.Record({ subnet_type: IDL.Opt(IDL.Text) });
export const SubnetSelection = IDL.Variant({ Subnet: IDL.Record({ subnet: IDL.Principal }), Filter: SubnetFilter });
export type SubnetSelection = { Subnet: { subnet: Principal } } | { Filter: { subnet_type: Opt<string> } };
export const CmcCreateCanisterArgs = IDL.Record({ settings: IDL.Opt(CanisterSettings), subnet_selection: IDL.Opt(SubnetSelection) });
export interface CmcCreateCanisterArgs {
  settings: Opt<CanisterSettings>;
  subnet_selection: Opt<SubnetSelection>;
}
export const CreateCanisterArgs = IDL.Record({
  from_subaccount: IDL.Opt(Subaccount),
  created_at_time: IDL.Opt(IDL.Nat64),
  amount: IDL.Nat,
  creation_args: IDL.Opt(CmcCreateCanisterArgs),
});
export interface CreateCanisterArgs {
  from_subaccount: Opt<Uint8Array | number[]>;
  created_at_time: Opt<bigint>;
  amount: bigint;
  creation_args: Opt<CmcCreateCanisterArgs>;
}
export const CreateCanisterSuccess = IDL.Record({ block_id: BlockIndex, canister_id: IDL.Principal });
export const CreateCanisterError = IDL.Variant({
  InsufficientFunds: IDL.Record({ balance: IDL.Nat }),
  TooOld: IDL.Null,
  CreatedInFuture: IDL.Record({ ledger_time: IDL.Nat64 }),
  TemporarilyUnavailable: IDL.Null,
  Duplicate: IDL.Record({ duplicate_of: IDL.Nat, canister_id: IDL.Opt(IDL.Principal) }),
  FailedToCreate: IDL.Record({ fee_block: IDL.Opt(BlockIndex), refund_block: IDL.Opt(BlockIndex), error: IDL.Text }),
  GenericError,
});
export const CreateCanisterResult = IDL.Variant({ Ok: CreateCanisterSuccess, Err: CreateCanisterError });

export const MetadataValue = IDL.Variant({ Nat: IDL.Nat, Int: IDL.Int, Text: IDL.Text, Blob: IDL.Vec(IDL.Nat8) });
export type MetadataValue = { Nat: bigint } | { Int: bigint } | { Text: string } | { Blob: Uint8Array };
export const SupportedStandard = IDL.Record({ url: IDL.Text, name: IDL.Text });
