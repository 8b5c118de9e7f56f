// HTTP interface benchmark, printed as JSON:
//
//   node bench/http.ts [--count N] [--concurrency C] [--raw] [--raw-count N] [--only updates|queries] [--profile-out FILE]
//
// A real `capsule start --no-apps` child process on loopback (profiled with --cpu-prof; the applications it would
// deploy at start would share the measured seconds) and @icp-sdk/core 6
// with its default verification (BLS certificates, query node signatures) and an Ed25519 identity,
// calling a Motoko counter: sync update calls through v4 and through v3 (the same client with its
// v4 URL rewritten), and queries through v3. Reported: calls per second, latency median/p99 (ms) of
// sequential calls, throughput with C calls in flight, and from the server's CPU profiles, per thread
// (main, request verifiers, BLS signer), its busy time and the share of it spent in BLS signing,
// request-signature checks, query signing, state-tree building, rounds, queries and durable commits.
// The library client runs in this process and verifies every certificate (≈18 ms of BLS pairing
// each), which bounds library throughput. What the server itself sustains is measured without it:
// `updatesV4Raw` (N pre-signed v4 calls) and `queriesRaw` (2N pre-signed queries) go through
// bench/_http_load.ts, a client as cheap as possible with 2C in flight, which also reports the
// server's CPU time per call, its own share of the CPU both spent, and (updates) calls per round.
// `--raw` measures only those two (with a profile covering only them), `--only` one of them.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Actor, HttpAgent, type ActorMethod, type Identity } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import { Principal } from '@icp-sdk/core/principal';
import { canisterSource, motoko } from '../test/support/build.ts';
import { domainSeparators, encodeCbor, type HashableValue, requestIdOf, selfAuthenticatingId } from '../src/certification/index.ts';
import { callContent, EMPTY_ARG } from '../test/http/_envelopes.ts';
import { encodePost, load } from './_http_load.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

interface Counter {
  inc: ActorMethod<[], bigint>;
  get: ActorMethod<[], bigint>;
}
const counterIdl: IDL.InterfaceFactory = ({ IDL }) => IDL.Service({ inc: IDL.Func([], [IDL.Nat], []), get: IDL.Func([], [IDL.Nat], ['query']) });
const managementIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func([IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})) })], [IDL.Record({ canister_id: IDL.Principal })], []),
    install_code: IDL.Func([IDL.Record({ mode: IDL.Variant({ install: IDL.Null }), canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) })], [], []),
  });

async function startProfiledServer(dir: string) {
  const portFile = join(dir, 'port');
  const args = ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`, join(repoRoot, 'src/cli/main.ts'), 'start', '--port', '0', '--port-file', portFile, '--state-dir', join(dir, 'state'), '--no-apps'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 1000; i++) {
    try {
      const port = Number(readFileSync(portFile, 'utf8'));
      if (port > 0) return { child, pid: child.pid!, port, url: `http://127.0.0.1:${port}` };
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error('the server did not start');
}

type Server = Awaited<ReturnType<typeof startProfiledServer>>;

async function deploy(agent: HttpAgent): Promise<Principal> {
  const { wasm } = await motoko(canisterSource('general.mo'), { persistence: 'enhanced' });
  const management = (ecid: Principal) => Actor.createActor(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: ecid });
  const created = (await management(Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai')).provisional_create_canister_with_cycles({ amount: [10n ** 15n], settings: [] })) as { canister_id: Principal };
  await management(created.canister_id).install_code({ mode: { install: null }, canister_id: created.canister_id, wasm_module: wasm, arg: IDL.encode([], []) });
  return created.canister_id;
}

/** A fetch that sends v4 calls to the v3 endpoint (same envelope, same answer format). */
const v3Fetch: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace('/api/v4/canister/', '/api/v3/canister/'), init);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function measure(count: number, concurrency: number, once: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await once();
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await once();
    latencies.push(performance.now() - t);
  }
  const sequentialSeconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  let next = 0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) await once();
  }));
  const concurrentSeconds = (performance.now() - t1) / 1000;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    calls: count,
    sequentialPerSecond: Math.round(count / sequentialSeconds),
    medianMs: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    concurrency,
    concurrentPerSecond: Math.round(count / concurrentSeconds),
  };
}

