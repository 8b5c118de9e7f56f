// A round's canisters shared among workers: each canister is pinned to one worker and the outputs merge in
// canonical order, so the state hash after every round and every reply are those of one worker, whatever
// the count, with calls between canisters, traps, cycles transfers, timers, sliced messages and a restart.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Capsule } from '../../src/api/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';
import { type Replica, setThreadThreshold, startThreads, threadStatistics } from '../../src/replica/index.ts';
import { workerOf } from '../../src/scheduler/workers.ts';
import { type CanisterState, canisterIdFromIndex, newCanister, defaultSettings, type Principal } from '../../src/state/index.ts';
import { install, interUpdate, query, upgrade, USER } from '../conformance/_harness.ts';
import { tempDir } from '../persistence/_helpers.ts';
import { wat } from '../support/build.ts';
import { prog } from '../universal/program.ts';
import { LONG_WAT, SLICE } from '../replica/_long_canister.ts';

const SEED = new Uint8Array(32).fill(5);
const TIME = 1_700_000_000_000_000_000n;
const CANISTERS = 6;
const ROUNDS = 4;
const NONE = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);
// Every canister goes to a thread, however little it does.
setThreadThreshold(0);

/** What a run shows: the state hash after every round and each call's outcome. */
interface Run {
  hashes: string[];
  outcomes: string[];
}

/** Every third canister counts its timer, which sets itself again for the next round. */
function timerInit(i: number) {
  return i % 3 === 0 ? prog().setGlobalTimerMethod(prog().incGlobalCounter().apiGlobalTimerSet(1).drop()).apiGlobalTimerSet(1).drop() : prog();
}

/** Round `round`'s call to canister `i`: a call with cycles to the next canister, a trap, a chain of two calls, or a write. */
function callOf(ids: Principal[], i: number, round: number) {
  const next = ids[(i + 1) % ids.length]!;
  const after = ids[(i + 2) % ids.length]!;
  switch ((i + round) % 4) {
    case 0:
      return interUpdate(next, { cycles: 1_000_000n, otherSide: prog().acceptCycles(400_000).replyInt64() });
    case 1:
      return prog().setGlobal(`lost ${i}`).trap(`trap ${i} in round ${round}`);
    case 2:
      return interUpdate(next, { otherSide: interUpdate(after, { otherSide: prog().getGlobalCounter().replyInt64() }) });
    default:
      return prog().appendGlobal(`${round};`).stableGrow(1).drop().stableWrite(round * 8, `r${round}`).getGlobal().appendAndReply();
  }
}

function outcomeOf(replica: Replica, messageId: string): string {
  const status = replica.ingressStatus(messageId);
  if (status?.status === 'replied') return `reply ${Buffer.from(status.reply).toString('hex')}`;
  if (status?.status === 'rejected') return `reject ${status.code} ${status.message}`;
  return status?.status ?? 'unknown';
}

async function scenario(workers: number): Promise<Run> {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'application', workers });
  const ids: Principal[] = [];
  for (let i = 0; i < CANISTERS; i++) ids.push(await install(ic, 32, timerInit(i)));
  const replica = replicaOf(ic);
  assert.equal(ids.filter((id) => workerOf(replica.canister(id)!, 4) !== 0).length, 4, 'four canisters are pinned to threads with four workers');
  const run: Run = { hashes: [], outcomes: [] };
  const messages: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, receiver] of ids.entries()) {
      const id = replica.submit({ sender: USER, receiver, method: 'update', arg: callOf(ids, i, round).build() });
      assert.equal(typeof id, 'string');
      messages.push(id as string);
    }
    replica.round();
    run.hashes.push(replica.stateHash());
  }
  run.outcomes = messages.map((id) => outcomeOf(replica, id));
  await ic.close();
  return run;
}

before(() => startThreads(4));

