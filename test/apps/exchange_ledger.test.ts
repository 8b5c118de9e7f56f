// The exchange application's Motoko ledger against the ICRC-1 and ICRC-2 standards
// (https://github.com/dfinity/ICRC-1): metadata, fees burnt, every error variant, deduplication, allowances.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Principal } from '@icp-sdk/core/principal';
import type { IcrcError, Result } from '../../apps/exchange/frontend/src/candid.ts';
import { account, exchangeApp, type ExchangeApp, user } from './_exchange.ts';

const FEE = 10n;
const HOUR = 3_600_000_000_000n;
let app: ExchangeApp;
let token: Principal;
const minter = user(99);

before(async () => {
  app = await exchangeApp({ fee: FEE, faucetLimit: 1_000n, minter });
  token = app.tokenA;
});
after(() => app.ic.close());

const update = <T>(method: string, args: unknown[], sender?: Principal) => app.update<T>(token, method, args, sender);
const query = <T>(method: string, args: unknown[] = []) => app.query<T>(token, method, args);
const balance = (owner: Principal) => query<bigint>('icrc1_balance_of', [account(owner)]);
const supply = () => query<bigint>('icrc1_total_supply');

function transferArg(to: Principal, amount: bigint, extra: Record<string, unknown> = {}) {
  return { from_subaccount: [], to: account(to), amount, fee: [], memo: [], created_at_time: [], ...extra };
}

function approveArg(spender: Principal, amount: bigint, extra: Record<string, unknown> = {}) {
  return { from_subaccount: [], spender: account(spender), amount, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [], ...extra };
}

function transferFromArg(from: Principal, to: Principal, amount: bigint) {
  return { spender_subaccount: [], from: account(from), to: account(to), amount, fee: [], memo: [], created_at_time: [] };
}

async function faucet(to: Principal, amount: bigint): Promise<void> {
  const minted = await update<Result<bigint, IcrcError>>('mint', [{ to: account(to), amount }]);
  assert.ok('Ok' in minted, JSON.stringify(minted, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
}

test('the ledger describes its token through the ICRC-1 metadata and queries', async () => {
  assert.equal(await query('icrc1_name'), 'Test TA');
  assert.equal(await query('icrc1_symbol'), 'TA');
  assert.equal(await query('icrc1_decimals'), 8);
  assert.equal(await query('icrc1_fee'), FEE);
  assert.deepEqual(await query('icrc1_metadata'), [
    ['icrc1:name', { Text: 'Test TA' }],
    ['icrc1:symbol', { Text: 'TA' }],
    ['icrc1:decimals', { Nat: 8n }],
    ['icrc1:fee', { Nat: FEE }],
    ['icrc1:max_memo_length', { Nat: 32n }],
  ]);
  const standards = await query<{ name: string }[]>('icrc1_supported_standards');
  assert.deepEqual(
    standards.map((s) => s.name),
    ['ICRC-1', 'ICRC-2'],
  );
  const minting = await query<[{ owner: Principal }]>('icrc1_minting_account');
  assert.equal(minting[0].owner.toText(), minter.toText());
});

test('a transfer moves the amount and burns the fee from the sender and the total supply', async () => {
  const [alice, bob] = [user(1), user(2)];
  await faucet(alice, 500n);
  const before = await supply();
  const sent = await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(bob, 100n)], alice);
  assert.ok('Ok' in sent);
  assert.equal(await balance(alice), 500n - 100n - FEE);
  assert.equal(await balance(bob), 100n);
  assert.equal(await supply(), before - FEE);
});

test('a transfer is refused with BadFee, InsufficientFunds or GenericError and changes nothing', async () => {
  const [carol, dave] = [user(3), user(4)];
  await faucet(carol, 50n);
  const supplyBefore = await supply();
  assert.deepEqual(await update('icrc1_transfer', [transferArg(dave, 1n, { fee: [FEE + 1n] })], carol), { Err: { BadFee: { expected_fee: FEE } } });
  assert.deepEqual(await update('icrc1_transfer', [transferArg(dave, 41n)], carol), { Err: { InsufficientFunds: { balance: 50n } } });
  const badSubaccount = await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(dave, 1n, { from_subaccount: [new Uint8Array(3)] })], carol);
  assert.ok('Err' in badSubaccount && 'GenericError' in badSubaccount.Err);
  const longMemo = await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(dave, 1n, { memo: [new Uint8Array(33)] })], carol);
  assert.ok('Err' in longMemo && 'GenericError' in longMemo.Err);
  assert.equal(await balance(carol), 50n);
  assert.equal(await balance(dave), 0n);
  assert.equal(await supply(), supplyBefore);
});

test('the minting account mints for free and burns at least one fee, and the faucet caps each mint', async () => {
  const erin = user(5);
  const before = await supply();
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(erin, 300n)], minter)));
  assert.equal(await supply(), before + 300n);
  assert.deepEqual(await update('icrc1_transfer', [transferArg(minter, FEE - 1n)], erin), { Err: { BadBurn: { min_burn_amount: FEE } } });
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(minter, 100n)], erin)));
  assert.equal(await balance(erin), 200n);
  assert.equal(await supply(), before + 200n);
  assert.deepEqual(await update('mint', [{ to: account(erin), amount: 1_001n }]), { Err: { InvalidAmount: { max_amount: 1_000n } } });
  assert.deepEqual(await update('mint', [{ to: account(erin), amount: 0n }]), { Err: { InvalidAmount: { max_amount: 1_000n } } });
});

