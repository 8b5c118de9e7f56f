// Deterministic time slicing: an update past its slice pauses between rounds and resumes, giving the
// result and canister state it gives unsliced; meanwhile other canisters run and queries see the paused
// canister's state from before the message; a stop waits for it and an uninstall aborts it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Capsule } from '../../src/api/index.ts';
import { executedInstructions } from '../../src/execution/index.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';
import type { Replica } from '../../src/replica/index.ts';
import { MANAGEMENT_CANISTER, stateHash } from '../../src/state/index.ts';
import { wat } from '../support/build.ts';
import { tempDir } from '../persistence/_helpers.ts';
import { LONG_WAT, SLICE } from './_long_canister.ts';

const NONE = new Uint8Array(IDL.encode([], []));
const ANONYMOUS = Principal.anonymous();
const SEED = new Uint8Array(32).fill(7);
const TIME = 1_700_000_000_000_000_000n;
let wasm: Uint8Array;

before(async () => {
  wasm = await wat(LONG_WAT);
});

async function deployed(slice?: bigint): Promise<{ ic: Capsule; replica: Replica; ids: Principal[] }> {
  const ic = await Capsule.create({ seed: SEED, time: TIME, instructionLimits: slice === undefined ? {} : { slice, installSlice: slice } });
  const ids: Principal[] = [];
  for (let i = 0; i < 2; i++) {
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    ids.push(canisterId);
  }
  return { ic, replica: replicaOf(ic), ids };
}

/** The state hash without what records when the reply came (the ingress history, the round and its time). */
function canisterStateHash(replica: Replica): string {
  return stateHash({ ...replica.state, ingress: new Map(), round: 0n, time: 0n });
}

function submit(replica: Replica, receiver: Principal, method: string, arg: Uint8Array = NONE): string {
  const id = replica.submit({ sender: ANONYMOUS, receiver, method, arg });
  assert.equal(typeof id, 'string');
  return id as string;
}

function managementArg(canisterId: Principal): Uint8Array {
  return new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: canisterId }]));
}

/** Runs slices and rounds, as every front end does, until the message ends; returns its status and the rounds it took. */
async function settle(replica: Replica, messageId: string): Promise<{ status: ReturnType<Replica['ingressStatus']>; rounds: number }> {
  for (let rounds = 1; rounds < 1000; rounds++) {
    await replica.runSlices();
    replica.round();
    const status = replica.ingressStatus(messageId);
    if (status?.status === 'replied' || status?.status === 'rejected') return { status, rounds };
  }
  throw new Error(`message ${messageId} did not end`);
}

function word(bytes: Uint8Array): bigint {
  return Buffer.from(bytes).readBigUInt64LE(0);
}

test('an update of ten slices replies and leaves the canister state it does unsliced', async () => {
  const sliced = await deployed(SLICE);
  const whole = await deployed();
  // Twice: the second run starts in the instance the first sliced run left behind
  // (its log line's time then differs: it starts ten rounds later than unsliced).
  for (let i = 0; i < 2; i++) {
    const rounds = sliced.replica.state.round;
    const reply = await sliced.ic.updateCall({ canisterId: sliced.ids[0]!, method: 'long', arg: NONE });
    assert.ok(sliced.replica.state.round - rounds >= 10n, `took ${sliced.replica.state.round - rounds} rounds`);
    assert.deepEqual(reply, await whole.ic.updateCall({ canisterId: whole.ids[0]!, method: 'long', arg: NONE }));
    if (i === 0) assert.equal(canisterStateHash(sliced.replica), canisterStateHash(whole.replica));
  }
  const reply = await sliced.ic.queryCall({ canisterId: sliced.ids[0]!, method: 'heap', arg: NONE });
  assert.equal(word(await sliced.ic.queryCall({ canisterId: sliced.ids[0]!, method: 'stable', arg: NONE })), word(reply));
});