test('one and four workers give the same state hash after every round and the same replies, four canisters on threads', async () => {
  const one = await scenario(1);
  assert.ok(one.outcomes.some((outcome) => outcome.startsWith('reject 5 ')), 'some calls trapped');
  assert.ok(one.outcomes.filter((outcome) => outcome.startsWith('reply')).length > CANISTERS, 'most calls replied');
  assert.ok(!one.outcomes.includes('processing'), 'every call ended');
  const before = threadStatistics();
  assert.deepEqual(await scenario(4), one);
  const after = threadStatistics();
  // Worker 0 is the replica's thread: the four canisters of the three others run on threads.
  assert.ok(after.jobs - before.jobs >= 4 * ROUNDS, `${after.jobs - before.jobs} canisters' messages ran on threads`);
  assert.equal(after.failures, before.failures);
});

/** Round `round`'s write to a canister: its heap global and a stable page, answered with the global. */
function writeOf(round: number) {
  return prog().appendGlobal(`${round};`).stableWrite(round * 8, `r${round}`).getGlobal().appendAndReply();
}

/**
 * Between rounds on threads, each of four canisters (of six) is changed on the replica thread in a way a thread's copy of
 * it must not miss: upgraded, given new settings and a query, a trap before a write, a snapshot taken and loaded,
 * a round run on the replica thread; and every canister's idle instance is evicted (one live instance at most).
 */
async function changedBetweenJobs(workers: number): Promise<{ run: Run; copies: number[] }> {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'application', workers, maxLiveInstances: 1 });
  const ids: Principal[] = [];
  for (let i = 0; i < 6; i++) ids.push(await install(ic, 32, prog().stableGrow(1).drop()));
  // With four workers the first and the fifth are pinned to worker 0, the replica's thread; the others to threads.
  const [, upgraded, configured, trapping, , restored] = ids as [Principal, Principal, Principal, Principal, Principal, Principal];
  assert.deepEqual(ids.map((id) => workerOf(replicaOf(ic).canister(id)!, 4) === 0), [true, false, false, false, true, false]);
  const replica = replicaOf(ic);
  const run: Run = { hashes: [], outcomes: [] };
  // The jobs of each step (a change and a round) that carried a canister's memories.
  const copies: number[] = [];
  let snapshot: Uint8Array | undefined;
  for (let round = 0; round < 8; round++) {
    // The universal canister's heartbeat makes a job of each canister in every round, the calls' rounds too.
    const before = threadStatistics().copies;
    if (round === 2) await upgrade(ic, upgraded, 32, prog().setGlobal('upgraded;'));
    if (round === 3) {
      const settings = candid.encodeManagementArg('update_settings', { canister_id: configured, settings: { ...emptySettings(), freezing_threshold: [1234n] }, sender_canister_version: [] });
      await ic.callManagement('update_settings', settings, USER);
      run.outcomes.push(Buffer.from(await query(ic, configured, prog().getGlobal().appendAndReply())).toString());
      const take = candid.encodeManagementArg('take_canister_snapshot', { canister_id: restored, replace_snapshot: [], uninstall_code: [], sender_canister_version: [] });
      snapshot = candid.decodeManagementResult('take_canister_snapshot', await ic.callManagement('take_canister_snapshot', take, USER)).id;
    }
    if (round === 5) await ic.callManagement('load_canister_snapshot', candid.encodeManagementArg('load_canister_snapshot', { canister_id: restored, snapshot_id: snapshot!, sender_canister_version: [] }), USER);
    // Round 6 runs every canister on the replica thread; round 7 on threads again.
    setThreadThreshold(round === 6 ? Number.POSITIVE_INFINITY : 0);
    // Round 6 writes the heap only: no stable write tells the copies are stale.
    const write = round === 6 ? prog().appendGlobal(`${round};`).getGlobal().appendAndReply() : writeOf(round);
    const messages = ids.map((receiver) => replica.submit({ sender: USER, receiver, method: 'update', arg: write.build() }) as string);
    if (round === 4) messages.push(replica.submit({ sender: USER, receiver: trapping, method: 'update', arg: prog().setGlobal('lost').stableWrite(0, 'lost').trap('on purpose').build() }) as string);
    if (round === 4) messages.push(replica.submit({ sender: USER, receiver: trapping, method: 'update', arg: writeOf(40).build() }) as string);
    replica.round();
    copies.push(threadStatistics().copies - before);
    run.hashes.push(replica.stateHash());
    run.outcomes.push(...messages.map((id) => outcomeOf(replica, id)));
  }
  setThreadThreshold(0);
  await ic.close();
  return { run, copies };
}