/** An Ed25519 identity signing with node's native implementation (the client must stay cheap). */
class NativeKey {
  readonly #privateKey: KeyObject;
  readonly der: Uint8Array;
  readonly principal: Uint8Array;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    this.der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    this.principal = selfAuthenticatingId(this.der);
  }
  /** The envelope of `content`, signed. */
  envelope(content: Record<string, HashableValue>): Uint8Array {
    const message = new Uint8Array([...domainSeparators.IC_REQUEST, ...requestIdOf(content)]);
    return encodeCbor({ content, sender_pubkey: this.der, sender_sig: new Uint8Array(sign(null, message, this.#privateKey)) }, { selfDescribe: true });
  }
}

/** `count` pre-signed envelopes of one kind, each a whole HTTP request, posted with `concurrency` in flight. */
async function rawLoad(server: Server, canisterId: Principal, kind: 'call' | 'query', count: number, concurrency: number) {
  const key = new NativeKey();
  const [method, path] = kind === 'call' ? ['inc', `/api/v4/canister/${canisterId.toText()}/call`] : ['get', `/api/v3/canister/${canisterId.toText()}/query`];
  const requests = Array.from({ length: count }, () => encodePost('127.0.0.1', path, key.envelope(callContent(kind, canisterId.toUint8Array(), method, EMPTY_ARG, key.principal))));
  const roundBefore = await serverRound(server);
  const result = await load(server.port, server.pid, requests, concurrency);
  if (kind === 'query') return result;
  return { ...result, callsPerRound: Math.round((10 * count) / Number((await serverRound(server)) - roundBefore)) / 10 };
}

/** The server's latest round, from its dashboard. */
async function serverRound(server: Server): Promise<bigint> {
  const overview = (await (await fetch(`${server.url}/_/dashboard/api/overview`)).json()) as { round: string };
  return BigInt(overview.round);
}

/** The server's CPU profiles, one per thread, the main thread's first (node names them `CPU.<date>.<time>.<pid>.<thread>.<n>`). */
function profileFiles(dir: string): string[] {
  const thread = (file: string) => Number(file.split('.').at(-3));
  const files = readdirSync(join(dir, 'prof')).filter((f) => f.endsWith('.cpuprofile'));
  return files.sort((a, b) => thread(a) - thread(b)).map((f) => join(dir, 'prof', f));
}

const CATEGORIES = new Map([
  ['blsSignStateRoot', 'blsSigning'],
  ['verifyRequestAuth', 'requestSignatureChecks'],
  ['signQueryResponse', 'querySigning'],
  ['build', 'stateTree'],
  ['executeRound', 'rounds'],
  ['executeQuery', 'queries'],
  ['commitRound', 'durableCommits'],
]);

/**
 * Per thread of the server (main, then its workers: request verifiers, the BLS signer): its busy CPU time (ms) and the
 * share of it under each named function (inclusive, outermost match wins).
 */
function profileShares(dir: string): Record<string, number | string>[] {
  return profileFiles(dir).map((file, thread) => {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string }; hitCount?: number; children?: number[] }[];
      startTime: number;
      endTime: number;
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const totals: Record<string, number> = {};
    let busy = 0;
    let samples = 0;
    const walk = (id: number, category: string | undefined): void => {
      const node = byId.get(id)!;
      const name = node.callFrame.functionName;
      const here = category ?? CATEGORIES.get(name);
      samples += node.hitCount ?? 0;
      if (name !== '(idle)' && name !== '(garbage collector)') {
        busy += node.hitCount ?? 0;
        if (here) totals[here] = (totals[here] ?? 0) + (node.hitCount ?? 0);
      }
      for (const child of node.children ?? []) walk(child, here);
    };
    walk(profile.nodes[0]!.id, undefined);
    const busyMs = Math.round(((profile.endTime - profile.startTime) / 1000) * (busy / Math.max(1, samples)));
    const shares = Object.entries(totals).filter(([, v]) => v / busy >= 0.005);
    return { thread: thread === 0 ? 'main' : `worker ${thread}`, busyMs, ...Object.fromEntries(shares.map(([k, v]) => [k, Math.round((1000 * v) / busy) / 1000])) };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string' }, concurrency: { type: 'string' }, raw: { type: 'boolean' }, 'raw-count': { type: 'string' }, only: { type: 'string' }, 'profile-out': { type: 'string' } } });
  const count = Number(values.count ?? 300);
  const rawCount = Number(values['raw-count'] ?? 5000);
  const concurrency = Number(values.concurrency ?? 16);
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-http-'));
  const server = await startProfiledServer(dir);
  const { child, url } = server;
  try {
    const identity: Identity = Ed25519KeyIdentity.generate();
    const agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true });
    const canisterId = await deploy(agent);
    const v4 = Actor.createActor<Counter>(counterIdl, { agent, canisterId });
    const v3Agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true, fetch: v3Fetch });
    const v3 = Actor.createActor<Counter>(counterIdl, { agent: v3Agent, canisterId });
    const library = values.raw ? {} : {
      updatesV4: await measure(count, concurrency, () => v4.inc()),
      updatesV3: await measure(count, concurrency, () => v3.inc()),
      queriesV3: await measure(count * 3, concurrency, () => v4.get()),
    };
    const results = {
      ...library,
      // Without a client library: pre-built signed envelopes, answers not verified (server-bound).
      ...(values.only === 'queries' ? {} : { updatesV4Raw: await rawLoad(server, canisterId, 'call', rawCount, concurrency * 2) }),
      ...(values.only === 'updates' ? {} : { queriesRaw: await rawLoad(server, canisterId, 'query', rawCount * 2, concurrency * 2) }),
    };
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const profileOut = values['profile-out'];
    if (profileOut) copyFileSync(profileFiles(dir)[0]!, profileOut);
    console.log(JSON.stringify({ node: process.version, client: '@icp-sdk/core 6', ...results, serverThreads: profileShares(dir) }, null, 2));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