test('a reply callback of ten slices pauses and ends as it does unsliced', async () => {
  const sliced = await deployed(SLICE);
  const whole = await deployed();
  const rounds = sliced.replica.state.round;
  const reply = await sliced.ic.updateCall({ canisterId: sliced.ids[0]!, method: 'call_then_spin', arg: NONE });
  assert.ok(sliced.replica.state.round - rounds >= 10n, `took ${sliced.replica.state.round - rounds} rounds`);
  assert.deepEqual(reply, await whole.ic.updateCall({ canisterId: whole.ids[0]!, method: 'call_then_spin', arg: NONE }));
  assert.notEqual(word(reply), 0n);
  assert.equal(canisterStateHash(sliced.replica), canisterStateHash(whole.replica));
});

test('a global timer of ten slices pauses and ends as it does unsliced', async () => {
  const hashes: string[] = [];
  for (const slice of [SLICE, undefined]) {
    const { ic, replica, ids } = await deployed(slice);
    await ic.updateCall({ canisterId: ids[0]!, method: 'set_timer', arg: NONE });
    let pausedRounds = 0;
    for (let i = 0; i < 20; i++) {
      await ic.tick();
      if (replica.hasPausedExecutions()) pausedRounds++;
    }
    assert.equal(pausedRounds > 0, slice !== undefined, `the timer was paused for ${pausedRounds} rounds`);
    assert.notEqual(word(await ic.queryCall({ canisterId: ids[0]!, method: 'heap', arg: NONE })), 0n);
    hashes.push(canisterStateHash(replica));
  }
  assert.equal(hashes[0], hashes[1]);
});

test('the same slicing gives the same state hash however long the pauses last', async () => {
  const hashes: string[] = [];
  for (const pauseMs of [0, 20]) {
    const { replica, ids } = await deployed(SLICE);
    const messageId = submit(replica, ids[0]!, 'long');
    for (let i = 0; i < 100 && replica.ingressStatus(messageId)?.status !== 'replied'; i++) {
      await replica.runSlices();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      replica.round();
    }
    hashes.push(replica.stateHash());
  }
  assert.equal(hashes[0], hashes[1]);
});

test('while an update is paused, another canister runs updates and queries see the state before the message', async () => {
  const { ic, replica, ids } = await deployed(SLICE);
  const [paused, other] = [ids[0]!, ids[1]!];
  const long = submit(replica, paused, 'long');
  replica.round();
  assert.ok(replica.hasPausedExecutions());
  assert.equal(replica.ingressStatus(long)?.status, 'processing');
  const short = submit(replica, other, 'short');
  replica.round();
  assert.equal(replica.ingressStatus(short)?.status, 'replied');
  assert.ok(replica.hasPausedExecutions(), 'the long update is still paused');
  assert.notEqual(word(await ic.queryCall({ canisterId: other, method: 'heap', arg: NONE })), 0n);
  assert.equal(word(await ic.queryCall({ canisterId: paused, method: 'heap', arg: NONE })), 0n);
  // A later message to the paused canister waits for the paused one.
  const after = submit(replica, paused, 'short');
  const { status } = await settle(replica, long);
  assert.equal(status?.status, 'replied');
  assert.equal(replica.ingressStatus(after)?.status, 'replied');
  assert.equal(word(await ic.queryCall({ canisterId: paused, method: 'stable', arg: NONE })), word(await ic.queryCall({ canisterId: paused, method: 'heap', arg: NONE })));
});

test('a stop waits for a paused update to end', async () => {
  const { replica, ids } = await deployed(SLICE);
  const long = submit(replica, ids[0]!, 'long');
  replica.round();
  const stop = submit(replica, MANAGEMENT_CANISTER, 'stop_canister', managementArg(ids[0]!));
  replica.round();
  assert.equal(replica.ingressStatus(stop)?.status, 'processing');
  const { status } = await settle(replica, long);
  assert.equal(status?.status, 'replied');
  assert.equal((await settle(replica, stop)).status?.status, 'replied');
  assert.equal(replica.canister(ids[0]!)?.status.kind, 'stopped');
});

