// A heap near the IC's limits streams through hashing, commits, checkpoints and restarts: growth
// writes only the pages a message touched, and no step holds a copy of the heap in memory.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallError, Capsule } from '../../src/api/index.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';
import { wat } from '../support/build.ts';
import { readU32, SEED, START, u32 } from './_canisters.ts';
import { takeSnapshot, tempDir } from './_helpers.ts';

const PAGE = 4096;
const MIB = 2 ** 20;
const HEAP = 2.5 * 2 ** 30;
/** 4 KiB pages the canister writes after growing, far apart (the last is the heap's last page). */
const WRITTEN = [1, 100_000, 400_000, HEAP / PAGE - 1];

const LARGE_WAT = `
(module
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func $arg (result i32)
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.load (i32.const 0)))
  (func $reply_i32 (param $v i32)
    (i32.store (i32.const 16) (local.get $v))
    (call $append (i32.const 16) (i32.const 4))
    (call $reply))
  (func $mark (param $page i32)
    (i32.store8 (i32.mul (local.get $page) (i32.const ${PAGE})) (i32.const 1)))
  ;; grows to the argument's 64 KiB pages and writes one byte in each of the pages listed in WRITTEN
  (func (export "canister_update grow_and_write")
    (drop (memory.grow (i32.sub (call $arg) (memory.size))))
    ${WRITTEN.map((page) => `(call $mark (i32.const ${page}))`).join('\n    ')}
    (call $reply_i32 (memory.size)))
  ;; grows by one 64 KiB page, writes in it, then traps: the growth is rolled back
  (func (export "canister_update grow_and_trap")
    (call $mark (i32.mul (memory.grow (i32.const 1)) (i32.const 16)))
    (unreachable))
  (func (export "canister_query peek")
    (call $reply_i32 (i32.load8_u (i32.mul (call $arg) (i32.const ${PAGE})))))
  (func (export "canister_query size")
    (call $reply_i32 (memory.size))))`;


test('a 2.5 GiB heap is hashed, committed, snapshotted, checkpointed and reopened writing and holding only its touched pages', async () => {
  const dir = tempDir('large-heap');
  const stateDir = join(dir, 'state');
  let ic = await Capsule.create({ stateDir, seed: SEED, time: START, costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(LARGE_WAT) });
  const written = () => storeOf(ic)!.stats.bytesWritten;
  const residentBefore = process.memoryUsage().rss;

  const beforeGrow = written();
  assert.equal(readU32(await ic.updateCall({ canisterId, method: 'grow_and_write', arg: u32(HEAP / 65536) })), HEAP / 65536);
  const growth = written() - beforeGrow;
  // the written pages, page 0 (the argument) and the round's small records
  assert.ok(growth < (WRITTEN.length + 1) * PAGE + 8192, `growing to 2.5 GiB and writing ${WRITTEN.length} pages wrote ${growth} bytes`);

  // a trap after growing rolls the growth back (rebuilding the instance from the 2.5 GiB heap)
  await assert.rejects(ic.updateCall({ canisterId, method: 'grow_and_trap' }), CallError);
  assert.equal(readU32(await ic.queryCall({ canisterId, method: 'size' })), HEAP / 65536);

  const snapshotId = await takeSnapshot(ic, canisterId);
  assert.equal(replicaOf(ic).canister(canisterId)!.snapshots[0]!.heap.length, HEAP);
  const hash = await ic.stateHash();
  const beforeClose = written();
  await ic.close();
  const checkpoint = written() - beforeClose;
  // heap and snapshot: each the written pages and page 0, plus modules, metadata and the manifest
  assert.ok(checkpoint < 2 * (WRITTEN.length + 1) * PAGE + 64 * 1024, `a checkpoint of the 2.5 GiB heap and its snapshot wrote ${checkpoint} bytes`);

  ic = await Capsule.create({ stateDir });
  const canister = replicaOf(ic).canister(canisterId)!;
  assert.equal(canister.wasm!.memory.buffer.byteLength, HEAP);
  assert.deepEqual(canister.snapshots[0]!.id, snapshotId);
  for (const page of WRITTEN) assert.equal(readU32(await ic.queryCall({ canisterId, method: 'peek', arg: u32(page) })), 1, `page ${page}`);
  assert.equal(readU32(await ic.queryCall({ canisterId, method: 'peek', arg: u32(WRITTEN[1]! + 1) })), 0);
  assert.equal(await ic.stateHash(), hash, 'the reopened state hashes as before');
  // Two heaps of 2.5 GiB are live (canister and snapshot) and `arrayBuffers` counts the snapshot's
  // whole, but untouched pages stay lazily zero: resident memory is what measures a copy.
  const residentGrowth = process.memoryUsage().rss - residentBefore;
  assert.ok(residentGrowth < 256 * MIB, `resident memory grew by ${(residentGrowth / MIB).toFixed(0)} MiB`);
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});