test('a transaction with created_at_time is deduplicated within the window and refused when too old or in the future', async () => {
  const [frank, grace] = [user(6), user(7)];
  await faucet(frank, 1_000n);
  const now = await app.ic.getTime();
  const arg = transferArg(grace, 10n, { created_at_time: [now], memo: [new Uint8Array([1])] });
  const first = await update<Result<bigint, IcrcError>>('icrc1_transfer', [arg], frank);
  assert.ok('Ok' in first);
  assert.deepEqual(await update('icrc1_transfer', [arg], frank), { Err: { Duplicate: { duplicate_of: first.Ok } } });
  // Another memo, or no created_at_time, is another transaction.
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc1_transfer', [{ ...arg, memo: [new Uint8Array([2])] }], frank)));
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(grace, 10n)], frank)));
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(grace, 10n)], frank)));
  const future = await update<Result<bigint, IcrcError>>('icrc1_transfer', [transferArg(grace, 10n, { created_at_time: [now + HOUR] })], frank);
  assert.ok('Err' in future && 'CreatedInFuture' in future.Err);
  await app.ic.advanceTime(25n * HOUR);
  assert.deepEqual(await update('icrc1_transfer', [arg], frank), { Err: { TooOld: null } });
  assert.equal(await balance(grace), 40n);
});

test('an approval burns a fee and lets the spender transfer up to the allowance, fee included', async () => {
  const [owner, spender, receiver] = [user(10), user(11), user(12)];
  await faucet(owner, 1_000n);
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc2_approve', [approveArg(spender, 200n)], owner)));
  assert.equal(await balance(owner), 1_000n - FEE);
  assert.deepEqual(await query('icrc2_allowance', [{ account: account(owner), spender: account(spender) }]), { allowance: 200n, expires_at: [] });
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc2_transfer_from', [transferFromArg(owner, receiver, 100n)], spender)));
  assert.equal(await balance(owner), 1_000n - FEE - 100n - FEE);
  assert.equal(await balance(receiver), 100n);
  assert.deepEqual(await query('icrc2_allowance', [{ account: account(owner), spender: account(spender) }]), { allowance: 200n - 100n - FEE, expires_at: [] });
  assert.deepEqual(await update('icrc2_transfer_from', [transferFromArg(owner, receiver, 81n)], spender), { Err: { InsufficientAllowance: { allowance: 90n } } });
  const stranger = user(13);
  assert.deepEqual(await update('icrc2_transfer_from', [transferFromArg(owner, receiver, 1n)], stranger), { Err: { InsufficientAllowance: { allowance: 0n } } });
});

test('an approval is refused with AllowanceChanged, Expired, BadFee or InsufficientFunds', async () => {
  const [owner, spender, poor] = [user(20), user(21), user(22)];
  await faucet(owner, 100n);
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc2_approve', [approveArg(spender, 50n)], owner)));
  assert.deepEqual(await update('icrc2_approve', [approveArg(spender, 70n, { expected_allowance: [40n] })], owner), { Err: { AllowanceChanged: { current_allowance: 50n } } });
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc2_approve', [approveArg(spender, 70n, { expected_allowance: [50n] })], owner)));
  const now = await app.ic.getTime();
  const expired = await update<Result<bigint, IcrcError>>('icrc2_approve', [approveArg(spender, 70n, { expires_at: [now - 1n] })], owner);
  assert.ok('Err' in expired && 'Expired' in expired.Err);
  assert.deepEqual(await update('icrc2_approve', [approveArg(spender, 70n, { fee: [1n] })], owner), { Err: { BadFee: { expected_fee: FEE } } });
  await faucet(poor, FEE - 1n);
  assert.deepEqual(await update('icrc2_approve', [approveArg(spender, 70n)], poor), { Err: { InsufficientFunds: { balance: FEE - 1n } } });
  assert.equal(await balance(owner), 100n - 2n * FEE);
});

test('an allowance ends at its expiry and the spender can no longer use it', async () => {
  const [owner, spender, receiver] = [user(30), user(31), user(32)];
  await faucet(owner, 500n);
  const expiry = (await app.ic.getTime()) + HOUR;
  assert.ok('Ok' in (await update<Result<bigint, IcrcError>>('icrc2_approve', [approveArg(spender, 300n, { expires_at: [expiry] })], owner)));
  assert.deepEqual(await query('icrc2_allowance', [{ account: account(owner), spender: account(spender) }]), { allowance: 300n, expires_at: [expiry] });
  await app.ic.advanceTime(2n * HOUR);
  assert.deepEqual(await query('icrc2_allowance', [{ account: account(owner), spender: account(spender) }]), { allowance: 0n, expires_at: [] });
  assert.deepEqual(await update('icrc2_transfer_from', [transferFromArg(owner, receiver, 10n)], spender), { Err: { InsufficientAllowance: { allowance: 0n } } });
});
