// The execution layer's side of deterministic time slicing: a run past its slice pauses and leaves the canister
// as before; a paused execution, run slice by slice, counts its instructions as an unsliced one does, runs its
// wasm once (its first slice is not run again), logs once, traps at the message's limit, not the slice's, and
// a trap in a later slice rolls everything back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  abortPausedExecution,
  completePausedExecution,
  executedInstructions,
  executeRequest,
  hasPausedExecution,
  pausedCanistersOf,
  type RoundContext,
  runSlices,
} from '../../src/execution/index.ts';
import { type CanisterState, canisterIdFromIndex, INSTRUCTION_LIMITS, type InstructionLimits, principalKey } from '../../src/state/index.ts';
import { environment, ingress, watCanister } from './_canister.ts';

const SLICE = 1_000_000n;

// `count` runs about 10 M instructions, stores to the heap and replies with ic0.performance_counter(0).
const COUNTING = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "performance_counter" (func $counter (param i32) (result i64)))
  (memory 1)
  (func (export "canister_update count")
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 1000000)))
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 65535)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i64.store (i32.const 0) (call $counter (i32.const 0)))
    (call $append (i32.const 0) (i32.const 8))
    (call $reply)))`;

// `print` logs "once", runs about 10 M instructions and replies; `trap` logs, grows stable memory, writes the
// heap, runs as long, then traps.
const PRINTING = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "debug_print" (func $print (param i32 i32)))
  (import "ic0" "stable64_grow" (func $stable_grow (param i64) (result i64)))
  (memory 1)
  (data (i32.const 8192) "once")
  (func $spin
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 1000000)))
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 4095)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "canister_update print") (call $print (i32.const 8192) (i32.const 4)) (call $spin) (call $reply))
  (func (export "canister_update trap")
    (call $print (i32.const 8192) (i32.const 4))
    (drop (call $stable_grow (i64.const 1)))
    (call $spin)
    unreachable))`;

function roundWith(limits: Partial<InstructionLimits>): RoundContext {
  return { env: { ...environment(), instructionLimits: { ...INSTRUCTION_LIMITS, ...limits } }, outbox: [], ingressResults: [] };
}

/** Runs `count` as the scheduler would: a paused message back at the queue's head, then slice after slice (one round context stands for the rounds). */
async function run(canister: CanisterState, limits: Partial<InstructionLimits>, method = 'count'): Promise<{ result: RoundContext['ingressResults'][number]['result']; slices: number }> {
  const message = ingress(method);
  const round = roundWith(limits);
  executeRequest(round, canister, message);
  let slices = 0;
  if (hasPausedExecution(canister)) canister.inputQueue.unshift(message);
  while (!round.ingressResults[0]) {
    assert.ok(slices < 100, 'the execution ends');
    await runSlices([canister]);
    slices++;
    completePausedExecution(round, canister);
  }
  return { result: round.ingressResults[0].result, slices };
}

test('a run past its slice pauses and leaves heap, call contexts and version as before', async () => {
  const canister = await watCanister(COUNTING);
  const heap = new Uint8Array(canister.wasm!.memory.buffer).slice();
  const round = roundWith({ slice: SLICE });
  executeRequest(round, canister, ingress('count'));
  assert.ok(hasPausedExecution(canister));
  assert.deepEqual(round.ingressResults, []);
  assert.deepEqual(new Uint8Array(canister.wasm!.memory.buffer), heap);
  assert.equal(canister.callContexts.size, 0);
  assert.equal(canister.version, 0n);
});

test('a sliced run counts the instructions of every slice, as an unsliced run does', async () => {
  const whole = await run(await watCanister(COUNTING), {});
  const sliced = await run(await watCanister(COUNTING), { slice: SLICE });
  assert.equal(whole.slices, 0);
  assert.ok(sliced.slices >= 5, `${sliced.slices} slices`);
  assert.equal(whole.result.kind, 'reply');
  assert.deepEqual(sliced.result, whole.result);
});

