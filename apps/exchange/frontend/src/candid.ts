// The Candid interfaces of the exchange application's canisters (backend/Ledger.mo, backend/Exchange.mo),
// shared by the page, the tests and the benchmark.
import { IDL } from '@icp-sdk/core/candid';
import type { Principal } from '@icp-sdk/core/principal';

export interface Account {
  owner: Principal;
  subaccount: [] | [Uint8Array];
}

export type Result<T, E> = { Ok: T } | { Err: E };

/** The variants of TransferError, ApproveError and TransferFromError, with their fields. */
export type IcrcError = Record<string, Record<string, bigint | string> | null>;

export interface Pool {
  token_a: Principal;
  token_b: Principal;
  reserve_a: bigint;
  reserve_b: bigint;
  total_shares: bigint;
  fee_basis_points: bigint;
}

export interface Holding {
  a: bigint;
  b: bigint;
  shares: bigint;
}

export interface Accounting {
  internal_a: bigint;
  internal_b: bigint;
  reserve_a: bigint;
  reserve_b: bigint;
  withdrawing_a: bigint;
  withdrawing_b: bigint;
}

export interface LedgerInit {
  name: string;
  symbol: string;
  decimals: number;
  fee: bigint;
  minting_account: Account;
  initial_balances: Array<[Account, bigint]>;
  faucet_limit: bigint;
}

export const Account = IDL.Record({ owner: IDL.Principal, subaccount: IDL.Opt(IDL.Vec(IDL.Nat8)) });
const Generic = IDL.Record({ error_code: IDL.Nat, message: IDL.Text });
const BadFee = IDL.Record({ expected_fee: IDL.Nat });
const Funds = IDL.Record({ balance: IDL.Nat });
const LedgerTime = IDL.Record({ ledger_time: IDL.Nat64 });
const DuplicateOf = IDL.Record({ duplicate_of: IDL.Nat });

export const TransferError = IDL.Variant({
  BadFee,
  BadBurn: IDL.Record({ min_burn_amount: IDL.Nat }),
  InsufficientFunds: Funds,
  TooOld: IDL.Null,
  CreatedInFuture: LedgerTime,
  Duplicate: DuplicateOf,
  TemporarilyUnavailable: IDL.Null,
  GenericError: Generic,
});
export const ApproveError = IDL.Variant({
  BadFee,
  InsufficientFunds: Funds,
  AllowanceChanged: IDL.Record({ current_allowance: IDL.Nat }),
  Expired: LedgerTime,
  TooOld: IDL.Null,
  CreatedInFuture: LedgerTime,
  Duplicate: DuplicateOf,
  TemporarilyUnavailable: IDL.Null,
  GenericError: Generic,
});
export const TransferFromError = IDL.Variant({
  BadFee,
  BadBurn: IDL.Record({ min_burn_amount: IDL.Nat }),
  InsufficientFunds: Funds,
  InsufficientAllowance: IDL.Record({ allowance: IDL.Nat }),
  TooOld: IDL.Null,
  CreatedInFuture: LedgerTime,
  Duplicate: DuplicateOf,
  TemporarilyUnavailable: IDL.Null,
  GenericError: Generic,
});
export const TransferArg = IDL.Record({
  from_subaccount: IDL.Opt(IDL.Vec(IDL.Nat8)),
  to: Account,
  amount: IDL.Nat,
  fee: IDL.Opt(IDL.Nat),
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  created_at_time: IDL.Opt(IDL.Nat64),
});
export const ApproveArgs = IDL.Record({
  from_subaccount: IDL.Opt(IDL.Vec(IDL.Nat8)),
  spender: Account,
  amount: IDL.Nat,
  expected_allowance: IDL.Opt(IDL.Nat),
  expires_at: IDL.Opt(IDL.Nat64),
  fee: IDL.Opt(IDL.Nat),
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  created_at_time: IDL.Opt(IDL.Nat64),
});
export const TransferFromArgs = IDL.Record({
  spender_subaccount: IDL.Opt(IDL.Vec(IDL.Nat8)),
  from: Account,
  to: Account,
  amount: IDL.Nat,
  fee: IDL.Opt(IDL.Nat),
  memo: IDL.Opt(IDL.Vec(IDL.Nat8)),
  created_at_time: IDL.Opt(IDL.Nat64),
});
export const Value = IDL.Variant({ Nat: IDL.Nat, Int: IDL.Int, Text: IDL.Text, Blob: IDL.Vec(IDL.Nat8) });
export const Allowance = IDL.Record({ allowance: IDL.Nat, expires_at: IDL.Opt(IDL.Nat64) });
export const MintError = IDL.Variant({ InvalidAmount: IDL.Record({ max_amount: IDL.Nat }), GenericError: Generic });
export const LedgerInit = IDL.Record({
  name: IDL.Text,
  symbol: IDL.Text,
  decimals: IDL.Nat8,
  fee: IDL.Nat,
  minting_account: Account,
  initial_balances: IDL.Vec(IDL.Tuple(Account, IDL.Nat)),
  faucet_limit: IDL.Nat,
});

/** Each method: argument types, result types, and `['query']` for a query. */
export type Methods = Record<string, [IDL.Type[], IDL.Type[], 'query'[]]>;

