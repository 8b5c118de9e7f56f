// The System API table: one entry per ic0 function, agreeing with the wasm signatures, typed by them,
// and enforced at call time (contexts and overhead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRequest, type Ic0Group, type Ic0Table, OVERHEAD, SYSTEM_API } from '../../src/execution/index.ts';
import { IC0_SIGNATURES } from '../../src/wasm/index.ts';
import { IC0_REPLICA_EXTRA_NAMES, IC0_SPEC_NAMES } from '../vectors/ic0_spec_names.ts';
import { ingress, round, watCanister } from './_canister.ts';

const LETTERS = new Set(['s', 'I', 'G', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F', 'T']);

test('the System API table has exactly one entry per function of the signature table', () => {
  assert.deepEqual(Object.keys(SYSTEM_API).sort(), Object.keys(IC0_SIGNATURES).sort());
  assert.deepEqual(Object.keys(SYSTEM_API).sort(), [...IC0_SPEC_NAMES, ...IC0_REPLICA_EXTRA_NAMES].sort());
});

test('a table missing a function does not compile', () => {
  // @ts-expect-error: every ic0 function needs its entry (contexts, overhead, handler).
  const partial: Ic0Table = { msg_reply: SYSTEM_API.msg_reply };
  assert.equal(Object.keys(partial).length, 1);
});

test('every function is allowed somewhere, only in contexts the spec defines, and costs a positive overhead', () => {
  for (const [name, entry] of Object.entries(SYSTEM_API)) {
    assert.ok(entry.allowed.length > 0, name);
    for (const letter of entry.allowed) assert.ok(LETTERS.has(letter), `${name}: ${letter}`);
    assert.ok(entry.overhead > 0n, name);
  }
});

test('overheads follow the replica: call_perform and call_new cost most, stable accesses least', () => {
  assert.equal(SYSTEM_API.call_perform.overhead, 5_000n);
  assert.equal(SYSTEM_API.call_new.overhead, 1_500n);
  assert.equal(SYSTEM_API.stable64_read.overhead, 20n);
  assert.equal(SYSTEM_API.msg_reply.overhead, OVERHEAD.standard);
});

test('handler parameters are typed by the signature: i64 is bigint, i32 is number, I is either', () => {
  const group = {
    // @ts-expect-error: msg_cycles_accept128 takes (i64, i64, I); its first argument is a bigint.
    msg_cycles_accept128: { allowed: ['U'], overhead: 1n, handler: (_api, high: number) => void high },
    // @ts-expect-error: performance_counter returns an i64, so its handler returns a bigint.
    performance_counter: { allowed: ['U'], overhead: 1n, handler: () => 0 },
  } satisfies Ic0Group;
  const unknown = {
    // @ts-expect-error: no ic0 function has this name.
    msg_unknown: { allowed: ['U'], overhead: 1n, handler: () => undefined },
  } satisfies Ic0Group;
  const typed = { stable_grow: { allowed: ['U'], overhead: 1n, handler: (_api, pages: number) => pages } } satisfies Ic0Group;
  assert.equal(typed.stable_grow.handler(undefined as never, 3), 3);
  assert.ok(group && unknown);
});

const CANISTER = `(module
  (import "ic0" "time" (func $time (result i64)))
  (import "ic0" "performance_counter" (func $counter (param i32) (result i64)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "accept_message" (func $accept))
  (memory 1)
  (func (export "canister_update time") (local $before i64)
    (local.set $before (call $counter (i32.const 0)))
    (drop (call $time))
    (i64.store (i32.const 0) (i64.sub (call $counter (i32.const 0)) (local.get $before)))
    (call $append (i32.const 0) (i32.const 8))
    (call $reply))
  (func (export "canister_update accept") (call $accept) (call $reply)))`;

test('a function called outside its contexts traps with the replica wording', async () => {
  const canister = await watCanister(CANISTER);
  const r = round();
  executeRequest(r, canister, ingress('accept'));
  const result = r.ingressResults[0]?.result;
  assert.equal(result?.kind, 'reject');
  assert.match(result.kind === 'reject' ? result.message : '', /"ic0_accept_message" cannot be executed in update mode/);
});

test('each system call is charged its overhead in instructions', async () => {
  const canister = await watCanister(CANISTER);
  const r = round();
  executeRequest(r, canister, ingress('time'));
  const result = r.ingressResults[0]?.result;
  assert.equal(result?.kind, 'reply');
  const delta = new DataView((result.kind === 'reply' ? result.payload : new Uint8Array(8)).slice().buffer).getBigUint64(0, true);
  // Between the two counter reads: time (500) and the second performance_counter (200), plus a few wasm instructions.
  const overheads = SYSTEM_API.time.overhead + SYSTEM_API.performance_counter.overhead;
  assert.ok(delta >= overheads && delta < overheads + 20n, `delta ${delta}`);
});