test('a sliced run past its message limit traps with that limit, not the slice', async () => {
  const { result } = await run(await watCanister(COUNTING), { slice: SLICE, update: 3_000_000n });
  assert.equal(result.kind, 'reject');
  assert.match(result.kind === 'reject' ? result.message : '', /exceeded the limit of 3000000 instructions/);
});

test('a sliced update runs its wasm once: its slices execute the instructions of the unsliced run, the first not again', async () => {
  const before = executedInstructions();
  await run(await watCanister(COUNTING), {});
  const whole = executedInstructions() - before;
  const slicedBefore = executedInstructions();
  const sliced = await run(await watCanister(COUNTING), { slice: SLICE });
  assert.ok(sliced.slices >= 5, `${sliced.slices} slices`);
  assert.equal(executedInstructions() - slicedBefore, whole);
});

test('a sliced update logs its debug_print once, after it ended, as the unsliced run does', async () => {
  const canister = await watCanister(PRINTING);
  const round = roundWith({ slice: SLICE });
  executeRequest(round, canister, ingress('print'));
  assert.ok(hasPausedExecution(canister));
  assert.deepEqual(canister.logs, [], 'a paused update shows no log yet');
  const sliced = await watCanister(PRINTING);
  const { result } = await run(sliced, { slice: SLICE }, 'print');
  const whole = await watCanister(PRINTING);
  await run(whole, {}, 'print');
  assert.equal(result.kind, 'reply');
  const text = (logs: CanisterState['logs']) => logs.map((record) => `${record.idx} ${new TextDecoder().decode(record.content)}`);
  assert.deepEqual(text(sliced.logs), ['0 once']);
  assert.deepEqual(text(sliced.logs), text(whole.logs));
});

test('a trap in a later slice rolls back heap, stable memory and version, as the unsliced trap does', async () => {
  const canister = await watCanister(PRINTING);
  const heap = new Uint8Array(canister.wasm!.memory.buffer).slice();
  const { result, slices } = await run(canister, { slice: SLICE }, 'trap');
  const whole = await watCanister(PRINTING);
  const unsliced = await run(whole, {}, 'trap');
  assert.ok(slices >= 5, `${slices} slices`);
  assert.equal(result.kind, 'reject');
  assert.deepEqual(result, unsliced.result);
  assert.deepEqual(new Uint8Array(canister.wasm!.memory.buffer), heap);
  assert.equal(canister.stable.sizePages, 0n);
  assert.equal(canister.version, 0n);
  assert.equal(canister.callContexts.size, 0);
  assert.deepEqual(canister.logs.map((record) => record.content), whole.logs.map((record) => record.content));
});

test('a subnet lists its paused canisters in id order, and no longer once their execution ended or was aborted', async () => {
  const round = roundWith({ slice: SLICE });
  const subnet = new Map<string, CanisterState>();
  for (const index of [9n, 4n, 6n]) {
    const canister = await watCanister(COUNTING);
    canister.id = canisterIdFromIndex(index);
    subnet.set(principalKey(canister.id), canister);
    if (index === 6n) continue;
    const message = ingress('count', `message-${index}`);
    executeRequest(round, canister, message);
    canister.inputQueue.unshift(message);
  }
  const [nine, four] = [subnet.get(principalKey(canisterIdFromIndex(9n)))!, subnet.get(principalKey(canisterIdFromIndex(4n)))!];
  assert.deepEqual(pausedCanistersOf(subnet), [four, nine]);
  assert.deepEqual(pausedCanistersOf(new Map([[principalKey(nine.id), nine]])), [nine], 'only the canisters of the subnet asked about');
  abortPausedExecution(four);
  assert.deepEqual(pausedCanistersOf(subnet), [nine]);
  while (hasPausedExecution(nine)) {
    await runSlices([nine]);
    completePausedExecution(round, nine);
  }
  assert.deepEqual(pausedCanistersOf(subnet), []);
});