test('a thread runs a canister on its copy from the last job only while nothing changed the canister meanwhile: upgrade, settings, query, trap, snapshot load, a run on the replica thread, eviction', async () => {
  const { run: one } = await changedBetweenJobs(1);
  assert.ok(one.outcomes.some((outcome) => outcome.startsWith('reject 5 ')), 'a call trapped');
  assert.ok(one.outcomes.some((outcome) => outcome.includes(Buffer.from('upgraded;').toString('hex'))), 'the upgrade shows');
  const before = threadStatistics();
  const { run: four, copies } = await changedBetweenJobs(4);
  assert.deepEqual(four, one);
  assert.ok(threadStatistics().jobs - before.jobs >= 4 * 7, 'the four canisters ran on threads in all rounds but one');
  // Memories crossed (the first jobs ran while installing) after the upgrade and the snapshot load, and after the
  // round on the replica thread; not after new settings, a query, a trap or an eviction.
  assert.deepEqual(copies, [0, 0, 1, 0, 0, 1, 0, 4]);
});

test('canisters are pinned to workers by id, and consecutive ids spread over them', () => {
  const canisters: CanisterState[] = Array.from({ length: 64 }, (_, i) => newCanister(canisterIdFromIndex(BigInt(i)), defaultSettings([USER]), 0n, 0n));
  const counts = [0, 0, 0, 0];
  for (const canister of canisters) counts[workerOf(canister, 4)]!++;
  assert.ok(counts.every((count) => count >= 8), `64 canisters over 4 workers: ${counts.join(', ')}`);
  assert.deepEqual(
    canisters.map((canister) => workerOf(canister, 4)),
    canisters.map((canister) => workerOf(newCanister(canister.id, defaultSettings([USER]), 0n, 0n), 4)),
  );
  assert.ok(canisters.every((canister) => workerOf(canister, 1) === 0));
});

let longWasm: Uint8Array;
before(async () => {
  longWasm = await wat(LONG_WAT);
});

test('with four workers, a sliced message on one canister pauses (on the replica thread) while updates of the others complete on threads, as with one', async () => {
  const results: string[][] = [];
  const before = threadStatistics();
  for (const workers of [1, 4]) {
    const ic = await Capsule.create({ seed: SEED, time: TIME, instructionLimits: { slice: SLICE }, workers });
    const ids: Principal[] = [];
    for (let i = 0; i < 3; i++) {
      const canisterId = await ic.createCanister();
      await ic.installCode({ canisterId, wasm: longWasm });
      ids.push(canisterId);
    }
    const replica = replicaOf(ic);
    // The second is pinned to a thread with four workers, the first to the replica's thread (worker 0).
    const long = replica.submit({ sender: USER, receiver: ids[1]!, method: 'long', arg: NONE }) as string;
    const trace: string[] = [];
    for (let round = 0; outcomeOf(replica, long) === 'processing' || round === 0; round++) {
      assert.ok(round < 100, 'the long message ends');
      const shorts = [ids[0]!, ids[2]!].map((receiver) => replica.submit({ sender: USER, receiver, method: 'short', arg: NONE }) as string);
      await replica.runSlices();
      replica.round();
      assert.ok(shorts.every((id) => outcomeOf(replica, id).startsWith('reply')), 'the other canisters answer in the round');
      trace.push(`${replica.hasPausedExecutions()} ${replica.stateHash()}`);
    }
    trace.push(outcomeOf(replica, long));
    assert.ok(trace.length > 5, `the long message took ${trace.length - 1} rounds`);
    results.push(trace);
    await ic.close();
  }
  assert.deepEqual(results[1], results[0]);
  const after = threadStatistics();
  assert.ok(after.jobs > before.jobs, 'the short updates ran on threads');
  assert.ok(after.returned > before.returned, 'a thread gave the long update back to the replica thread, which sliced it');
});

