// The dashboard's JSON views and its event stream, served in process by the HTTP server with the
// dashboard as its front end, over a Capsule whose calls run rounds on the same replica.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { Dashboard } from '../../src/dashboard/index.ts';
import { roundEvents } from '../../src/dashboard/round_events.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';
import type { Replica } from '../../src/replica/index.ts';
import { Principal } from '../../src/state/index.ts';
import { wat } from '../support/build.ts';
import { CANISTER, MARKUP_LINE, readEvents } from './_dashboard.ts';

const EVENT_INTERVAL_MS = 300;
const controller = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
let capsule: Capsule;
let replica: Replica;
let server: HttpServerHandle;
let wasm: Uint8Array;
let first: Principal;
let second: Principal;

before(async () => {
  capsule = await Capsule.create();
  replica = replicaOf(capsule);
  server = await startHttpServer({
    replica,
    port: 0,
    idleRoundMs: 20,
    log: () => {},
    debug: () => {},
    frontEnd: (context) => new Dashboard({ replica: context.replica, eventIntervalMs: EVENT_INTERVAL_MS }),
  });
  wasm = await wat(CANISTER);
  first = await capsule.createCanister({ cycles: 5_000_000_000_000n, controllers: [controller] });
  second = await capsule.createCanister({ controllers: [controller] });
  await capsule.installCode({ canisterId: first, wasm, sender: controller });
  await capsule.installCode({ canisterId: second, wasm, sender: controller });
});

after(async () => {
  await server.close();
  await capsule.close();
});

const call = (canisterId: Principal, method: string, arg = new Uint8Array()) => capsule.updateCall({ canisterId, method, arg, sender: controller });

