// The exchange canister between two of our ledgers: deposits by ICRC-2 transfer_from, constant-product swaps
// with slippage and deadline, liquidity shares, withdrawals, and no double spend across awaits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDL } from '@icp-sdk/core/candid';
import type { Principal } from '@icp-sdk/core/principal';
import type { Accounting, Holding, Pool, Result } from '../../apps/exchange/frontend/src/candid.ts';
import { account, exchangeApp, type ExchangeApp, exchangeWasms, user } from './_exchange.ts';

const FEE = 10n;
let app: ExchangeApp;

before(async () => {
  app = await exchangeApp({ fee: FEE, faucetLimit: 1_000_000n });
});
after(() => app.ic.close());

type Outcome = Result<bigint, Record<string, unknown>>;
const ledgerBalance = (token: Principal, owner: Principal) => app.query<bigint>(token, 'icrc1_balance_of', [account(owner)]);
const holding = (owner: Principal) => app.query<Holding>(app.exchange, 'balances', [owner]);
const pool = () => app.query<Pool>(app.exchange, 'pool', []);
const farFuture = () => app.ic.getTime().then((t) => t + 60_000_000_000n);

function approveArg(spender: Principal, amount: bigint) {
  return { from_subaccount: [], spender: account(spender), amount, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
}

/** Mints `amount` of both tokens to `owner`, approves the exchange and deposits all of it but the fees. */
async function funded(owner: Principal, amount: bigint): Promise<void> {
  for (const token of [app.tokenA, app.tokenB]) {
    assert.ok('Ok' in (await app.update<Outcome>(token, 'mint', [{ to: account(owner), amount: amount + 2n * FEE }])));
    assert.ok('Ok' in (await app.update<Outcome>(token, 'icrc2_approve', [approveArg(app.exchange, amount + FEE)], owner)));
    assert.deepEqual(await app.update(app.exchange, 'deposit', [token, amount], owner), { Ok: amount });
  }
}

/** The exchange's ledger accounts hold exactly its users' balances and the pool's reserves. */
async function assertCovered(): Promise<void> {
  const books = await app.query<Accounting>(app.exchange, 'accounting', []);
  assert.equal(await ledgerBalance(app.tokenA, app.exchange), books.internal_a + books.reserve_a + books.withdrawing_a);
  assert.equal(await ledgerBalance(app.tokenB, app.exchange), books.internal_b + books.reserve_b + books.withdrawing_b);
}

test('a deposit needs an ICRC-2 approval and credits the internal balance with the amount', async () => {
  const alice = user(1);
  assert.ok('Ok' in (await app.update<Outcome>(app.tokenA, 'mint', [{ to: account(alice), amount: 1_000n }])));
  assert.deepEqual(await app.update(app.exchange, 'deposit', [app.tokenA, 100n], alice), { Err: { TransferFromFailed: { InsufficientAllowance: { allowance: 0n } } } });
  assert.deepEqual(await app.update(app.exchange, 'deposit', [app.tokenA, 100n]), { Err: { AnonymousCaller: null } });
  assert.deepEqual(await app.update(app.exchange, 'deposit', [user(50), 100n], alice), { Err: { UnknownToken: null } });
  assert.ok('Ok' in (await app.update<Outcome>(app.tokenA, 'icrc2_approve', [approveArg(app.exchange, 500n)], alice)));
  assert.deepEqual(await app.update(app.exchange, 'deposit', [app.tokenA, 300n], alice), { Ok: 300n });
  assert.deepEqual(await holding(alice), { a: 300n, b: 0n, shares: 0n });
  assert.equal(await ledgerBalance(app.tokenA, alice), 1_000n - FEE - 300n - FEE);
  await assertCovered();
});

test('the first provider sets the price and a swap pays the constant-product amount after the 0.3% fee', async () => {
  const [provider, trader] = [user(2), user(3)];
  await funded(provider, 100_000n);
  await funded(trader, 10_000n);
  assert.deepEqual(await app.update(app.exchange, 'add_liquidity', [10_000n, 40_000n, 0n], provider), { Ok: 20_000n });
  const expected = (1_000n * 9_970n * 40_000n) / (10_000n * 10_000n + 1_000n * 9_970n);
  assert.equal(await app.query(app.exchange, 'quote', [app.tokenA, 1_000n]), expected);
  assert.deepEqual(await app.update(app.exchange, 'swap', [app.tokenA, 1_000n, expected + 1n, await farFuture()], trader), { Err: { Slippage: { amount_out: expected } } });
  const past = (await app.ic.getTime()) - 1n;
  const expired = await app.update<Outcome>(app.exchange, 'swap', [app.tokenA, 1_000n, 0n, past], trader);
  assert.ok('Err' in expired && 'Expired' in expired.Err);
  assert.deepEqual(await app.update(app.exchange, 'swap', [app.tokenA, 1_000n, expected, await farFuture()], trader), { Ok: expected });
  assert.deepEqual(await holding(trader), { a: 9_000n, b: 10_000n + expected, shares: 0n });
  const after = await pool();
  assert.equal(after.reserve_a, 11_000n);
  assert.equal(after.reserve_b, 40_000n - expected);
  assert.ok(after.reserve_a * after.reserve_b >= 10_000n * 40_000n, 'the fee grows the product of the reserves');
  await assertCovered();
});

test('liquidity is added in the pool ratio, rounded for the pool, and removed for its share of both reserves', async () => {
  const lp = user(4);
  await funded(lp, 50_000n);
  const before = await pool();
  const added = await app.update<Outcome>(app.exchange, 'add_liquidity', [5_000n, 50_000n, 0n], lp);
  assert.ok('Ok' in added);
  const shares = added.Ok;
  assert.equal(shares, (5_000n * before.total_shares) / before.reserve_a);
  const mid = await pool();
  const paidA = mid.reserve_a - before.reserve_a;
  const paidB = mid.reserve_b - before.reserve_b;
  assert.ok(paidA <= 5_000n && paidB < 50_000n, 'only the proportional amounts are taken');
  assert.deepEqual(await holding(lp), { a: 50_000n - paidA, b: 50_000n - paidB, shares });
  assert.deepEqual(await app.update(app.exchange, 'remove_liquidity', [shares + 1n, 0n, 0n], lp), { Err: { InsufficientShares: { shares } } });
  const removed = await app.update<Result<{ amount_a: bigint; amount_b: bigint }, unknown>>(app.exchange, 'remove_liquidity', [shares, 0n, 0n], lp);
  assert.ok('Ok' in removed);
  assert.ok(removed.Ok.amount_a <= paidA && removed.Ok.amount_b <= paidB, 'a round trip never takes out more than it put in');
  assert.equal((await holding(lp)).shares, 0n);
  await assertCovered();
});

test('two withdrawals of the same balance submitted in one round pay out once', async () => {
  const mallory = user(5);
  await funded(mallory, 1_000n);
  const before = await ledgerBalance(app.tokenA, mallory);
  const withdraw = { canister: app.exchange, methods: app.methodsOf(app.exchange), method: 'withdraw', args: [app.tokenA, 1_000n], sender: mallory };
  const results = await app.batch<Outcome>([withdraw, withdraw, withdraw]);
  assert.equal(results.filter((r) => 'Ok' in r).length, 1, JSON.stringify(results, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  for (const r of results.filter((r) => 'Err' in r)) assert.deepEqual(r, { Err: { InsufficientBalance: { balance: 0n } } });
  assert.equal(await ledgerBalance(app.tokenA, mallory), before + 1_000n - FEE);
  assert.equal((await holding(mallory)).a, 0n);
  await assertCovered();
});

test('a deposit and a withdrawal interleaved in one round each count once', async () => {
  const trent = user(6);
  await funded(trent, 500n);
  assert.ok('Ok' in (await app.update<Outcome>(app.tokenA, 'mint', [{ to: account(trent), amount: 400n }])));
  assert.ok('Ok' in (await app.update<Outcome>(app.tokenA, 'icrc2_approve', [approveArg(app.exchange, 400n)], trent)));
  const methods = app.methodsOf(app.exchange);
  const results = await app.batch<Outcome>([
    { canister: app.exchange, methods, method: 'withdraw', args: [app.tokenA, 500n], sender: trent },
    { canister: app.exchange, methods, method: 'deposit', args: [app.tokenA, 300n], sender: trent },
    { canister: app.exchange, methods, method: 'withdraw', args: [app.tokenA, 300n], sender: trent },
  ]);
  // The first withdrawal is debited before its await; the second sees only what the deposit has credited by then.
  assert.ok('Ok' in results[0]! && 'Ok' in results[1]!);
  const second = results[2]!;
  const left = (await holding(trent)).a;
  assert.equal(left, 'Ok' in second ? 0n : 300n);
  await assertCovered();
});

test('a withdrawal the ledger rejects is credited back', async () => {
  const victor = user(7);
  await funded(victor, 1_000n);
  assert.ok('Ok' in (await app.update<Outcome>(app.exchange, 'withdraw', [app.tokenB, 100n], victor)));
  const canister = IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: app.tokenB }]);
  await app.ic.callManagement('stop_canister', new Uint8Array(canister));
  const failed = await app.update<Outcome>(app.exchange, 'withdraw', [app.tokenB, 500n], victor);
  assert.ok('Err' in failed && 'LedgerUnavailable' in failed.Err, JSON.stringify(failed));
  assert.equal((await holding(victor)).b, 900n);
  await app.ic.callManagement('start_canister', new Uint8Array(canister));
  assert.deepEqual(await app.update(app.exchange, 'withdraw', [app.tokenB, 5n], victor), { Err: { AmountBelowFee: { fee: FEE } } });
  assert.deepEqual(await app.update(app.exchange, 'withdraw', [app.tokenB, 901n], victor), { Err: { InsufficientBalance: { balance: 900n } } });
  await assertCovered();
});

