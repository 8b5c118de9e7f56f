// pic-js 0.23, unchanged, drives Capsule's bin/pocket-ic (selected with POCKET_IC_BIN) through our
// own Motoko canister in the pic-js idiom: setupCanister, actors and identities, upgrade and
// reinstall, time and timers, cycles, stable memory, HTTPS outcall mocks, live mode (makeLive,
// stopLive), parallel instances, tearDown and server stop.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Actor, createIdentity, PocketIc, PocketIcServer } from '@dfinity/pic';
import {
  buildHashTree,
  encodeCbor,
  encodeSubjectPublicKeyInfo,
  hashTreeToCbor,
  labeledLeaf,
  labeledNode,
  OID,
  reconstruct,
} from '../../src/certification/index.ts';
import { canisterSource, motoko, repoRoot } from '../support/build.ts';

interface PicSuite {
  set(value: string): Promise<void>;
  get(): Promise<string>;
  now(): Promise<bigint>;
  log(message: string): Promise<void>;
  whoami(): Promise<{ toText(): string }>;
  balance(): Promise<bigint>;
  after(seconds: bigint): Promise<void>;
  timersFired(): Promise<bigint>;
  storeBlob(blob: Uint8Array): Promise<void>;
  loadBlob(): Promise<Uint8Array>;
  certify(data: Uint8Array): Promise<void>;
  certificate(): Promise<[] | [Uint8Array]>;
  missing(): Promise<void>;
}

interface Outcaller {
  fetch(url: string, cycles: bigint, maxResponseBytes: [] | [bigint], transformed: boolean): Promise<string>;
}

/** pic-js brings its own agent library: its types, not the repository's, describe what it takes. */
type InterfaceFactory = Parameters<PocketIc['createActor']>[0];
type PicPrincipal = Awaited<ReturnType<PocketIc['getDefaultEffectiveCanisterId']>>;

const idlFactory: InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    set: IDL.Func([IDL.Text], [], []),
    get: IDL.Func([], [IDL.Text], ['query']),
    now: IDL.Func([], [IDL.Int], ['query']),
    log: IDL.Func([IDL.Text], [], []),
    whoami: IDL.Func([], [IDL.Principal], ['query']),
    balance: IDL.Func([], [IDL.Nat], ['query']),
    after: IDL.Func([IDL.Nat], [], []),
    timersFired: IDL.Func([], [IDL.Nat], ['query']),
    storeBlob: IDL.Func([IDL.Vec(IDL.Nat8)], [], []),
    loadBlob: IDL.Func([], [IDL.Vec(IDL.Nat8)], ['query']),
    certify: IDL.Func([IDL.Vec(IDL.Nat8)], [], []),
    certificate: IDL.Func([], [IDL.Opt(IDL.Vec(IDL.Nat8))], ['query']),
    missing: IDL.Func([], [], []),
  });

const NANOS_PER_MS = 1_000_000n;

/** The module with a custom section of `size` bytes appended (pic-js's own tests pad modules so). */
function withPadding(module: Uint8Array, size: number): Uint8Array {
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  const name = new TextEncoder().encode('padding');
  const content = [...uleb(name.length), ...name];
  return new Uint8Array([...module, 0, ...uleb(content.length + size), ...content, ...new Uint8Array(size)]);
}
const outcallFactory: InterfaceFactory = ({ IDL }) => {
  const header = IDL.Record({ name: IDL.Text, value: IDL.Text });
  const response = IDL.Record({ status: IDL.Nat, headers: IDL.Vec(header), body: IDL.Vec(IDL.Nat8) });
  return IDL.Service({
    fetch: IDL.Func([IDL.Text, IDL.Nat, IDL.Opt(IDL.Nat64), IDL.Bool], [IDL.Text], []),
    transform: IDL.Func([IDL.Record({ response, context: IDL.Vec(IDL.Nat8) })], [response], ['query']),
  });
};

let server: PocketIcServer;
let wasm: Uint8Array;
let stopped = false;

