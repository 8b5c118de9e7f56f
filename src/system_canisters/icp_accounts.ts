// Accounts, balances and blocks of the ICP ledger. An ICRC-1 account (owner, subaccount) is stored by its
// account identifier, CRC32 ‖ SHA-224("\x0Aaccount-id" ‖ owner ‖ subaccount), the ledger's native key, so
// the legacy methods (by account identifier) and the ICRC methods (by account) see the same balances.
// Transfers from the minting account mint; transfers to it burn.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { IcpBlock, IcpLedgerState, Principal } from '../state/index.ts';
import { GOVERNANCE } from './ids.ts';
import type { Account } from './ledger_accounts.ts';

/** The ICP ledger's transfer fee, and the least amount a burn may take (e8s). */
export const ICP_FEE = 10_000n;
export const ICP_DECIMALS = 8;
export const E8S_PER_ICP = 100_000_000n;
export const MAX_U64 = (1n << 64n) - 1n;

const DOMAIN = new TextEncoder().encode('\x0Aaccount-id');

/** The 32-byte account identifier of `owner`'s `subaccount` (32 bytes; default all zero). */
export function accountIdentifier(owner: Principal, subaccount: Uint8Array = new Uint8Array(32)): Uint8Array {
  const hash = createHash('sha224').update(DOMAIN).update(owner.toUint8Array()).update(subaccount).digest();
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, crc32(hash));
  id.set(hash, 4);
  return id;
}

export function accountIdOf(account: Account): Uint8Array {
  return accountIdentifier(account.owner, account.subaccount);
}

export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A 32-byte account identifier whose checksum matches, or why not. */
export function checkedAccountIdentifier(bytes: Uint8Array | number[]): Uint8Array | string {
  const id = Uint8Array.from(bytes);
  if (id.length !== 32) return `Invalid account identifier: expected 32 bytes, got ${id.length}`;
  if (new DataView(id.buffer).getUint32(0) !== crc32(id.subarray(4))) return `Invalid account identifier: checksum mismatch in ${hexOf(id)}`;
  return id;
}

export const MINTING_ACCOUNT_ID = accountIdentifier(GOVERNANCE);
const MINTING_HEX = hexOf(MINTING_ACCOUNT_ID);

export function icpBalance(ledger: IcpLedgerState, accountId: Uint8Array): bigint {
  return ledger.balances.get(hexOf(accountId)) ?? 0n;
}

function addTo(ledger: IcpLedgerState, accountId: Uint8Array, delta: bigint): void {
  const key = hexOf(accountId);
  const balance = (ledger.balances.get(key) ?? 0n) + delta;
  if (balance < 0n) throw new RangeError(`debit exceeds the balance of ${key}`);
  if (balance === 0n) ledger.balances.delete(key);
  else ledger.balances.set(key, balance);
}

/** What a movement of tokens asks for; the ledger decides whether it is a mint, a burn or a transfer. */
export interface Movement {
  from: Uint8Array;
  to: Uint8Array;
  amount: bigint;
  /** The fee the caller states, or undefined (ICRC-1 `fee = null`). */
  fee: bigint | undefined;
  memo: bigint;
  icrc1Memo: Uint8Array | undefined;
  createdAt: bigint | undefined;
  spender: Uint8Array | undefined;
}

/** The fields ICRC-1 `transfer` and ICRC-2 `transfer_from` share. */
export interface IcrcTransferFields {
  amount: bigint;
  fee: [] | [bigint];
  memo: [] | [Uint8Array | number[]];
  created_at_time: [] | [bigint];
}

/** An ICRC transfer as a movement (ICRC memos are blobs, so the legacy u64 memo is 0). */
export function icrcMovement(arg: IcrcTransferFields, from: Uint8Array, to: Uint8Array, spender: Uint8Array | undefined): Movement {
  const memo = arg.memo[0];
  return { from, to, amount: arg.amount, fee: arg.fee[0], memo: 0n, icrc1Memo: memo ? Uint8Array.from(memo) : undefined, createdAt: arg.created_at_time[0], spender };
}

/** The ledger's GenericError for an amount past its 64-bit token counts, or undefined. */
export function amountTooLarge(amount: bigint): { GenericError: { error_code: bigint; message: string } } | undefined {
  return amount > MAX_U64 ? { GenericError: { error_code: 0n, message: `amount ${amount} does not fit in 64 bits` } } : undefined;
}

export type MovementError = { BadFee: { expected_fee: bigint } } | { BadBurn: { min_burn_amount: bigint } } | { InsufficientFunds: { balance: bigint } };

/** Applies a movement at subnet time `now`; returns its block index or the ICRC-style error. */
export function moveTokens(ledger: IcpLedgerState, movement: Movement, now: bigint): bigint | MovementError {
  const minting = hexOf(movement.from) === MINTING_HEX;
  const burning = hexOf(movement.to) === MINTING_HEX;
  const fee = minting || burning ? 0n : ICP_FEE;
  if (movement.fee !== undefined && movement.fee !== fee) return { BadFee: { expected_fee: fee } };
  if (burning && movement.amount < ICP_FEE) return { BadBurn: { min_burn_amount: ICP_FEE } };
  if (!minting) {
    const balance = icpBalance(ledger, movement.from);
    if (balance < movement.amount + fee) return { InsufficientFunds: { balance } };
    addTo(ledger, movement.from, -(movement.amount + fee));
  }
  if (!burning) addTo(ledger, movement.to, movement.amount);
  const kind = minting ? 'mint' : burning ? 'burn' : 'transfer';
  return appendIcpBlock(ledger, {
    kind,
    from: minting ? undefined : movement.from,
    to: burning ? undefined : movement.to,
    spender: movement.spender,
    amount: movement.amount,
    fee,
    memo: movement.memo,
    icrc1Memo: movement.icrc1Memo,
    createdAt: movement.createdAt,
    timestamp: now,
    expiresAt: undefined,
    expectedAllowance: undefined,
  });
}

/** Takes the approval fee from the approver's account (the caller checked the balance). */
export function chargeFee(ledger: IcpLedgerState, accountId: Uint8Array): void {
  addTo(ledger, accountId, -ICP_FEE);
}

export function appendIcpBlock(ledger: IcpLedgerState, block: IcpBlock): bigint {
  ledger.blocks.push(block);
  return BigInt(ledger.blocks.length - 1);
}

export function icpTotalSupply(ledger: IcpLedgerState): bigint {
  let total = 0n;
  for (const balance of ledger.balances.values()) total += balance;
  return total;
}
