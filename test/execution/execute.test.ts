// One message execution: a trap rolls back heap, globals, memory growth and stable memory; the
// request's limits follow from the kind of execution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_QUERY_RESPONSE, MAX_REPLICATED_RESPONSE } from '../../src/state/index.ts';
import { executeRequest } from '../../src/execution/index.ts';
import { requestFor } from '../../src/execution/request.ts';
import { environment, ingress, round, USER, watCanister } from './_canister.ts';

const WRITES_THEN_TRAPS = `(module
  (import "ic0" "stable64_grow" (func $grow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $write (param i64 i64 i64)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (global $g (mut i32) (i32.const 7))
  (data (i32.const 0) "before")
  (func (export "canister_update setup")
    (drop (call $grow (i64.const 1)))
    (call $write (i64.const 0) (i64.const 0) (i64.const 6))
    (call $reply))
  (func (export "canister_update fail")
    (i32.store8 (i32.const 0) (i32.const 88))
    (i32.store8 (i32.const 70000) (i32.const 88))
    (global.set $g (i32.const 9))
    (drop (memory.grow (i32.const 2)))
    (drop (call $grow (i64.const 3)))
    (call $write (i64.const 0) (i64.const 100) (i64.const 6))
    (call $trap (i32.const 0) (i32.const 0))))`;

test('a trap rolls back heap writes, globals, memory growth and stable memory', async () => {
  const canister = await watCanister(WRITES_THEN_TRAPS);
  executeRequest(round(), canister, ingress('setup'));
  const heapBefore = new Uint8Array(canister.wasm?.memory.buffer ?? new ArrayBuffer(0)).slice();
  const stableBefore = new Uint8Array(6);
  canister.stable.read(0, stableBefore, 0, 6);
  const r = round();
  executeRequest(r, canister, ingress('fail', 'message-2'));
  assert.equal(r.ingressResults[0]?.result.kind, 'reject');
  const heapAfter = new Uint8Array(canister.wasm?.memory.buffer ?? new ArrayBuffer(0));
  assert.equal(heapAfter.length, heapBefore.length);
  assert.deepEqual(heapAfter, heapBefore);
  assert.equal(canister.wasm?.globals[0]?.value, 7);
  assert.equal(canister.stable.sizePages, 1n);
  const stableAfter = new Uint8Array(6);
  canister.stable.read(0, stableAfter, 0, 6);
  assert.equal(new TextDecoder().decode(stableAfter), 'before');
  assert.deepEqual(stableAfter, stableBefore);
});

test('requests take their reply limit, freezing limit, memory limit and journal policy from the context', async () => {
  const canister = await watCanister(WRITES_THEN_TRAPS);
  const env = environment();
  const entry = { kind: 'export', name: 'canister_update setup' } as const;
  const budget = { instructions: 1n, responded: false };
  const update = requestFor(canister, { kind: 'update', caller: USER, arg: new Uint8Array(0), callContextId: 1, deadline: 0n }, entry, env, budget);
  assert.equal(update.limits.maxReplySize, MAX_REPLICATED_RESPONSE);
  assert.equal(update.wasmMemoryLimit, canister.settings.wasmMemoryLimit);
  assert.equal(update.keepJournal, false);
  assert.ok(update.limits.freezingLimit > 0n);
  const query = requestFor(canister, { kind: 'nonReplicatedQuery', caller: USER, arg: new Uint8Array(0), dataCertificate: undefined }, entry, env, budget);
  assert.equal(query.limits.maxReplySize, MAX_QUERY_RESPONSE);
  assert.equal(query.wasmMemoryLimit, undefined);
  assert.equal(query.keepJournal, true);
  assert.equal(query.limits.freezingLimit, 0n);
  const task = requestFor(canister, { kind: 'systemTask', task: 'heartbeat', callContextId: 1 }, entry, env, budget);
  assert.equal(task.limits.maxReplySize, 0);
  assert.equal(task.keepJournal, false);
});

const BULK_THEN_TRAPS = `(module
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 1)
  (data (i32.const 4000) "before the message, across two pages")
  (func (export "canister_update fail")
    (i32.store8 (i32.const 4001) (i32.const 88))
    (memory.fill (i32.const 3000) (i32.const 77) (i32.const 3000))
    (memory.copy (i32.const 8000) (i32.const 3000) (i32.const 200))
    (memory.fill (i32.const 3500) (i32.const 66) (i32.const 2000))
    (call $trap (i32.const 0) (i32.const 0))))`;

test('bulk writes over pages a store already dirtied, and over clean ones, roll back to the content before the message', async () => {
  const canister = await watCanister(BULK_THEN_TRAPS);
  const heapBefore = new Uint8Array(canister.wasm!.memory.buffer).slice();
  const r = round();
  executeRequest(r, canister, ingress('fail'));
  assert.equal(r.ingressResults[0]?.result.kind, 'reject');
  assert.deepEqual(new Uint8Array(canister.wasm!.memory.buffer), heapBefore);
});

const OVERWRITES_STABLE = `(module
  (import "ic0" "stable64_grow" (func $grow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $write (param i64 i64 i64)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_update setup")
    (memory.fill (i32.const 0) (i32.const 65) (i32.const 12288))
    (drop (call $grow (i64.const 1)))
    (call $write (i64.const 0) (i64.const 0) (i64.const 12288))
    (call $reply))
  (func $overwrite
    (memory.fill (i32.const 0) (i32.const 66) (i32.const 12288))
    ;; pages 0 and 1 whole, page 2 in part
    (call $write (i64.const 0) (i64.const 0) (i64.const 10000)))
  (func (export "canister_update fail") (call $overwrite) (call $trap (i32.const 0) (i32.const 0)))
  (func (export "canister_update overwrite") (call $overwrite) (call $reply)))`;

test('stable pages overwritten whole or in part roll back on a trap, and keep the new bytes otherwise', async () => {
  const canister = await watCanister(OVERWRITES_STABLE);
  executeRequest(round(), canister, ingress('setup'));
  const read = () => {
    const bytes = new Uint8Array(12288);
    canister.stable.read(0, bytes, 0, bytes.length);
    return bytes;
  };
  const r = round();
  executeRequest(r, canister, ingress('fail', 'message-2'));
  assert.equal(r.ingressResults[0]?.result.kind, 'reject');
  assert.deepEqual(read(), new Uint8Array(12288).fill(65));
  executeRequest(round(), canister, ingress('overwrite', 'message-3'));
  const expected = new Uint8Array(12288).fill(65);
  expected.fill(66, 0, 10000);
  assert.deepEqual(read(), expected);
});