const result = (ok: IDL.Type, err: IDL.Type) => IDL.Variant({ Ok: ok, Err: err });

/** The ledger's methods. */
export const ledgerMethods = {
  icrc1_name: [[], [IDL.Text], ['query']],
  icrc1_symbol: [[], [IDL.Text], ['query']],
  icrc1_decimals: [[], [IDL.Nat8], ['query']],
  icrc1_fee: [[], [IDL.Nat], ['query']],
  icrc1_metadata: [[], [IDL.Vec(IDL.Tuple(IDL.Text, Value))], ['query']],
  icrc1_total_supply: [[], [IDL.Nat], ['query']],
  icrc1_minting_account: [[], [IDL.Opt(Account)], ['query']],
  icrc1_balance_of: [[Account], [IDL.Nat], ['query']],
  icrc1_supported_standards: [[], [IDL.Vec(IDL.Record({ name: IDL.Text, url: IDL.Text }))], ['query']],
  icrc1_transfer: [[TransferArg], [result(IDL.Nat, TransferError)], []],
  icrc2_approve: [[ApproveArgs], [result(IDL.Nat, ApproveError)], []],
  icrc2_allowance: [[IDL.Record({ account: Account, spender: Account })], [Allowance], ['query']],
  icrc2_transfer_from: [[TransferFromArgs], [result(IDL.Nat, TransferFromError)], []],
  mint: [[IDL.Record({ to: Account, amount: IDL.Nat })], [result(IDL.Nat, MintError)], []],
} satisfies Methods;

export const ExchangeError = IDL.Variant({
  AnonymousCaller: IDL.Null,
  UnknownToken: IDL.Null,
  ZeroAmount: IDL.Null,
  InsufficientBalance: Funds,
  AmountBelowFee: IDL.Record({ fee: IDL.Nat }),
  InsufficientLiquidity: IDL.Null,
  InsufficientShares: IDL.Record({ shares: IDL.Nat }),
  Slippage: IDL.Record({ amount_out: IDL.Nat }),
  Expired: IDL.Record({ now: IDL.Nat64 }),
  TransferFromFailed: TransferFromError,
  TransferFailed: TransferError,
  LedgerUnavailable: IDL.Record({ message: IDL.Text }),
});
export const ExchangeInit = IDL.Record({
  token_a: IDL.Principal,
  token_b: IDL.Principal,
  fee_basis_points: IDL.Nat,
  initial_reserve_a: IDL.Nat,
  initial_reserve_b: IDL.Nat,
});
const Pool = IDL.Record({
  token_a: IDL.Principal,
  token_b: IDL.Principal,
  reserve_a: IDL.Nat,
  reserve_b: IDL.Nat,
  total_shares: IDL.Nat,
  fee_basis_points: IDL.Nat,
});
const Holding = IDL.Record({ a: IDL.Nat, b: IDL.Nat, shares: IDL.Nat });
const Accounting = IDL.Record({
  internal_a: IDL.Nat,
  internal_b: IDL.Nat,
  reserve_a: IDL.Nat,
  reserve_b: IDL.Nat,
  withdrawing_a: IDL.Nat,
  withdrawing_b: IDL.Nat,
});

/** The exchange's methods, as for the ledger. */
export const exchangeMethods = {
  deposit: [[IDL.Principal, IDL.Nat], [result(IDL.Nat, ExchangeError)], []],
  withdraw: [[IDL.Principal, IDL.Nat], [result(IDL.Nat, ExchangeError)], []],
  swap: [[IDL.Principal, IDL.Nat, IDL.Nat, IDL.Nat64], [result(IDL.Nat, ExchangeError)], []],
  add_liquidity: [[IDL.Nat, IDL.Nat, IDL.Nat], [result(IDL.Nat, ExchangeError)], []],
  remove_liquidity: [[IDL.Nat, IDL.Nat, IDL.Nat], [result(IDL.Record({ amount_a: IDL.Nat, amount_b: IDL.Nat }), ExchangeError)], []],
  pool: [[], [Pool], ['query']],
  quote: [[IDL.Principal, IDL.Nat], [IDL.Nat], ['query']],
  balances: [[IDL.Principal], [Holding], ['query']],
  accounting: [[], [Accounting], ['query']],
} satisfies Methods;

/** An interface factory for `Actor.createActor`. */
export function idlFactory(methods: Methods): IDL.InterfaceFactory {
  return () => IDL.Service(Object.fromEntries(Object.entries(methods).map(([name, [args, results, modes]]) => [name, IDL.Func(args as IDL.Type[] as [], results as IDL.Type[] as [], modes)])));
}

/** The install argument of a ledger. */
export function ledgerInitArg(init: LedgerInit): Uint8Array {
  return new Uint8Array(IDL.encode([LedgerInit], [init]));
}

export interface ExchangeInit {
  token_a: Principal;
  token_b: Principal;
  fee_basis_points: bigint;
  /** Reserves the ledgers' initial balances gave the exchange's account; their shares belong to no one. */
  initial_reserve_a: bigint;
  initial_reserve_b: bigint;
}

/** The install argument of the exchange. */
export function exchangeInitArg(init: ExchangeInit): Uint8Array {
  return new Uint8Array(IDL.encode([ExchangeInit], [init]));
}
