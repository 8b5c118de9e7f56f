// 1,000 random operations on the exchange application (seeded, so a failure replays): mints, transfers,
// approvals, deposits, swaps, liquidity and withdrawals by several users, a few submitted together in one
// round. After every batch no token was created or destroyed: per ledger, the balances sum to the total
// supply, which is what was minted less the fees burnt; the exchange's ledger account holds exactly its
// users' balances plus the pool's reserves; and the pool's shares are all owned.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Principal } from '@icp-sdk/core/principal';
import type { Accounting, Holding, Pool, Result } from '../../apps/exchange/frontend/src/candid.ts';
import { account, type Call, exchangeApp, type ExchangeApp, user } from './_exchange.ts';

const FEE = 10n;
const OPERATIONS = 1_000;
const INITIAL: [bigint, bigint] = [100_000n, 200_000n];
const users = [1, 2, 3, 4, 5].map(user);
let app: ExchangeApp;

before(async () => {
  app = await exchangeApp({ fee: FEE, faucetLimit: 50_000n, initialReserves: INITIAL });
});
after(() => app.ic.close());

/** mulberry32: a small seeded generator, enough to pick operations reproducibly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What the test knows after the last batch: balances on the ledgers and in the exchange. */
interface Snapshot {
  ledger: Map<string, [bigint, bigint]>;
  holdings: Map<string, Holding>;
  pool: Pool;
}

/** Tokens minted and fees burnt per ledger, from the replies. */
const minted = [INITIAL[0], INITIAL[1]];
const burnt = [0n, 0n];
const succeeded = new Map<string, number>();

type Outcome = Result<unknown, unknown>;
type Planned = { call: Call; kind: string; token: 0 | 1; amount: bigint; burnsFee: boolean };

