// Accounts of the cycles ledger, and Capsule's local funding rule.
//
// Funding (like a local development network, where the launcher gives identities "a very large amount"
// of cycles): an account whose owner is not a canister (a user: self-authenticating, anonymous, derived
// principals) starts with LOCAL_INITIAL_BALANCE the first time anything looks at it; an account owned
// by a canister starts at 0. The rule is a pure function of the account, so it is deterministic, and a
// query reads it without writing. An account is written into the state by its first update (debit or
// credit); from then on its stored balance is the truth, so a spent account is never refunded.
// On an icp-cli network (launcher funding, funding.ts) the rule is off: untouched accounts hold 0.
import type { CyclesLedgerState, Principal } from '../state/index.ts';

/** The cycles ledger's fee (dfinity/cycles-ledger config.rs): 100M cycles per transfer, withdrawal, creation. */
export const CYCLES_LEDGER_FEE = 100_000_000n;
/** What a user account holds before its first use: 1,000 T cycles (≈ 500 canisters at 2 T each). */
export const LOCAL_INITIAL_BALANCE = 1_000_000_000_000_000n;
export const MAX_U128 = (1n << 128n) - 1n;

const SUBACCOUNT_BYTES = 32;

/** An account with its subaccount normalised (absent = 32 zero bytes, as ICRC-1 defines). */
export interface Account {
  owner: Principal;
  subaccount: Uint8Array;
}

/** The normalised account, or why it is malformed (the ledger traps on it). */
export function accountOf(owner: Principal, subaccount: [] | [Uint8Array | number[]]): Account | string {
  const bytes = subaccount.length === 0 ? new Uint8Array(SUBACCOUNT_BYTES) : Uint8Array.from(subaccount[0]);
  if (bytes.length !== SUBACCOUNT_BYTES) return `invalid subaccount: expected ${SUBACCOUNT_BYTES} bytes, got ${bytes.length}`;
  return { owner, subaccount: bytes };
}

export function accountKey(account: Account): string {
  return `${account.owner.toHex()}:${Buffer.from(account.subaccount).toString('hex')}`;
}

/** Canister ids are opaque principals (last byte 0x01, interface spec 'Principals'); users' principals are not. */
export function isCanisterId(id: Principal): boolean {
  const bytes = id.toUint8Array();
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x01;
}

function initialBalance(ledger: CyclesLedgerState, account: Account): bigint {
  return ledger.lazyFunding && !isCanisterId(account.owner) ? LOCAL_INITIAL_BALANCE : 0n;
}

export function balanceOf(ledger: CyclesLedgerState, account: Account): bigint {
  return ledger.balances.get(accountKey(account)) ?? initialBalance(ledger, account);
}

export function credit(ledger: CyclesLedgerState, account: Account, amount: bigint): bigint {
  const balance = balanceOf(ledger, account) + amount;
  ledger.balances.set(accountKey(account), balance);
  return balance;
}

/** Takes `amount` off the account; the caller has checked the balance. */
export function debit(ledger: CyclesLedgerState, account: Account, amount: bigint): bigint {
  const balance = balanceOf(ledger, account) - amount;
  if (balance < 0n) throw new RangeError(`debit of ${amount} exceeds the balance of ${accountKey(account)}`);
  ledger.balances.set(accountKey(account), balance);
  return balance;
}

/** Appends a block (the ledger keeps no transaction log, only the count) and returns its index. */
export function appendBlock(ledger: CyclesLedgerState): bigint {
  const index = ledger.nextBlock;
  ledger.nextBlock += 1n;
  return index;
}

/** icrc1_total_supply: the sum of the balances written so far (untouched accounts are not counted). */
export function totalSupply(ledger: CyclesLedgerState): bigint {
  let total = 0n;
  for (const balance of ledger.balances.values()) total += balance;
  return total;
}
