// The token exchange application, printed as JSON:
//
//   node bench/apps_exchange.ts [--swaps N] [--users U]
//
// Swaps per second in-process (the Capsule library; all of a batch's swaps submitted before its rounds, and
// one at a time), and over HTTP: U users against a real `capsule start` child process, each an agent with its
// own Ed25519 identity in a worker thread (signed v4 calls, certificates verified), swapping at once. Page
// load time through the gateway of `capsule start --apps exchange` in headless Chromium: cold (a fresh
// browser context) and warm (a reload), until the load event and until the page shows what it fetched.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { Principal } from '@icp-sdk/core/principal';
import { exchangeInitArg, exchangeMethods, ledgerInitArg } from '../apps/exchange/frontend/src/candid.ts';
import { type ManagementService, managementIdl } from '../src/cli/assets_interface.ts';
import { chromium, type Page } from 'playwright-core';
import type { UserJob } from './_exchange_user.ts';
import { account, type Call, exchangeApp, exchangeWasms, startWithExchange, user } from '../test/apps/_exchange.ts';
import { chromiumPath } from '../test/examples/_browser.ts';
import { startServer } from '../test/http/_server.ts';

const { values } = parseArgs({ options: { swaps: { type: 'string' }, users: { type: 'string' } } });
const SWAPS = Number(values.swaps ?? 400);
const USERS = Number(values.users ?? 10);
const FUNDS = 1_000_000n;
const FAR_DEADLINE = 2n ** 63n;

function approveArg(spender: Principal, amount: bigint) {
  return { from_subaccount: [], spender: account(spender), amount, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
}

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

/** Swaps through the library: in batches of all users at once, then one call at a time. */
async function inProcess(): Promise<Record<string, number>> {
  const app = await exchangeApp({ faucetLimit: FUNDS * 2n, initialReserves: [10n * FUNDS, 10n * FUNDS] });
  const users = Array.from({ length: USERS }, (_, i) => user(i));
  const calls = (make: (who: Principal, i: number) => Call) => users.map(make);
  for (const token of [app.tokenA, app.tokenB]) {
    const ledger = app.methodsOf(token);
    await app.batch(calls((who) => ({ canister: token, methods: ledger, method: 'mint', args: [{ to: account(who), amount: FUNDS + 100n }] })));
    await app.batch(calls((who) => ({ canister: token, methods: ledger, method: 'icrc2_approve', args: [approveArg(app.exchange, FUNDS + 50n)], sender: who })));
    await app.batch(calls((who) => ({ canister: app.exchange, methods: exchangeMethods, method: 'deposit', args: [token, FUNDS], sender: who })));
  }
  const swap = (who: Principal, i: number): Call => ({
    canister: app.exchange,
    methods: exchangeMethods,
    method: 'swap',
    args: [i % 2 === 0 ? app.tokenA : app.tokenB, 100n, 0n, FAR_DEADLINE],
    sender: who,
  });
  let started = performance.now();
  for (let done = 0; done < SWAPS; done += USERS) await app.batch(calls((who, i) => swap(who, done + i)));
  const batched = performance.now() - started;
  const single = Math.min(SWAPS, 200);
  started = performance.now();
  for (let i = 0; i < single; i++) await app.batch([swap(users[i % USERS]!, i)]);
  const sequential = performance.now() - started;
  await app.ic.close();
  return { swapsPerSecondBatched: perSecond(SWAPS, batched), swapsPerSecondOneAtATime: perSecond(single, sequential) };
}

/** Creates and installs the application's three canisters over HTTP, as a deployer would. */
async function deployOverHttp(url: string): Promise<{ tokenA: Principal; tokenB: Principal; exchange: Principal }> {
  const agent = await HttpAgent.create({ host: url, shouldFetchRootKey: true });
  const management = (effectiveCanisterId: Principal) =>
    Actor.createActor<ManagementService>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId });
  const range = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
  const create = async () => (await management(range).provisional_create_canister_with_cycles({ amount: [], settings: [], specified_id: [] })).canister_id;
  const [tokenA, tokenB, exchange] = [await create(), await create(), await create()];
  const wasms = await exchangeWasms();
  const install = (canister_id: Principal, wasm: Uint8Array, arg: Uint8Array) => management(canister_id).install_code({ mode: { install: null }, canister_id, wasm_module: wasm, arg });
  for (const [token, symbol] of [
    [tokenA, 'A'],
    [tokenB, 'B'],
  ] as const) {
    const init = { name: `Bench ${symbol}`, symbol, decimals: 8, fee: 10n, minting_account: account(token), initial_balances: [[account(exchange), 10n * FUNDS]] as [ReturnType<typeof account>, bigint][], faucet_limit: FUNDS * 2n };
    await install(token, wasms.ledger, ledgerInitArg(init));
  }
  await install(exchange, wasms.exchange, exchangeInitArg({ token_a: tokenA, token_b: tokenB, fee_basis_points: 30n, initial_reserve_a: 10n * FUNDS, initial_reserve_b: 10n * FUNDS }));
  return { tokenA, tokenB, exchange };
}