test('an upgrade of the ledgers and the exchange keeps every balance, the pool and the shares', async () => {
  // A fresh application whose ledgers gave the exchange initial reserves: an upgrade must not credit them again.
  await app.ic.close();
  app = await exchangeApp({ fee: FEE, faucetLimit: 1_000_000n, initialReserves: [1_000n, 2_000n] });
  const [wendy, pool0] = [user(8), await pool()];
  await funded(wendy, 2_000n);
  const before = { holding: await holding(wendy), ledger: await ledgerBalance(app.tokenA, app.exchange), supply: await app.query(app.tokenB, 'icrc1_total_supply', []) };
  const wasms = await exchangeWasms();
  await app.ic.installCode({ canisterId: app.tokenA, wasm: wasms.ledger, arg: app.installArgs.tokenA, mode: 'upgrade' });
  await app.ic.installCode({ canisterId: app.tokenB, wasm: wasms.ledger, arg: app.installArgs.tokenB, mode: 'upgrade' });
  await app.ic.installCode({ canisterId: app.exchange, wasm: wasms.exchange, arg: app.installArgs.exchange, mode: 'upgrade' });
  assert.deepEqual(await holding(wendy), before.holding);
  assert.equal(await ledgerBalance(app.tokenA, app.exchange), before.ledger);
  assert.equal(await app.query(app.tokenB, 'icrc1_total_supply', []), before.supply);
  assert.deepEqual(await pool(), pool0);
  assert.ok('Ok' in (await app.update<Outcome>(app.exchange, 'withdraw', [app.tokenA, 1_000n], wendy)));
  await assertCovered();
});
