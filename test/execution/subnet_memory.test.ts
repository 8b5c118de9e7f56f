// The subnet's memory capacity: creation with a memory allocation, installation and memory growth that
// the subnet cannot take fail with the replica's errors, and what failed takes nothing from the subnet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallError, Capsule } from '../../src/api/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { wat } from '../support/build.ts';

const MIB = 2n ** 20n;

const GROWER_WAT = `
(module
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "stable64_grow" (func $stable_grow (param i64) (result i64)))
  (memory 1)
  (func $arg (result i32)
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.load (i32.const 0)))
  (func $reply_i64 (param $v i64)
    (i64.store (i32.const 16) (local.get $v))
    (call $append (i32.const 16) (i32.const 8))
    (call $reply))
  (func (export "canister_update grow")
    (call $reply_i64 (i64.extend_i32_s (memory.grow (call $arg)))))
  (func (export "canister_update stable_grow")
    (call $reply_i64 (call $stable_grow (i64.extend_i32_u (call $arg)))))
  (func (export "canister_query size")
    (call $reply_i64 (i64.extend_i32_u (memory.size)))))`;

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function i64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(0, true);
}

function oversubscribed(requested: string, available: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof CallError, String(error));
    assert.equal(error.errorCode, 'IC0101');
    assert.equal(error.rejectCode, 1);
    assert.equal(error.rejectMessage, `Canister requested ${requested} of memory but only ${available} are available in the subnet.`);
    return true;
  };
}

test('a subnet of 64 MiB with 16 MiB reserved refuses allocations, installs and growth beyond its 48 MiB, and keeps the failed ones from taking any', async () => {
  const ic = await Capsule.create({ costSchedule: 'free', subnetMemoryCapacity: 64n * MIB, subnetMemoryReservation: 16n * MIB });
  const create = (memoryAllocation: bigint) =>
    ic.callManagement(
      'provisional_create_canister_with_cycles',
      candid.encodeManagementArg('provisional_create_canister_with_cycles', {
        amount: [],
        settings: [{ ...emptySettings(), memory_allocation: [memoryAllocation] }],
        specified_id: [],
        sender_canister_version: [],
      }),
    );
  await assert.rejects(create(100n * MIB), oversubscribed('100.00 MiB', '48.00 MiB'));

  const grower = await wat(GROWER_WAT);
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: grower });
  const size = async () => i64(await ic.queryCall({ canisterId, method: 'size' }));
  // 40 MiB of heap fits; 8 MiB more does not (the module and the first page take some of the rest)
  assert.equal(i64(await ic.updateCall({ canisterId, method: 'grow', arg: u32(640) })), 1n);
  await assert.rejects(ic.updateCall({ canisterId, method: 'grow', arg: u32(128) }), (error: unknown) => {
    assert.ok(error instanceof CallError);
    assert.equal(error.errorCode, 'IC0507', error.message);
    return true;
  });
  assert.equal(await size(), 641n, 'the trapped growth is rolled back');
  assert.equal(i64(await ic.updateCall({ canisterId, method: 'stable_grow', arg: u32(128) })), -1n, 'stable memory cannot grow past the subnet either');
  assert.equal(i64(await ic.updateCall({ canisterId, method: 'stable_grow', arg: u32(16) })), 0n, '1 MiB of stable memory still fits');

  // A module whose initial memory (8 MiB) the subnet cannot take is refused at installation.
  const large = await wat(GROWER_WAT.replace('(memory 1)', '(memory 128)'));
  const other = await ic.createCanister();
  await assert.rejects(ic.installCode({ canisterId: other, wasm: large }), (error: unknown) => {
    assert.ok(error instanceof CallError);
    assert.equal(error.errorCode, 'IC0101');
    assert.match(error.rejectMessage, /^Canister requested 8\.\d\d MiB of memory but only 6\.\d\d MiB are available in the subnet\.$/);
    return true;
  });
  // The refused install took nothing: a small module still fits, and so does an allocation of what is left.
  await ic.installCode({ canisterId: other, wasm: grower });
  await assert.rejects(create(7n * MIB), /^.*Canister requested 7\.00 MiB of memory but only 6\.8\d MiB are available in the subnet\.$/);
  await create(6n * MIB);
  // the allocation holds its 6 MiB: the first canister cannot grow into them
  await assert.rejects(ic.updateCall({ canisterId, method: 'grow', arg: u32(16) }), /IC0507/);
  await ic.close();
});

/** `grow_in_callback(pages)` calls itself and grows its heap in the reply callback; `grow(pages)` grows at once. */
const CALLBACK_GROWER_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg (param i32 i32 i32)))
  (import "ic0" "canister_self_copy" (func $self_copy (param i32 i32 i32)))
  (import "ic0" "canister_self_size" (func $self_size (result i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (memory 1) (table 1 funcref) (elem (i32.const 0) $on_reply)
  (data (i32.const 200) "noop")
  (func $reply_i32 (param $v i32)
    (i32.store (i32.const 0) (local.get $v))
    (call $append (i32.const 0) (i32.const 4))
    (call $reply))
  (func $on_reply (param i32)
    (call $reply_i32 (memory.grow (i32.load (i32.const 300)))))
  (func (export "canister_update noop") (call $reply))
  (func (export "canister_update grow")
    (call $arg (i32.const 300) (i32.const 0) (i32.const 4))
    (call $reply_i32 (memory.grow (i32.load (i32.const 300)))))
  (func (export "canister_update grow_in_callback")
    (call $arg (i32.const 300) (i32.const 0) (i32.const 4))
    (call $self_copy (i32.const 100) (i32.const 0) (call $self_size))
    (call $call_new (i32.const 100) (call $self_size) (i32.const 200) (i32.const 4)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (call $call_perform))))`;

test('response callbacks may grow into the reservation that other messages may not touch', async () => {
  const ic = await Capsule.create({ costSchedule: 'free', subnetMemoryCapacity: 64n * MIB, subnetMemoryReservation: 16n * MIB });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(CALLBACK_GROWER_WAT) });
  // 50 MiB: more than the 48 MiB outside the reservation, less than the 64 MiB a callback may use
  await assert.rejects(ic.updateCall({ canisterId, method: 'grow', arg: u32(800) }), /IC0507/);
  const reply = await ic.updateCall({ canisterId, method: 'grow_in_callback', arg: u32(800) });
  assert.equal(new DataView(reply.buffer, reply.byteOffset).getInt32(0, true), 1, 'the callback grew the heap from its one page');
  await ic.close();
});