test('an uninstall aborts a paused update, whose caller is rejected as by a canister without code', async () => {
  const { replica, ids } = await deployed(SLICE);
  const long = submit(replica, ids[0]!, 'long');
  replica.round();
  const paused = replica.stateHash();
  await replica.runSlices();
  assert.equal(replica.stateHash(), paused, 'slices change no committed state');
  const uninstall = submit(replica, MANAGEMENT_CANISTER, 'uninstall_code', managementArg(ids[0]!));
  replica.round();
  assert.equal(replica.ingressStatus(uninstall)?.status, 'replied');
  assert.ok(!replica.hasPausedExecutions());
  const status = replica.ingressStatus(long);
  assert.equal(status?.status, 'rejected');
  assert.equal(status?.status === 'rejected' && status.errorCode, 'IC0537');
  assert.match(status?.status === 'rejected' ? status.message : '', /contains no Wasm module/);
});

test('an upgrade aborts a paused update, which then runs again on the new code', async () => {
  const { ic, replica, ids } = await deployed(SLICE);
  const canisterId = ids[0]!;
  // post_upgrade reads the word an update keeps in stable memory.
  await ic.updateCall({ canisterId, method: 'short', arg: NONE });
  const newer = await wat(LONG_WAT.replaceAll('(i32.const 4000000)', '(i32.const 4000001)'));
  const long = submit(replica, canisterId, 'long');
  replica.round();
  await replica.runSlices();
  const mode = IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Opt(IDL.Record({})) });
  const installArgs = IDL.Record({ mode, canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) });
  const arg = new Uint8Array(IDL.encode([installArgs], [{ mode: { upgrade: [] }, canister_id: canisterId, wasm_module: newer, arg: [] }]));
  const upgrade = submit(replica, MANAGEMENT_CANISTER, 'install_code', arg);
  const { status, rounds } = await settle(replica, long);
  assert.equal(replica.ingressStatus(upgrade)?.status, 'replied');
  assert.equal(status?.status, 'replied');
  assert.ok(rounds >= 10, `ran again over ${rounds} rounds`);
  // Had the paused run gone on, its end would have brought the old instance back.
  const { moduleHash } = replica.canister(canisterId)!.wasm!.module;
  assert.equal(Buffer.from(moduleHash).toString('hex'), createHash('sha256').update(newer).digest('hex'));
});

function upgradeArg(canisterId: Principal, module: Uint8Array): Uint8Array {
  const mode = IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Opt(IDL.Record({})) });
  const installArgs = IDL.Record({ mode, canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) });
  return new Uint8Array(IDL.encode([installArgs], [{ mode: { upgrade: [] }, canister_id: canisterId, wasm_module: module, arg: [] }]));
}

test('an upgrade whose pre_upgrade and post_upgrade take ten slices each keeps stable memory, runs its wasm once and ends as unsliced', async () => {
  const runs: { stable: bigint; heap: bigint; cycles: bigint; version: bigint; rounds: bigint; executed: bigint }[] = [];
  for (const slice of [SLICE, undefined]) {
    const { ic, replica, ids } = await deployed(slice);
    const canisterId = ids[0]!;
    await ic.updateCall({ canisterId, method: 'short', arg: NONE });
    const rounds = replica.state.round;
    const executedBefore = executedInstructions();
    await ic.installCode({ canisterId, wasm, mode: 'upgrade' });
    // Every instruction once: no slice runs again (the process counts what its wasm executed).
    const executed = executedInstructions() - executedBefore;
    const { cycles, version } = replica.canister(canisterId)!;
    runs.push({
      stable: word(await ic.queryCall({ canisterId, method: 'stable', arg: NONE })),
      heap: word(await ic.queryCall({ canisterId, method: 'heap', arg: NONE })),
      cycles,
      version,
      rounds: replica.state.round - rounds,
      executed,
    });
  }
  const [sliced, whole] = [runs[0]!, runs[1]!];
  assert.ok(sliced.rounds >= 20n, `the upgrade took ${sliced.rounds} rounds`);
  assert.equal(whole.rounds, 1n);
  assert.notEqual(sliced.stable, 0n);
  // The same but for when it ended (the history's and last install's time).
  assert.deepEqual({ ...sliced, rounds: 0n }, { ...whole, rounds: 0n });
});