async function setup(pic: PocketIc, options: { cycles?: bigint; controllers?: PicPrincipal[]; sender?: PicPrincipal } = {}): Promise<{ actor: Actor<PicSuite>; canisterId: PicPrincipal }> {
  const fixture = await pic.setupCanister<PicSuite>({ idlFactory, wasm, ...options });
  return { actor: fixture.actor, canisterId: fixture.canisterId };
}

before(async () => {
  wasm = (await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' })).wasm;
  process.env.POCKET_IC_BIN = join(repoRoot, 'bin', 'pocket-ic');
  server = await PocketIcServer.start();
});

after(async () => {
  if (!stopped) await server?.stop();
});

describe('pic-js 0.23 on bin/pocket-ic', () => {
  test('setupCanister installs a canister whose actor updates and queries, as the identity set on it', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { actor } = await setup(pic);
    await actor.set('hello');
    assert.equal(await actor.get(), 'hello');
    assert.equal((await actor.whoami()).toText(), '2vxsx-fae');
    const alice = createIdentity('alice');
    actor.setIdentity(alice);
    assert.equal((await actor.whoami()).toText(), alice.getPrincipal().toText());
    await assert.rejects(actor.missing(), /has no update method 'missing'.*Reject code: CanisterError.*Error code: CanisterMethodNotFound/s);
    await pic.tearDown();
  });

  test('an upgrade keeps the stable value and a reinstall starts afresh', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { actor, canisterId } = await setup(pic);
    await actor.set('kept');
    // Enhanced orthogonal persistence must be asked to keep its memory (interface spec, "IC method install_code").
    await pic.upgradeCanister({ canisterId, wasm, upgradeModeOptions: { skip_pre_upgrade: [], wasm_memory_persistence: [{ keep: null }] } });
    assert.equal(await actor.get(), 'kept');
    await pic.reinstallCode({ canisterId, wasm });
    assert.equal(await actor.get(), '');
    await pic.tearDown();
  });

  test('setTime takes effect at the next tick, exactly; time never goes back', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { actor } = await setup(pic);
    assert.equal(await pic.getTime(), 1_620_328_630_000);
    const target = Date.UTC(2030, 0, 1);
    await pic.setTime(target);
    assert.equal(await pic.getTime(), target);
    assert.ok((await actor.now()) < BigInt(target) * NANOS_PER_MS, 'queries see the old time before a round');
    await pic.tick();
    assert.equal(await actor.now(), BigInt(target) * NANOS_PER_MS);
    await pic.advanceTime(0);
    await pic.tick();
    assert.equal(await actor.now(), BigInt(target) * NANOS_PER_MS + 1n, 'a round without a new time adds 1 ns');
    const started = performance.now();
    await assert.rejects(pic.setTime(target - 1000), /PocketIC server error: SettingTimeIntoPast/);
    assert.ok(performance.now() - started < 2_000);
    await pic.tearDown();
  });

  test('advanceTime and tick fire a timer once its time has come', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { actor } = await setup(pic);
    await actor.after(60n);
    await pic.advanceTime(30_000);
    await pic.tick(2);
    assert.equal(await actor.timersFired(), 0n);
    await pic.advanceTime(31_000);
    await pic.tick(2);
    assert.equal(await actor.timersFired(), 1n);
    await pic.tearDown();
  });

  test('cycle balances come back as exact big integers and addCycles adds exactly', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { canisterId } = await setup(pic, { cycles: 10n ** 19n });
    const before = await pic.getCyclesBalance(canisterId);
    assert.equal(typeof before, 'bigint');
    const after = await pic.addCycles(canisterId, 2n ** 60n + 1n);
    assert.equal(after, BigInt(before) + 2n ** 60n + 1n);
    await pic.tearDown();
  });

  test('a Free cost schedule charges nothing for a month of idle time', async () => {
    const pic = await PocketIc.create(server.getUrl(), { application: [{ state: { type: 'new' as never }, costSchedule: 'Free' as never }] });
    const { canisterId } = await setup(pic);
    const before = await pic.getCyclesBalance(canisterId);
    await pic.advanceTime(30 * 24 * 3600 * 1000);
    await pic.tick(5);
    assert.equal(await pic.getCyclesBalance(canisterId), before);
    await pic.tearDown();
  });

  test('stable memory read from one canister and written into another carries its region', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const first = await setup(pic);
    const second = await setup(pic);
    const blob = new Uint8Array(5000).map((_, i) => (i * 7) % 256);
    await first.actor.storeBlob(blob);
    const memory = await pic.getStableMemory(first.canisterId);
    assert.ok(memory.length >= 65536);
    await pic.setStableMemory(second.canisterId, memory);
    assert.deepEqual(new Uint8Array(await second.actor.loadBlob()), blob);
    assert.deepEqual(await pic.getStableMemory(second.canisterId), memory);
    await pic.tearDown();
  });

  test('several instances serve in parallel, each with its own state; a torn-down one answers "Instance was deleted"', async () => {
    const pics = await Promise.all([1, 2, 3].map(() => PocketIc.create(server.getUrl())));
    const actors = await Promise.all(pics.map(async (pic) => (await setup(pic)).actor));
    await Promise.all(actors.map((actor, i) => actor.set(`instance ${i}`)));
    assert.deepEqual(await Promise.all(actors.map((actor) => actor.get())), ['instance 0', 'instance 1', 'instance 2']);
    await pics[0]!.tearDown();
    await assert.rejects(pics[0]!.getTime(), /Instance was deleted/);
    assert.equal(await actors[1]!.get(), 'instance 1');
    await Promise.all(pics.slice(1).map((pic) => pic.tearDown()));
  });

  test('a module past the ingress limit installs through the chunk store, uploads in flight together, and canisterStatus shows its hash', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const alice = createIdentity('alice').getPrincipal();
    const canisterId = await pic.createCanister({ sender: alice });
    const large = withPadding(wasm, 2_500_000);
    await pic.installCode({ canisterId, wasm: large, sender: alice });
    const status = await pic.canisterStatus({ canisterId, sender: alice });
    assert.deepEqual(status.status, { running: null });
    assert.equal(Buffer.from(status.moduleHash as Uint8Array).toString('hex'), createHash('sha256').update(large).digest('hex'));
    await pic.tearDown();
  });

  test('stop, start, controllers and a deferred call behave as on the IC, with its reject wording', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const alice = createIdentity('alice').getPrincipal();
    const bob = createIdentity('bob').getPrincipal();
    const { actor, canisterId } = await setup(pic, { controllers: [alice], sender: alice });
    await pic.stopCanister({ canisterId, sender: alice });
    await assert.rejects(actor.set('no'), /Canister .* is stopped.*Error code: CanisterStopped/s);
    await pic.startCanister({ canisterId, sender: alice });
    await pic.updateCanisterSettings({ canisterId, sender: alice, controllers: [alice, bob] });
    assert.deepEqual((await pic.getControllers(canisterId)).map((p) => p.toText()).sort(), [alice.toText(), bob.toText()].sort());
    // Refused by the ingress filter before it reaches a block, with the replica's wording.
    await assert.rejects(pic.stopCanister({ canisterId }), /Only controllers of canister .* can call ic00 method stop_canister.*CanisterInvalidController/s);
    const deferred = pic.createDeferredActor<PicSuite>(idlFactory, canisterId);
    const pending = await deferred.set('deferred');
    await pic.tick();
    await pending();
    assert.equal(await actor.get(), 'deferred');
    await pic.tearDown();
  });

  test('a pending HTTPS outcall is listed by getPendingHttpsOutcalls and answered by mockPendingHttpsOutcall through the transform', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const outcallWasm = (await motoko(canisterSource('outcall.mo'), { main: 'outcall.mo' })).wasm;
    const { canisterId } = await pic.setupCanister<Outcaller>({ idlFactory: outcallFactory, wasm: outcallWasm });
    const deferred = pic.createDeferredActor<Outcaller>(outcallFactory, canisterId);
    const first = await deferred.fetch('https://example.com/price', 30_000_000_000n, [1000n], true);
    await pic.tick(2);
    const [outcall] = await pic.getPendingHttpsOutcalls();
    assert.ok(outcall);
    assert.equal(outcall.url, 'https://example.com/price');
    assert.equal(outcall.httpMethod, 'GET');
    assert.deepEqual(outcall.headers, [['x-test', '1']]);
    assert.equal(outcall.maxResponseBytes, 1000);
    assert.equal(outcall.subnetId.toText(), (await pic.getCanisterSubnetId(canisterId))?.toText());
    await pic.mockPendingHttpsOutcall({
      subnetId: outcall.subnetId,
      requestId: outcall.requestId,
      response: { type: 'success', statusCode: 200, headers: [['date', 'now']], body: new TextEncoder().encode('42') },
    });
    assert.equal(await first(), '200 0 42!');
    assert.deepEqual(await pic.getPendingHttpsOutcalls(), []);

    const second = await deferred.fetch('https://example.com/down', 30_000_000_000n, [], false);
    await pic.tick(2);
    const [down] = await pic.getPendingHttpsOutcalls();
    await pic.mockPendingHttpsOutcall({ subnetId: down!.subnetId, requestId: down!.requestId, response: { type: 'reject', statusCode: 2, message: 'Connection refused' } });
    assert.equal(await second(), 'reject #system_transient Connection refused');
    await assert.rejects(
      pic.mockPendingHttpsOutcall({ subnetId: down!.subnetId, requestId: down!.requestId, response: { type: 'success', statusCode: 200, headers: [], body: new Uint8Array() } }),
      /InvalidCanisterHttpRequestId\(/,
    );
    await pic.tearDown();
  });

  test('per-replica mocks must number the subnet size and agree after the transform', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const outcallWasm = (await motoko(canisterSource('outcall.mo'), { main: 'outcall.mo' })).wasm;
    const { canisterId } = await pic.setupCanister<Outcaller>({ idlFactory: outcallFactory, wasm: outcallWasm });
    const deferred = pic.createDeferredActor<Outcaller>(outcallFactory, canisterId);
    const reply = (body: string, date: string) => ({ type: 'success' as const, statusCode: 200, headers: [['date', date]] as [string, string][], body: new TextEncoder().encode(body) });
    const agreeing = await deferred.fetch('https://example.com/a', 30_000_000_000n, [], true);
    await pic.tick(2);
    const [a] = await pic.getPendingHttpsOutcalls();
    await assert.rejects(pic.mockPendingHttpsOutcall({ subnetId: a!.subnetId, requestId: a!.requestId, response: reply('x', '0'), additionalResponses: [reply('x', '1')] }), /InvalidMockCanisterHttpResponses\(actual=2,expected=13\)/);
    // The transform drops the differing date header, so the replicas agree.
    const others = Array.from({ length: 12 }, (_, i) => reply('same', String(i + 1)));
    await pic.mockPendingHttpsOutcall({ subnetId: a!.subnetId, requestId: a!.requestId, response: reply('same', '0'), additionalResponses: others });
    assert.equal(await agreeing(), '200 0 same!');
    const diverging = await deferred.fetch('https://example.com/b', 30_000_000_000n, [], true);
    await pic.tick(2);
    const [b] = await pic.getPendingHttpsOutcalls();
    const differing = Array.from({ length: 12 }, (_, i) => reply(`body ${i}`, '0'));
    await pic.mockPendingHttpsOutcall({ subnetId: b!.subnetId, requestId: b!.requestId, response: reply('body', '0'), additionalResponses: differing });
    assert.match(await diverging(), /^reject #system_transient No consensus could be reached/);
    await pic.tearDown();
  });

  test('after makeLive (auto progress and a gateway) an outcall is made for real and the call replies with the fetched response', async () => {
    const origin = createServer((request, response) => response.end(`live ${request.url}`));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const pic = await PocketIc.create(server.getUrl());
    try {
      const outcallWasm = (await motoko(canisterSource('outcall.mo'), { main: 'outcall.mo' })).wasm;
      const { actor } = await pic.setupCanister<Outcaller>({ idlFactory: outcallFactory, wasm: outcallWasm });
      await pic.makeLive();
      const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/now`;
      assert.equal(await actor.fetch(url, 30_000_000_000n, [], true), '200 0 live /now!');
      assert.deepEqual(await pic.getPendingHttpsOutcalls(), []);
      await pic.stopLive();
    } finally {
      await pic.tearDown();
      origin.close();
    }
  });

  test("verify_signature accepts a canister signature made from the canister's certified data, and refuses it for another message", async () => {
    const pic = await PocketIc.create(server.getUrl());
    const { actor, canisterId } = await setup(pic);
    const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
    const seed = new TextEncoder().encode('session seed');
    const message = new TextEncoder().encode('\x1Aic-request-auth-delegation signed bytes');
    const sigTree = buildHashTree(labeledNode([['sig', labeledNode([[sha256(seed), labeledNode([[sha256(message), labeledLeaf(new Uint8Array())]])]])]]));
    await actor.certify(reconstruct(sigTree));
    const [certificate] = await actor.certificate();
    assert.ok(certificate);
    const signature = encodeCbor({ certificate: new Uint8Array(certificate), tree: hashTreeToCbor(sigTree) }, { selfDescribe: true });
    const id = canisterId.toUint8Array();
    const publicKey = encodeSubjectPublicKeyInfo(OID.canisterSignature, undefined, new Uint8Array([id.length, ...id, ...seed]));
    const [subnet] = await pic.getApplicationSubnets();
    const rootKey = new Uint8Array(await pic.getPubKey(subnet!.id));
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const verify = (msg: Uint8Array) =>
      fetch(`${server.getUrl()}/verify_signature`, {
        method: 'POST',
        body: JSON.stringify({ msg: b64(msg), sig: b64(signature), pubkey: b64(publicKey), root_pubkey: b64(rootKey) }),
      }).then(async (response) => [response.status, await response.json()]);
    assert.deepEqual(await verify(message), [200, { Ok: null }]);
    const [status, body] = await verify(new TextEncoder().encode('another message'));
    assert.equal(status, 406);
    assert.match(body.Err, /^Canister signature verification failed: .*does not contain the message/);
    await pic.tearDown();
  });

  test('the topology lists one application subnet with the default effective canister id in its ranges', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const [subnet, ...others] = await pic.getApplicationSubnets();
    assert.equal(others.length, 0);
    const { canisterId } = await setup(pic);
    assert.equal((await pic.getCanisterSubnetId(canisterId))?.toText(), subnet!.id.toText());
    assert.deepEqual((await pic.getControllers(canisterId)).map((p) => p.toText()), ['2vxsx-fae']);
    assert.equal((await pic.getPubKey(subnet!.id)).length, 133);
    const effective = await pic.getDefaultEffectiveCanisterId();
    assert.ok(subnet!.canisterRanges.some((range) => range.start.toText() === effective.toText()));
    await pic.tearDown();
  });
});

type Spawned = { serverProcess: ChildProcess };

test('a second server finds the port file taken: clients share the first, and stopping the second leaves it serving', async () => {
  const second = await PocketIcServer.start();
  assert.equal(second.getUrl(), server.getUrl());
  await second.stop();
  const child = (second as unknown as Spawned).serverProcess;
  assert.notEqual(child.exitCode ?? child.signalCode, null);
  const pic = await PocketIc.create(server.getUrl());
  await pic.tearDown();
});

test('server stop leaves no process and no port file', async () => {
  const portFile = join(tmpdir(), `pocket_ic_${process.ppid}.port`);
  assert.ok(existsSync(portFile));
  const child = (server as unknown as Spawned).serverProcess;
  await server.stop();
  stopped = true;
  assert.equal(child.exitCode, 0);
  assert.equal(existsSync(portFile), false);
});
