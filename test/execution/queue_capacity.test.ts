// The replica caps the calls a canister may have outstanding to one destination (its queue capacity,
// 500 by default): past it `ic0.call_perform` fails with SYS_TRANSIENT and no call is made, so a
// message cannot queue an unbounded number of calls. The subnet's guaranteed-response message memory
// (15 GiB by default) bounds all outstanding calls together the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { RESPONSE_SLOT_BYTES } from '../../src/execution/index.ts';
import { DEFAULT_MESSAGE_MEMORY_CAPACITY } from '../../src/state/index.ts';
import { wat } from '../support/build.ts';

/** `spam` performs `n` calls (n from the argument's first byte × 100) to itself and replies with how many succeeded. */
const SPAMMER = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg (param i32 i32 i32)))
  (import "ic0" "canister_self_copy" (func $self_copy (param i32 i32 i32)))
  (import "ic0" "canister_self_size" (func $self_size (result i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (memory 1) (table 1 funcref) (elem (i32.const 0) $ignore)
  (data (i32.const 200) "noop")
  (func $ignore (param i32))
  (func (export "canister_update noop") (call $reply))
  (func (export "canister_update spam") (local $i i32) (local $n i32) (local $ok i32)
    (call $arg (i32.const 300) (i32.const 0) (i32.const 1))
    (local.set $n (i32.mul (i32.load8_u (i32.const 300)) (i32.const 100)))
    (call $self_copy (i32.const 100) (i32.const 0) (call $self_size))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $call_new (i32.const 100) (call $self_size) (i32.const 200) (i32.const 4)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
      (if (i32.eqz (call $call_perform)) (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 0) (local.get $ok))
    (call $append (i32.const 0) (i32.const 4))
    (call $reply)))`;

/** How many calls each of `rounds` successive `spam` messages managed to make. */
async function spam(options: { queueCapacity?: number; messageMemoryCapacity?: bigint }, hundreds: number, messages = 1): Promise<number[]> {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free', ...options });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(SPAMMER) });
  const made: number[] = [];
  for (let i = 0; i < messages; i++) {
    const reply = await ic.updateCall({ canisterId, method: 'spam', arg: new Uint8Array([hundreds]) });
    made.push(new DataView(reply.buffer, reply.byteOffset).getUint32(0, true));
  }
  await ic.close();
  return made;
}

test('call_perform fails past the replica queue capacity of 500 calls to one destination', async () => {
  assert.deepEqual(await spam({}, 6), [500]);
});

test('the queue capacity is configuration', async () => {
  assert.deepEqual(await spam({ queueCapacity: 10 }, 1), [10]);
});

test("the subnet's message memory bounds outstanding guaranteed-response calls, one largest-response slot each, and answered calls free their slots", async () => {
  assert.equal(DEFAULT_MESSAGE_MEMORY_CAPACITY, 15n * 1024n ** 3n);
  assert.equal(RESPONSE_SLOT_BYTES, 2n * 1024n * 1024n + 16n);
  assert.deepEqual(await spam({ messageMemoryCapacity: 7n * RESPONSE_SLOT_BYTES }, 1, 2), [7, 7]);
});