test('a paused install holds other management calls and messages to its canister until it ends', async () => {
  const { ic, replica, ids } = await deployed(SLICE);
  const canisterId = ids[0]!;
  // post_upgrade reads the word an update keeps in stable memory.
  await ic.updateCall({ canisterId, method: 'short', arg: NONE });
  const upgrade = submit(replica, MANAGEMENT_CANISTER, 'install_code', upgradeArg(canisterId, wasm));
  replica.round();
  assert.ok(replica.hasPausedExecutions());
  const status = submit(replica, MANAGEMENT_CANISTER, 'canister_status', managementArg(canisterId));
  const update = submit(replica, canisterId, 'short');
  const other = submit(replica, MANAGEMENT_CANISTER, 'canister_status', managementArg(ids[1]!));
  replica.round();
  assert.equal(replica.ingressStatus(other)?.status, 'replied', 'another canister is not held');
  assert.equal(replica.ingressStatus(status)?.status, 'processing');
  assert.equal(replica.ingressStatus(update)?.status, 'processing');
  assert.equal((await settle(replica, upgrade)).status?.status, 'replied');
  assert.equal((await settle(replica, status)).status?.status, 'replied');
  assert.equal((await settle(replica, update)).status?.status, 'replied');
});

for (const stop of ['close', 'crash'] as const) {
  test(`a restart (${stop}) while an upgrade is paused runs it again from its start`, async () => {
    const stateDir = join(tempDir(`slicing-install-${stop}`), 'state');
    const limits = { slice: SLICE, installSlice: SLICE };
    const ic = await Capsule.create({ stateDir, seed: SEED, time: TIME, instructionLimits: limits });
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    await ic.updateCall({ canisterId, method: 'short', arg: NONE });
    const newer = await wat(LONG_WAT.replaceAll('(i32.const 4000000)', '(i32.const 4000001)'));
    const replica = replicaOf(ic);
    const upgrade = submit(replica, MANAGEMENT_CANISTER, 'install_code', upgradeArg(canisterId, newer));
    replica.round();
    assert.ok(replica.hasPausedExecutions());
    const paused = replica.stateHash();
    if (stop === 'close') await ic.close();
    else storeOf(ic)!.abandon();
    const again = await Capsule.create({ stateDir, instructionLimits: limits });
    const restored = replicaOf(again);
    assert.equal(restored.stateHash(), paused);
    const { status, rounds } = await settle(restored, upgrade);
    assert.equal(status?.status, 'replied');
    assert.ok(rounds >= 10, `ran again over ${rounds} rounds`);
    const { moduleHash } = restored.canister(canisterId)!.wasm!.module;
    assert.equal(Buffer.from(moduleHash).toString('hex'), createHash('sha256').update(newer).digest('hex'));
    await again.close();
    rmSync(dirname(stateDir), { recursive: true, force: true });
  });
}

for (const stop of ['close', 'crash'] as const) {
  test(`a restart (${stop}) while an update is paused runs it again from its start`, async () => {
    const stateDir = join(tempDir(`slicing-${stop}`), 'state');
    const ic = await Capsule.create({ stateDir, seed: SEED, time: TIME, instructionLimits: { slice: SLICE } });
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    const replica = replicaOf(ic);
    const long = submit(replica, canisterId, 'long');
    replica.round();
    await replica.runSlices();
    replica.round();
    assert.ok(replica.hasPausedExecutions());
    const paused = replica.stateHash();
    if (stop === 'close') await ic.close();
    else storeOf(ic)!.abandon();
    const again = await Capsule.create({ stateDir, instructionLimits: { slice: SLICE } });
    const restored = replicaOf(again);
    assert.equal(restored.stateHash(), paused, 'the state on disk is the one before the paused update');
    assert.equal(restored.ingressStatus(long)?.status, 'processing');
    const { status, rounds } = await settle(restored, long);
    assert.equal(status?.status, 'replied');
    assert.ok(rounds >= 10, `ran again over ${rounds} rounds`);
    const reply = status?.status === 'replied' ? status.reply : new Uint8Array(8);
    assert.equal(word(await again.queryCall({ canisterId, method: 'stable', arg: NONE })), word(reply));
    await again.close();
    rmSync(dirname(stateDir), { recursive: true, force: true });
  });
}