interface CallJson {
  kind: string;
  caller: string;
  callee: string;
  method: string;
  outcome?: { kind: string; bytes?: number; code?: number; message?: string; backtrace?: string[] };
}
interface OverviewJson {
  subnet: string;
  canisters: { id: string; status: string; moduleHash?: string; cycles: string; memoryBytes: string; controllers: string[] }[];
  calls: CallJson[];
  graph: { nodes: { id: string; kind: string }[]; edges: { from: string; to: string }[] };
  rounds: { executionMs: number; commitMs: number }[];
}
interface LogsJson {
  logs: { text: string }[];
  traps: CallJson[];
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}/_/dashboard${path}`);
  return { status: response.status, body: (response.ok ? await response.json() : undefined) as T };
}

test('the overview lists a created canister with its status, module hash, cycles, memory and controllers', async () => {
  const { status, body } = await getJson<OverviewJson>('/api/overview');
  assert.equal(status, 200);
  assert.equal(body.subnet, replica.state.config.subnetId.toText());
  const listed = body.canisters.find((canister) => canister.id === first.toText());
  assert.ok(listed, JSON.stringify(body.canisters));
  assert.equal(listed.status, 'running');
  assert.equal(listed.moduleHash, createHash('sha256').update(wasm).digest('hex'));
  assert.equal(BigInt(listed.cycles), await capsule.getCycleBalance(first));
  assert.ok(BigInt(listed.memoryBytes) >= 65_536n + BigInt(wasm.length), listed.memoryBytes);
  assert.deepEqual(listed.controllers, [controller.toText()]);
  assert.deepEqual(
    body.canisters.map((canister) => canister.id),
    [first, second].map((id) => id.toText()).sort((a, b) => (Principal.fromText(a).toHex() < Principal.fromText(b).toHex() ? -1 : 1)),
  );
});

test('a call between canisters is listed with its outcome among the recent messages and drawn as an edge of the call graph', async () => {
  await call(first, 'relay', new Uint8Array(second.toUint8Array()));
  const { body } = await getJson<OverviewJson>('/api/overview');
  const relayed = body.calls.find((entry) => entry.method === 'log' && entry.caller === first.toText());
  assert.ok(relayed, JSON.stringify(body.calls));
  assert.equal(relayed.kind, 'canister');
  assert.equal(relayed.callee, second.toText());
  assert.deepEqual(relayed.outcome, { kind: 'reply', bytes: 0 });
  const ingress = body.calls.find((entry) => entry.method === 'relay');
  assert.equal(ingress?.kind, 'ingress');
  assert.equal(ingress.caller, controller.toText());
  assert.equal(ingress.outcome?.kind, 'reply');
  const edge = body.graph.edges.find((found) => found.from === first.toText() && found.to === second.toText());
  assert.deepEqual(edge, { from: first.toText(), to: second.toText(), calls: 1, rejects: 0, methods: ['log'] });
  const kinds = Object.fromEntries(body.graph.nodes.map((node) => [node.id, node.kind]));
  assert.equal(kinds[first.toText()], 'canister');
  assert.equal(kinds[controller.toText()], 'user');
  assert.equal(kinds['aaaaa-aa'], 'management', 'the installs were calls to the management canister');
  const timing = body.rounds.at(-1)!;
  assert.ok(typeof timing.executionMs === 'number' && typeof timing.commitMs === 'number');
});

test('a canister log line is served as text as logged, and a trap with the backtrace of the wasm functions it went through', async () => {
  await call(second, 'log');
  await assert.rejects(call(second, 'boom'));
  const { status, body } = await getJson<LogsJson>(`/api/logs?canister=${second.toText()}`);
  assert.equal(status, 200);
  const lines = body.logs.map((line) => line.text);
  assert.ok(lines.includes(MARKUP_LINE), JSON.stringify(lines));
  assert.ok(lines.some((line) => line.startsWith('[TRAP]: ')), JSON.stringify(lines));
  const [trap] = body.traps;
  assert.equal(trap?.method, 'boom');
  assert.equal(trap.outcome?.code, 5);
  assert.deepEqual(trap.outcome.backtrace?.slice(0, 1), ['explode']);
  assert.equal((await getJson<LogsJson>('/api/logs?canister=aaaaa-aa')).status, 404);
  assert.equal((await getJson<LogsJson>('/api/logs?canister=not-a-principal')).status, 404);
});

test('the event stream sends an event after an update call and none while the replica runs idle rounds', async () => {
  const events = await readEvents(`${server.url}/_/dashboard/events`);
  try {
    const idleFrom = replica.state.round;
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_INTERVAL_MS));
    assert.ok(replica.state.round > idleFrom + 3n, `only ${replica.state.round - idleFrom} idle rounds ran`);
    assert.equal(events.events.length, 0, 'idle rounds send nothing');
    await call(first, 'log');
    await events.waitFor(1);
    const [event] = events.events;
    assert.ok(BigInt(event!.data.round) > idleFrom);
    assert.ok(event!.data.calls >= 1);
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_INTERVAL_MS));
    assert.equal(events.events.length, 1, 'and none after it while idle');
  } finally {
    events.close();
  }
});

test('a burst of active rounds sends at most one event per interval, the last for the newest round', async () => {
  // The stream as the server writes it: the times are the server's, not those of a client in this process.
  const written: { at: number; round: bigint }[] = [];
  const stop = roundEvents(replica, EVENT_INTERVAL_MS).open(
    (chunk) => written.push({ at: performance.now(), round: BigInt(/"round":"(\d+)"/.exec(new TextDecoder().decode(chunk))![1]!) }),
    () => {},
  );
  try {
    for (let i = 0; i < 6; i++) await call(first, 'log');
    const lastRound = replica.state.round;
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_INTERVAL_MS));
    assert.ok(written.length >= 1);
    for (let i = 1; i < written.length; i++) assert.ok(written[i]!.at - written[i - 1]!.at >= EVENT_INTERVAL_MS - 2, `events ${i - 1} and ${i} are spaced`);
    assert.equal(written.at(-1)!.round, lastRound, 'the newest round is not lost');
  } finally {
    stop();
  }
});

test('the dashboard answers only under /_/dashboard, GET only, and 404 for paths it does not know', async () => {
  const page = await fetch(`${server.url}/_/dashboard`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
  assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
  assert.match(await page.text(), /<title>Capsule dashboard<\/title>/);
  assert.equal((await fetch(`${server.url}/_/dashboard/dashboard.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${server.url}/_/dashboard/nothing`)).status, 404);
  assert.equal((await fetch(`${server.url}/_/dashboard/api/overview`, { method: 'POST' })).status, 405);
  const head = await fetch(`${server.url}/_/dashboard/events`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-type'), 'text/event-stream');
  assert.equal(await head.text(), '', 'a HEAD request for the events ends at once');
  // Elsewhere the HTTP interface answers as it did without a front end.
  assert.equal((await fetch(`${server.url}/_/dashboardx`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/v2/status`)).status, 200);
});

test('closing the server ends an open event stream instead of waiting for it', async () => {
  const other = await startHttpServer({ replica, port: 0, idleRoundMs: 20, log: () => {}, debug: () => {}, frontEnd: (context) => new Dashboard({ replica: context.replica }) });
  const events = await readEvents(`${other.url}/_/dashboard/events`);
  await other.close();
  await events.ended;
  await call(first, 'log');
  assert.equal(events.events.length, 0);
});
