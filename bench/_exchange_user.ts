// One simulated user of the exchange over HTTP, in a worker thread of bench/apps_exchange.ts: its own
// Ed25519 identity and agent (so verifying certificates does not queue behind the other users' work),
// funded the way the page does it (mint, approve, deposit); on 'go' it swaps back and forth and reports.
import { parentPort, workerData } from 'node:worker_threads';
import { Actor, type ActorSubclass, HttpAgent } from '@icp-sdk/core/agent';
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import { Principal } from '@icp-sdk/core/principal';
import { exchangeMethods, idlFactory, ledgerMethods } from '../apps/exchange/frontend/src/candid.ts';

export interface UserJob {
  url: string;
  tokenA: string;
  tokenB: string;
  exchange: string;
  funds: bigint;
  swaps: number;
}

type Service = ActorSubclass<Record<string, (...args: unknown[]) => Promise<unknown>>>;
const FAR_DEADLINE = 2n ** 63n;

async function run(job: UserJob): Promise<void> {
  const agent = await HttpAgent.create({ host: job.url, identity: Ed25519KeyIdentity.generate(), shouldFetchRootKey: true });
  const me = await agent.getPrincipal();
  const service = (id: string, methods: typeof ledgerMethods | typeof exchangeMethods) => Actor.createActor(idlFactory(methods), { agent, canisterId: id }) as Service;
  const exchange = service(job.exchange, exchangeMethods);
  const exchangeId = Principal.fromText(job.exchange);
  for (const token of [job.tokenA, job.tokenB]) {
    const ledger = service(token, ledgerMethods);
    await ledger.mint({ to: { owner: me, subaccount: [] }, amount: job.funds + 100n });
    const approval = { from_subaccount: [], spender: { owner: exchangeId, subaccount: [] }, amount: job.funds + 50n, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
    await ledger.icrc2_approve(approval);
    await exchange.deposit(Principal.fromText(token), job.funds);
  }
  parentPort!.postMessage('funded');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  for (let i = 0; i < job.swaps; i++) {
    const outcome = (await exchange.swap(Principal.fromText(i % 2 === 0 ? job.tokenA : job.tokenB), 100n, 0n, FAR_DEADLINE)) as object;
    if (!('Ok' in outcome)) throw new Error(`swap failed: ${JSON.stringify(outcome, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  }
  parentPort!.postMessage('done');
}

if (parentPort) await run(workerData as UserJob);
