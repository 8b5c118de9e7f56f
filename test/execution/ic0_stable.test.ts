// The stable memory System API: writes copy heap bytes into stable pages, reads copy them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRequest } from '../../src/execution/index.ts';
import { ingress, round, watCanister } from './_canister.ts';

// `write` stores "abcd" at heap 0, copies it to stable offset 4094 (across a page boundary), then
// overwrites the heap; `read` copies the stable bytes back to heap 100.
const WRITES_THEN_OVERWRITES = `(module
  (import "ic0" "stable64_grow" (func $grow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $write (param i64 i64 i64)))
  (import "ic0" "stable64_read" (func $read (param i64 i64 i64)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_update write")
    (drop (call $grow (i64.const 1)))
    (i32.store (i32.const 0) (i32.const 0x64636261))
    (call $write (i64.const 4094) (i64.const 0) (i64.const 4))
    (i32.store (i32.const 0) (i32.const 0x5a5a5a5a))
    (call $reply))
  (func (export "canister_update read")
    (call $read (i64.const 100) (i64.const 4094) (i64.const 4))
    (call $reply)))`;

test('stable64_write copies the heap bytes: overwriting the heap afterwards leaves stable memory unchanged', async () => {
  const canister = await watCanister(WRITES_THEN_OVERWRITES);
  executeRequest(round(), canister, ingress('write'));
  const stable = new Uint8Array(4);
  canister.stable.read(4094, stable, 0, 4);
  assert.equal(new TextDecoder().decode(stable), 'abcd');
  executeRequest(round(), canister, ingress('read', 'message-2'));
  const heap = new Uint8Array(canister.wasm!.memory.buffer);
  assert.equal(new TextDecoder().decode(heap.subarray(100, 104)), 'abcd');
  assert.equal(new TextDecoder().decode(heap.subarray(0, 4)), 'ZZZZ');
});