function plan(next: () => number, snapshot: Snapshot, now: bigint): Planned {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const who = pick(users);
  const token = pick([0, 1] as const);
  const ledgerId = token === 0 ? app.tokenA : app.tokenB;
  const onLedger = snapshot.ledger.get(who.toText())![token];
  const holding = snapshot.holdings.get(who.toText())!;
  const inExchange = token === 0 ? holding.a : holding.b;
  // Mostly a part of what the user has, sometimes more than that, so that refusals are exercised too.
  const part = (of: bigint) => (next() < 0.1 ? of + 1n + BigInt(Math.floor(next() * 100)) : (of * BigInt(Math.floor(next() * 1_000))) / 1_000n);
  const ex = (method: string, args: unknown[]): Call => ({ canister: app.exchange, methods: app.methodsOf(app.exchange), method, args, sender: who });
  const led = (method: string, args: unknown[]): Call => ({ canister: ledgerId, methods: app.methodsOf(ledgerId), method, args, sender: who });
  const kind = pick(['mint', 'transfer', 'approve', 'deposit', 'deposit', 'swap', 'swap', 'swap', 'add', 'remove', 'withdraw']);
  const planned = (call: Call, amount: bigint, burnsFee: boolean): Planned => ({ call, kind, token, amount, burnsFee });
  switch (kind) {
    case 'mint': {
      const amount = BigInt(1 + Math.floor(next() * 50_000));
      return planned(led('mint', [{ to: account(who), amount }]), amount, false);
    }
    case 'transfer': {
      const args = { from_subaccount: [], to: account(pick(users)), amount: part(onLedger), fee: [], memo: [], created_at_time: [] };
      return planned(led('icrc1_transfer', [args]), 0n, true);
    }
    case 'approve': {
      const amount = part(onLedger) + FEE;
      const args = { from_subaccount: [], spender: account(app.exchange), amount, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
      return planned(led('icrc2_approve', [args]), 0n, true);
    }
    case 'deposit':
      return planned(ex('deposit', [ledgerId, part(onLedger > FEE ? onLedger - FEE : 0n)]), 0n, true);
    case 'swap': {
      const deadline = next() < 0.1 ? now - 1n : now + 3_600_000_000_000n;
      const minOut = next() < 0.7 ? 0n : BigInt(Math.floor(next() * 5_000));
      return planned(ex('swap', [ledgerId, part(inExchange), minOut, deadline]), 0n, false);
    }
    case 'add':
      return planned(ex('add_liquidity', [part(holding.a), part(holding.b), 0n]), 0n, false);
    case 'remove':
      return planned(ex('remove_liquidity', [part(holding.shares), 0n, 0n]), 0n, false);
    default:
      return planned(ex('withdraw', [ledgerId, part(inExchange)]), 0n, true);
  }
}

function record(op: Planned, outcome: Outcome): void {
  if (!('Ok' in outcome)) return;
  succeeded.set(op.kind, (succeeded.get(op.kind) ?? 0) + 1);
  if (op.kind === 'mint') minted[op.token]! += op.amount;
  if (op.burnsFee) burnt[op.token]! += FEE;
}

/** Reads every balance and checks the accounting; returns what it read for planning the next batch. */
async function checkInvariants(step: number): Promise<Snapshot> {
  const q = <T>(canister: Principal, method: string, args: unknown[] = []) => app.query<T>(canister, method, args);
  const owners = [...users, app.exchange];
  const ledger = new Map<string, [bigint, bigint]>();
  for (const owner of owners) ledger.set(owner.toText(), [await q<bigint>(app.tokenA, 'icrc1_balance_of', [account(owner)]), await q<bigint>(app.tokenB, 'icrc1_balance_of', [account(owner)])]);
  const holdings = new Map<string, Holding>();
  for (const u of users) holdings.set(u.toText(), await q<Holding>(app.exchange, 'balances', [u]));
  const pool = await q<Pool>(app.exchange, 'pool');
  const books = await q<Accounting>(app.exchange, 'accounting');
  const where = `after step ${step}`;
  for (const [index, token] of [app.tokenA, app.tokenB].entries()) {
    const supply = await q<bigint>(token, 'icrc1_total_supply');
    const sum = [...ledger.values()].reduce((total, balances) => total + balances[index]!, 0n);
    assert.equal(supply, minted[index]! - burnt[index]!, `${where}: token ${index} supply = minted - burnt fees`);
    assert.equal(sum, supply, `${where}: token ${index} balances sum to the supply`);
  }
  const internalA = [...holdings.values()].reduce((total, h) => total + h.a, 0n);
  const internalB = [...holdings.values()].reduce((total, h) => total + h.b, 0n);
  assert.deepEqual([books.internal_a, books.internal_b], [internalA, internalB], `${where}: the exchange's running totals`);
  assert.deepEqual([books.withdrawing_a, books.withdrawing_b], [0n, 0n], `${where}: no withdrawal under way`);
  const held = ledger.get(app.exchange.toText())!;
  assert.equal(held[0], internalA + pool.reserve_a, `${where}: the exchange holds its users' token A and the reserve`);
  assert.equal(held[1], internalB + pool.reserve_b, `${where}: the exchange holds its users' token B and the reserve`);
  const locked = sqrt(INITIAL[0] * INITIAL[1]);
  const shares = [...holdings.values()].reduce((total, h) => total + h.shares, 0n);
  assert.equal(pool.total_shares, shares + locked, `${where}: every share is owned`);
  assert.ok(pool.reserve_a > 0n && pool.reserve_b > 0n, `${where}: the pool keeps a price`);
  return { ledger, holdings, pool };
}

function sqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

test('1,000 random operations, some concurrent in one round, neither create nor destroy tokens', async () => {
  const next = random(13);
  let snapshot = await checkInvariants(0);
  let done = 0;
  let product = snapshot.pool.reserve_a * snapshot.pool.reserve_b;
  while (done < OPERATIONS) {
    const now = await app.ic.getTime();
    const size = Math.min(OPERATIONS - done, 1 + Math.floor(next() * 6));
    const batch = Array.from({ length: size }, () => plan(next, snapshot, now));
    const outcomes = await app.batch<Outcome>(batch.map((op) => op.call));
    for (const [i, op] of batch.entries()) record(op, outcomes[i]!);
    done += size;
    snapshot = await checkInvariants(done);
    const swapped = batch.some((op, i) => op.kind === 'swap' && 'Ok' in outcomes[i]!);
    const liquidity = batch.some((op, i) => (op.kind === 'add' || op.kind === 'remove') && 'Ok' in outcomes[i]!);
    const nextProduct = snapshot.pool.reserve_a * snapshot.pool.reserve_b;
    if (swapped && !liquidity) assert.ok(nextProduct >= product, `after step ${done}: swaps never shrink the product of the reserves`);
    product = nextProduct;
  }
  for (const kind of ['mint', 'transfer', 'approve', 'deposit', 'swap', 'add', 'remove', 'withdraw']) {
    assert.ok((succeeded.get(kind) ?? 0) >= 10, `${kind} succeeded ${succeeded.get(kind) ?? 0} times`);
  }
});
