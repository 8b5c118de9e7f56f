// Candid types of the ICP ledger (ryjl3-tyaaa-aaaaa-aaaba-cai), for the methods Capsule implements.
// Names follow the ledger's .did (dfinity/ic rs/ledger_suite/icp/ledger.did); the ICRC-1 types shared
// with the cycles ledger (Account, TransferArg, MetadataValue, …) are imported from there.
import { IDL } from '@dfinity/candid';
import { Account, Subaccount } from './cycles_ledger.ts';

export { Account, MetadataValue, SupportedStandard, TransferArgs as TransferArg, TransferResult as Icrc1TransferResult } from './cycles_ledger.ts';

type Opt<T> = [] | [T];
type Bytes = Uint8Array | number[];

export const Tokens = IDL.Record({ e8s: IDL.Nat64 });
export interface Tokens {
  e8s: bigint;
}
export const TimeStamp = IDL.Record({ timestamp_nanos: IDL.Nat64 });
const AccountIdentifier = IDL.Vec(IDL.Nat8);

/** The legacy `transfer`: to an account identifier, amounts in `Tokens`. */
export const TransferArgs = IDL.Record({
  to: AccountIdentifier,
  fee: Tokens,
  memo: IDL.Nat64,
  from_subaccount: IDL.Opt(Subaccount),
  created_at_time: IDL.Opt(TimeStamp),
  amount: Tokens,
});
export interface TransferArgs {
  to: Bytes;
  fee: Tokens;
  memo: bigint;
  from_subaccount: Opt<Bytes>;
  created_at_time: Opt<{ timestamp_nanos: bigint }>;
  amount: Tokens;
}
export const TransferError = IDL.Variant({
  TxTooOld: IDL.Record({ allowed_window_nanos: IDL.Nat64 }),
  BadFee: IDL.Record({ expected_fee: Tokens }),
  TxDuplicate: IDL.Record({ duplicate_of: IDL.Nat64 }),
  TxCreatedInFuture: IDL.Null,
  InsufficientFunds: IDL.Record({ balance: Tokens }),
});
export const TransferResult = IDL.Variant({ Ok: IDL.Nat64, Err: TransferError });

export const AccountIdentifierByteBuf = IDL.Record({ account: AccountIdentifier });
export const AccountBalanceArgs = IDL.Record({ account: IDL.Text });

const GenericError = IDL.Record({ message: IDL.Text, error_code: IDL.Nat });
export const ApproveArgs = IDL.Record({
  fee: IDL.Opt(IDL.Nat),
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  from_subaccount: IDL.Opt(Subaccount),
  created_at_time: IDL.Opt(IDL.Nat64),
  amount: IDL.Nat,
  expected_allowance: IDL.Opt(IDL.Nat),
  expires_at: IDL.Opt(IDL.Nat64),
  spender: Account,
});
export interface ApproveArgs {
  fee: Opt<bigint>;
  memo: Opt<Bytes>;
  from_subaccount: Opt<Bytes>;
  created_at_time: Opt<bigint>;
  amount: bigint;
  expected_allowance: Opt<bigint>;
  expires_at: Opt<bigint>;
  spender: Account;
}
export const ApproveError = IDL.Variant({
  GenericError,
  TemporarilyUnavailable: IDL.Null,
  Duplicate: IDL.Record({ duplicate_of: IDL.Nat }),
  BadFee: IDL.Record({ expected_fee: IDL.Nat }),
  AllowanceChanged: IDL.Record({ current_allowance: IDL.Nat }),
  CreatedInFuture: IDL.Record({ ledger_time: IDL.Nat64 }),
  TooOld: IDL.Null,
  Expired: IDL.Record({ ledger_time: IDL.Nat64 }),
  InsufficientFunds: IDL.Record({ balance: IDL.Nat }),
});
export const ApproveResult = IDL.Variant({ Ok: IDL.Nat, Err: ApproveError });

