// Inspection and portability: a state directory lists its canisters; a canister exported
// as a snapshot file and imported into another directory loads with load_canister_snapshot; pieces
// uploaded into a snapshot survive a crash (they are logged, not the whole snapshot).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { candid } from '../../src/management/index.ts';
import { exportCanister, importCanister, inspectStateDir, PersistenceError } from '../../src/persistence/index.ts';
import { pagerWasm, readU32, SEED, START, u32 } from './_canisters.ts';
import { loadSnapshot, takeSnapshot, tempDir } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

test('inspect lists canisters, sizes and the last round; export and import move a canister between directories', async () => {
  const dir = tempDir('port');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const wasm = await pagerWasm();
  const source = await Capsule.create({ stateDir: a, seed: SEED, time: START });
  const canisterId = await source.createCanister();
  await source.installCode({ canisterId, wasm });
  for (let i = 1; i <= 6; i++) await source.updateCall({ canisterId, method: 'step', arg: u32(i) });
  const snapshotId = await takeSnapshot(source, canisterId);
  await source.updateCall({ canisterId, method: 'step', arg: u32(7) });
  // inspection reads a directory in use, without writing to it
  const summary = inspectStateDir(a);
  assert.equal(summary.round, replicaOf(source).state.round);
  assert.equal(summary.subnetId, source.subnetId.toText());
  assert.deepEqual(
    summary.canisters.map((c) => [c.id, c.status, c.heapBytes, c.stableBytes, c.snapshots, c.moduleHash?.length]),
    [[canisterId.toText(), 'running', 9n * 65536n, 4n * 65536n, 1, 64]],
  );
  const current = exportCanister(a, canisterId, join(dir, 'current.snap'));
  const older = exportCanister(a, canisterId.toText(), join(dir, 'older.snap'), { snapshotId: Buffer.from(snapshotId).toString('hex') });
  assert.ok(current.bytes < 20 * 4096, `export of a canister with a few pages: ${current.bytes} bytes`);
  assert.equal(older.snapshotId, Buffer.from(snapshotId).toString('hex'));
  await source.close();

  let target = await Capsule.create({ stateDir: b, time: START });
  const other = await target.createCanister();
  await target.close();
  assert.throws(() => importCanister(b, 'rrkah-fqaaa-aaaaa-aaaaq-cai', join(dir, 'current.snap')), (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'canisterNotFound');
  const imported = importCanister(b, other, join(dir, 'current.snap'));
  const importedOlder = importCanister(b, other, join(dir, 'older.snap'));
  target = await Capsule.create({ stateDir: b });
  const get = async () => {
    const reply = await target.queryCall({ canisterId: other, method: 'get' });
    return [readU32(reply, 0), readU32(reply, 4)];
  };
  await loadSnapshot(target, other, Buffer.from(imported.snapshotId, 'hex'));
  assert.deepEqual(await get(), [7, 7]);
  await loadSnapshot(target, other, Buffer.from(importedOlder.snapshotId, 'hex'));
  assert.deepEqual(await get(), [6, 6]);
  await target.updateCall({ canisterId: other, method: 'step', arg: u32(8) });
  assert.deepEqual(await get(), [8, 7]);
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

test('pieces uploaded into a snapshot are durable before the upload is acknowledged', async () => {
  const dir = tempDir('upload');
  const stateDir = join(dir, 'state');
  let ic = await Capsule.create({ stateDir, seed: SEED, time: START });
  const canisterId = await ic.createCanister();
  const wasm = await pagerWasm();
  const memory = new Uint8Array(65536).fill(3);
  const metadata = candid.encodeManagementArg('upload_canister_snapshot_metadata', {
    canister_id: canisterId,
    replace_snapshot: [],
    wasm_module_size: BigInt(wasm.length),
    globals: [{ i32: 0 }],
    wasm_memory_size: BigInt(memory.length),
    stable_memory_size: 0n,
    certified_data: new Uint8Array(0),
    global_timer: [],
    on_low_wasm_memory_hook_status: [],
  });
  const { snapshot_id } = candid.decodeManagementResult('upload_canister_snapshot_metadata', await ic.callManagement('upload_canister_snapshot_metadata', metadata));
  const upload = (kind: { wasm_module: { offset: bigint } } | { wasm_memory: { offset: bigint } }, chunk: Uint8Array) =>
    ic.callManagement('upload_canister_snapshot_data', candid.encodeManagementArg('upload_canister_snapshot_data', { canister_id: canisterId, snapshot_id, kind, chunk }));
  await upload({ wasm_module: { offset: 0n } }, wasm);
  const before = storeOf(ic)!.stats.bytesWritten;
  await upload({ wasm_memory: { offset: 4096n } }, memory.subarray(0, 8192));
  const cost = storeOf(ic)!.stats.bytesWritten - before;
  assert.ok(cost < 8192 + 4096, `an 8 KiB upload into a snapshot cost ${cost} bytes`);
  storeOf(ic)!.abandon();
  ic = await Capsule.create({ stateDir });
  const snapshot = replicaOf(ic).canister(canisterId)!.snapshots[0]!;
  assert.deepEqual(snapshot.wasmModule, wasm);
  assert.deepEqual(snapshot.heap.subarray(4096, 4096 + 8192), memory.subarray(0, 8192));
  assert.equal(snapshot.heap[0], 0);
  await ic.close();
  // close() checkpoints the last round, and the checkpoint's manifest holds the uploaded snapshot.
  const summary = inspectStateDir(stateDir);
  assert.equal(summary.checkpointRound, summary.round);
  assert.deepEqual(summary.canisters.map((c) => [c.id, c.snapshots]), [[canisterId.toText(), 1]]);
  rmSync(dir, { recursive: true, force: true });
});
