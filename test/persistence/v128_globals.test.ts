// v128 globals are canister state like any other global: a mutable one keeps what a message set
// across messages, rolls back with a trap, goes into snapshots and survives a graceful restart
// (checkpoint) and a crash (round log); an immutable one keeps its module value.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { storeOf } from '../../src/api/testing.ts';
import { instantiate, loadGlobals } from '../../src/execution/index.ts';
import { candid } from '../../src/management/index.ts';
import { parseCanisterModule } from '../../src/wasm/index.ts';
import { wat } from '../support/build.ts';
import { loadSnapshot, takeSnapshot, tempDir } from './_helpers.ts';

const VECTORS = `(module
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 1)
  (global $v (mut v128) (v128.const i64x2 1 2))
  (global $k v128 (v128.const i32x4 7 7 7 7))
  (func (export "canister_update set")
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 16))
    (global.set $v (v128.load (i32.const 0)))
    (call $reply))
  (func (export "canister_update set_then_trap")
    (global.set $v (v128.const i64x2 -1 -1))
    (call $trap (i32.const 0) (i32.const 0)))
  (func (export "canister_query get")
    (v128.store (i32.const 100) (global.get $v))
    (v128.store (i32.const 116) (global.get $k))
    (call $append (i32.const 100) (i32.const 32))
    (call $reply)))`;

const VALUE = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
const INITIAL = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
const SEVENS = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 7 : 0));

async function read(ic: Capsule, canisterId: Principal): Promise<{ v: Uint8Array; k: Uint8Array }> {
  const reply = await ic.queryCall({ canisterId, method: 'get' });
  return { v: reply.slice(0, 16), k: reply.slice(16, 32) };
}

async function setUp(stateDir?: string): Promise<{ ic: Capsule; canisterId: Principal }> {
  const ic = await Capsule.create({ costSchedule: 'free', ...(stateDir ? { stateDir } : {}) });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(VECTORS) });
  return { ic, canisterId };
}

test('a v128 global keeps the value a message set across messages, and a trap rolls it back', async () => {
  const { ic, canisterId } = await setUp();
  assert.deepEqual(await read(ic, canisterId), { v: INITIAL, k: SEVENS });
  await ic.updateCall({ canisterId, method: 'set', arg: VALUE });
  assert.deepEqual(await read(ic, canisterId), { v: VALUE, k: SEVENS });
  await assert.rejects(ic.updateCall({ canisterId, method: 'set_then_trap' }));
  assert.deepEqual(await read(ic, canisterId), { v: VALUE, k: SEVENS });
  await ic.close();
});

test('a canister snapshot keeps v128 globals, reports them in its metadata, and loading it restores them', async () => {
  const { ic, canisterId } = await setUp();
  await ic.updateCall({ canisterId, method: 'set', arg: VALUE });
  const snapshot = await takeSnapshot(ic, canisterId);
  await ic.updateCall({ canisterId, method: 'set', arg: INITIAL });
  await loadSnapshot(ic, canisterId, snapshot);
  assert.deepEqual(await read(ic, canisterId), { v: VALUE, k: SEVENS });
  const metadataArg = candid.encodeManagementArg('read_canister_snapshot_metadata', { canister_id: canisterId, snapshot_id: snapshot });
  const metadata = candid.decodeManagementResult('read_canister_snapshot_metadata', await ic.callManagement('read_canister_snapshot_metadata', metadataArg));
  const asBigint = (bytes: Uint8Array) => bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
  assert.deepEqual(metadata.globals, [{ v128: asBigint(VALUE) }, { v128: asBigint(SEVENS) }]);
  await ic.close();
});

for (const stop of ['close', 'crash'] as const) {
  test(`a v128 global survives a restart after a ${stop === 'close' ? 'graceful close (checkpoint)' : 'crash (round log)'}`, async () => {
    const stateDir = join(tempDir(`v128-${stop}`), 'state');
    const { ic, canisterId } = await setUp(stateDir);
    await ic.updateCall({ canisterId, method: 'set', arg: VALUE });
    const hash = await ic.stateHash();
    if (stop === 'close') await ic.close();
    else storeOf(ic)!.abandon();
    const reopened = await Capsule.create({ stateDir });
    assert.deepEqual(await read(reopened, canisterId), { v: VALUE, k: SEVENS });
    assert.equal(await reopened.stateHash(), hash);
    await reopened.close();
  });
}

test('a stored v128 value from before v128 globals were readable (undefined) loads as the module value', async () => {
  const wasm = instantiate(parseCanisterModule(await wat(VECTORS)));
  loadGlobals(wasm, [undefined as unknown as bigint, undefined as unknown as bigint]);
  assert.equal(wasm.globals[0]!.value, (2n << 64n) | 1n);
  assert.throws(() => {
    wasm.globals[1]!.value = 5n;
  }, TypeError);
});