test('a state written with four workers and abandoned (a crash) continues with one, as it would have with four', async () => {
  const stateDir = join(tempDir('workers-crash'), 'state');
  const ic = await Capsule.create({ stateDir, seed: SEED, time: TIME, costSchedule: 'application', workers: 4 });
  const ids: Principal[] = [];
  for (let i = 0; i < 6; i++) ids.push(await install(ic, 32, timerInit(i)));
  const replica = replicaOf(ic);
  const submitRound = (target: Replica, round: number): string[] =>
    ids.map((receiver, i) => target.submit({ sender: USER, receiver, method: 'update', arg: callOf(ids, i, round).build() }) as string);
  submitRound(replica, 0);
  replica.round();
  const crashed = replica.stateHash();
  storeOf(ic)!.abandon();

  const continued: string[] = [];
  for (const workers of [1, 4]) {
    // Each continues from its own copy of the crashed directory.
    const copy = `${stateDir}-${workers}`;
    cpSync(stateDir, copy, { recursive: true });
    const again = await Capsule.create({ stateDir: copy, workers });
    const restored = replicaOf(again);
    assert.equal(restored.stateHash(), crashed);
    const messages = submitRound(restored, 1);
    restored.round();
    continued.push(`${restored.stateHash()} ${messages.map((id) => outcomeOf(restored, id)).join()}`);
    storeOf(again)!.abandon();
  }
  assert.equal(continued[1], continued[0]);
  rmSync(dirname(stateDir), { recursive: true, force: true });
});

test('the worker count is a positive integer, and the machine\'s cores by default', async () => {
  await assert.rejects(Capsule.create({ workers: 0 }), /workers takes a positive integer, got 0/);
  await assert.rejects(Capsule.create({ workers: 1.5 }), /workers takes a positive integer/);
  const ic = await Capsule.create({});
  const { availableParallelism } = await import('node:os');
  assert.equal(replicaOf(ic).workers, availableParallelism());
  await ic.close();
});

/** `go` recurses as deep as its 4-byte argument says and replies with the depth reached. */
const RECURSION_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_arg_data_copy" (func $copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1)
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "canister_update go")
    (call $copy (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.store (i32.const 8) (call $down (i32.load (i32.const 0))))
    (call $append (i32.const 8) (i32.const 4))
    (call $reply)))`;

test('a deep recursion overflows the stack on a thread as it does on the replica thread', async () => {
  const outcomes: string[][] = [];
  for (const workers of [1, 4]) {
    const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'free', workers });
    // The first canister is pinned to worker 0 (the replica's thread), the second to a thread.
    await ic.createCanister();
    const canisterId = await ic.createCanister();
    assert.notEqual(workerOf(replicaOf(ic).canister(canisterId)!, 4), 0);
    await ic.installCode({ canisterId, wasm: await wat(RECURSION_WAT) });
    const replica = replicaOf(ic);
    const depths = [5_000, 60_000];
    const messages = depths.map((depth) => {
      const arg = new Uint8Array(4);
      new DataView(arg.buffer).setUint32(0, depth, true);
      return replica.submit({ sender: USER, receiver: canisterId, method: 'go', arg }) as string;
    });
    replica.round();
    outcomes.push(messages.map((id) => outcomeOf(replica, id).split('\n')[0]!));
    await ic.close();
  }
  assert.match(outcomes[0]![0]!, /^reply/);
  assert.match(outcomes[0]![1]!, /^reject 5 .*stack overflow/i);
  assert.deepEqual(outcomes[1], outcomes[0]);
});