export const AllowanceArgs = IDL.Record({ account: Account, spender: Account });
export interface AllowanceArgs {
  account: Account;
  spender: Account;
}
export const Allowance = IDL.Record({ allowance: IDL.Nat, expires_at: IDL.Opt(IDL.Nat64) });

export const TransferFromArgs = IDL.Record({
  to: Account,
  fee: IDL.Opt(IDL.Nat),
  spender_subaccount: IDL.Opt(Subaccount),
  from: Account,
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  created_at_time: IDL.Opt(IDL.Nat64),
  amount: IDL.Nat,
});
export interface TransferFromArgs {
  to: Account;
  fee: Opt<bigint>;
  spender_subaccount: Opt<Bytes>;
  from: Account;
  memo: Opt<Bytes>;
  created_at_time: Opt<bigint>;
  amount: bigint;
}
export const TransferFromError = IDL.Variant({
  GenericError,
  TemporarilyUnavailable: IDL.Null,
  InsufficientAllowance: IDL.Record({ allowance: IDL.Nat }),
  BadBurn: IDL.Record({ min_burn_amount: IDL.Nat }),
  Duplicate: IDL.Record({ duplicate_of: IDL.Nat }),
  BadFee: IDL.Record({ expected_fee: IDL.Nat }),
  CreatedInFuture: IDL.Record({ ledger_time: IDL.Nat64 }),
  TooOld: IDL.Null,
  InsufficientFunds: IDL.Record({ balance: IDL.Nat }),
});
export const TransferFromResult = IDL.Variant({ Ok: IDL.Nat, Err: TransferFromError });

export const GetBlocksArgs = IDL.Record({ start: IDL.Nat64, length: IDL.Nat64 });
export interface GetBlocksArgs {
  start: bigint;
  length: bigint;
}
const Operation = IDL.Variant({
  Approve: IDL.Record({
    fee: Tokens,
    from: AccountIdentifier,
    allowance_e8s: IDL.Int,
    allowance: Tokens,
    expected_allowance: IDL.Opt(Tokens),
    expires_at: IDL.Opt(TimeStamp),
    spender: AccountIdentifier,
  }),
  Burn: IDL.Record({ from: AccountIdentifier, amount: Tokens, spender: IDL.Opt(AccountIdentifier) }),
  Mint: IDL.Record({ to: AccountIdentifier, amount: Tokens }),
  Transfer: IDL.Record({ to: AccountIdentifier, fee: Tokens, from: AccountIdentifier, amount: Tokens, spender: IDL.Opt(AccountIdentifier) }),
});
const Transaction = IDL.Record({ memo: IDL.Nat64, icrc1_memo: IDL.Opt(IDL.Vec(IDL.Nat8)), operation: IDL.Opt(Operation), created_at_time: TimeStamp });
export const CandidBlock = IDL.Record({ transaction: Transaction, timestamp: TimeStamp, parent_hash: IDL.Opt(IDL.Vec(IDL.Nat8)) });
const BlockRange = IDL.Record({ blocks: IDL.Vec(CandidBlock) });
const GetBlocksError = IDL.Variant({
  BadFirstBlockIndex: IDL.Record({ requested_index: IDL.Nat64, first_valid_index: IDL.Nat64 }),
  Other: IDL.Record({ error_message: IDL.Text, error_code: IDL.Nat64 }),
});
const ArchivedBlocksRange = IDL.Record({
  callback: IDL.Func([GetBlocksArgs], [IDL.Variant({ Ok: BlockRange, Err: GetBlocksError })], ['query']),
  start: IDL.Nat64,
  length: IDL.Nat64,
});
export const QueryBlocksResponse = IDL.Record({
  certificate: IDL.Opt(IDL.Vec(IDL.Nat8)),
  blocks: IDL.Vec(CandidBlock),
  chain_length: IDL.Nat64,
  first_block_index: IDL.Nat64,
  archived_blocks: IDL.Vec(ArchivedBlocksRange),
});