/** U users, each an agent in a worker thread funded the page's way (mint, approve, deposit), swapping at once. */
async function overHttp(): Promise<Record<string, number>> {
  const server = await startServer();
  const workers: Worker[] = [];
  try {
    const ids = await deployOverHttp(server.url);
    const perUser = Math.ceil(SWAPS / USERS / 4);
    const job: UserJob = { url: server.url, tokenA: ids.tokenA.toText(), tokenB: ids.tokenB.toText(), exchange: ids.exchange.toText(), funds: FUNDS, swaps: perUser };
    const script = fileURLToPath(new URL('./_exchange_user.ts', import.meta.url));
    const finished: Promise<unknown>[] = [];
    const funded: Promise<unknown>[] = [];
    for (let i = 0; i < USERS; i++) {
      const worker = new Worker(script, { workerData: job });
      workers.push(worker);
      const failed = new Promise((_, reject) => worker.once('error', reject));
      funded.push(Promise.race([once(worker, 'message'), failed]));
      finished.push(funded.at(-1)!.then(() => Promise.race([once(worker, 'message'), failed])));
    }
    await Promise.all(funded);
    const started = performance.now();
    for (const worker of workers) worker.postMessage('go');
    await Promise.all(finished);
    const elapsed = performance.now() - started;
    return { swapsPerSecond: perSecond(perUser * USERS, elapsed), swaps: perUser * USERS, users: USERS, millisecondsPerSwap: Math.round(elapsed / perUser) };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    await server.stop();
  }
}

/** Milliseconds until the load event and until the page is ready, for one navigation. */
async function timed(page: Page, navigate: () => Promise<unknown>): Promise<{ load: number; ready: number }> {
  const started = performance.now();
  await navigate();
  const load = performance.now() - started;
  await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
  return { load, ready: performance.now() - started };
}

const median = (values: number[]) => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);

async function pageLoad(): Promise<Record<string, number> | { skipped: string }> {
  const executablePath = chromiumPath();
  if (!executablePath) return { skipped: 'chromium is not installed' };
  const server = await startWithExchange();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const cold: { load: number; ready: number }[] = [];
    const warm: { load: number; ready: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      cold.push(await timed(page, () => page.goto(server.url, { waitUntil: 'load' })));
      for (let j = 0; j < 2; j++) warm.push(await timed(page, () => page.reload({ waitUntil: 'load' })));
      await context.close();
    }
    return {
      firstStartMilliseconds: Math.round(server.startMilliseconds),
      coldLoadMilliseconds: median(cold.map((t) => t.load)),
      coldReadyMilliseconds: median(cold.map((t) => t.ready)),
      warmLoadMilliseconds: median(warm.map((t) => t.load)),
      warmReadyMilliseconds: median(warm.map((t) => t.ready)),
    };
  } finally {
    await browser.close();
    await server.server.stop();
  }
}

const result = { inProcess: await inProcess(), overHttp: await overHttp(), pageLoad: await pageLoad() };
console.log(JSON.stringify(result, null, 2));
