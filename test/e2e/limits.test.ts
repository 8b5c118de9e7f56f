// A canister that loops, recurses without end or exhausts memory is stopped by limits, never by
// crashing Capsule, and loses nothing but the failed message (the IC's resource limits). The instruction
// limits are lowered here so that a loop reaches them in milliseconds (the IC's 40 B take ~16 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CallError, Capsule } from '../../src/api/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { wat } from '../support/build.ts';
import { replicaOf } from '../../src/api/testing.ts';

const MODULE = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1)
  (global $count (mut i32) (i32.const 0))
  (func $recurse (param i32) (result i32) (i32.add (call $recurse (local.get 0)) (i32.const 1)))
  (func (export "canister_update spin") (global.set $count (i32.const 99)) (loop $l (br $l)))
  (func (export "canister_query spinQuery") (loop $l (br $l)))
  (func (export "canister_update recurse") (global.set $count (i32.const 99)) (drop (call $recurse (i32.const 0))))
  (func (export "canister_update grow")
    (global.set $count (i32.const 99))
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (call $reply))
  (func (export "canister_update inc")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 0) (global.get $count)) (call $append (i32.const 0) (i32.const 4)) (call $reply)))`;

const count = (reply: Uint8Array) => new DataView(reply.buffer, reply.byteOffset).getUint32(0, true);

test('loops, endless recursion and memory exhaustion are stopped by limits; the canister keeps serving', async () => {
  const ic = await Capsule.create({ costSchedule: 'free', instructionLimits: { update: 50_000_000n, query: 20_000_000n } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(MODULE) });
  assert.equal(count(await ic.updateCall({ canisterId, method: 'inc' })), 1);

  const started = performance.now();
  await assert.rejects(ic.updateCall({ canisterId, method: 'spin' }), (error: CallError) => error.errorCode === 'IC0522' && /limit of 50000000 instructions/.test(error.rejectMessage));
  assert.ok(performance.now() - started < 5_000, 'the limit stops the loop promptly');
  await assert.rejects(ic.queryCall({ canisterId, method: 'spinQuery' }), (error: CallError) => error.errorCode === 'IC0522');
  await assert.rejects(ic.updateCall({ canisterId, method: 'recurse' }), (error: CallError) => error.rejectCode === 5 && /stack overflow|instructions/.test(error.rejectMessage));

  // A 1 MiB memory limit: growing past it traps (wasm_memory_limit) and the growth is undone.
  await ic.callManagement('update_settings', candid.encodeManagementArg('update_settings', {
    canister_id: canisterId,
    settings: { ...emptySettings(), wasm_memory_limit: [1n << 20n] },
    sender_canister_version: [],
  }));
  await assert.rejects(ic.updateCall({ canisterId, method: 'grow' }), (error: CallError) => error.errorCode === 'IC0539');
  assert.equal(replicaOf(ic).canister(canisterId)!.wasm!.memory.buffer.byteLength, 65536, 'the heap is back to its size before the message');

  assert.equal(count(await ic.updateCall({ canisterId, method: 'inc' })), 2, 'no failed message left a trace');
});

test('an endless canister_init fails the install and leaves the canister empty', async () => {
  const ic = await Capsule.create({ costSchedule: 'free', instructionLimits: { install: 30_000_000n } });
  const canisterId = await ic.createCanister();
  const wasm = await wat(`(module (func (export "canister_init") (loop $l (br $l))))`);
  await assert.rejects(ic.installCode({ canisterId, wasm }), (error: CallError) => error.errorCode === 'IC0522');
  assert.equal(replicaOf(ic).canister(canisterId)!.wasm, undefined);
});
