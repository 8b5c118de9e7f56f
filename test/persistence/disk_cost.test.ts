// What messages cost on disk (docs/storage-format.md): an update writes the pages it touched, whatever the heap
// holds; a query or a trap leaves no page on disk; a 1 GiB heap costs the same per update as a small
// one, and comes back after a restart.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallError, Capsule } from '../../src/api/index.ts';
import { INITIAL_WASM_PAGES, pagerWasm, readU32, SEED, START, u32 } from './_canisters.ts';
import { tempDir } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

const PAGE = 4096;

async function bytesOf(ic: Capsule, run: () => Promise<unknown>): Promise<number> {
  const before = storeOf(ic)!.stats.bytesWritten;
  await run();
  return storeOf(ic)!.stats.bytesWritten - before;
}

test('queries and traps leave no trace on disk; an update writes the pages it touched', async () => {
  const dir = tempDir('cost');
  // Free: storage is not charged, so an empty round changes nothing but the round and time.
  const ic = await Capsule.create({ stateDir: join(dir, 'state'), seed: SEED, time: START, costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  await ic.tick();
  const empty = await bytesOf(ic, () => ic.tick());
  const hash = await ic.stateHash();
  for (let i = 0; i < 10; i++) await ic.queryCall({ canisterId, method: 'scribble_query' });
  assert.equal(await ic.stateHash(), hash, 'queries do not change the replicated state');
  const afterQueries = await bytesOf(ic, () => ic.tick());
  assert.equal(afterQueries, empty, 'the round after ten queries writes as much as an empty round');
  const trap = await bytesOf(ic, () => assert.rejects(ic.updateCall({ canisterId, method: 'scribble_trap' }), CallError));
  // the trap's round records only system state (cycles charged, the trap in the canister log)
  assert.ok(trap > 0 && trap < PAGE, `a trapping update that wrote 100 pages cost ${trap} bytes`);
  assert.ok(empty < PAGE, `an empty round cost ${empty} bytes`);
  const step = await bytesOf(ic, () => ic.updateCall({ canisterId, method: 'step', arg: u32(1) }));
  // heap page 0, heap page 2, stable page 1
  assert.ok(step >= 3 * PAGE && step < 4 * PAGE, `a step touching 3 pages cost ${step} bytes`);
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a 1 GiB heap: an update touching one page costs what it costs with a small heap; the heap survives a crash', async () => {
  const dir = tempDir('gib');
  const stateDir = join(dir, 'state');
  let ic = await Capsule.create({ stateDir, seed: SEED, time: START, costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  const touch = (page: number) => bytesOf(ic, () => ic.updateCall({ canisterId, method: 'touch', arg: u32(page) }));
  const small = await touch(50);
  const grow = await bytesOf(ic, () => ic.updateCall({ canisterId, method: 'grow', arg: u32(16384 - INITIAL_WASM_PAGES) }));
  assert.equal(replicaOf(ic).canister(canisterId)!.wasm!.memory.buffer.byteLength, 2 ** 30);
  assert.ok(grow < 2 * PAGE, `growing to 1 GiB cost ${grow} bytes`);
  // touch(p) writes page p and page 0 (the canister stages arguments there): two pages, whatever the heap size
  assert.ok(small >= 2 * PAGE && small < 3 * PAGE, `touching one page of a 576 KiB heap cost ${small} bytes`);
  for (const page of [5, 70_000, 140_000, 200_000, 262_143]) {
    const cost = await touch(page);
    assert.ok(Math.abs(cost - small) < 64, `touching page ${page} of a 1 GiB heap cost ${cost} bytes, of a small heap ${small}`);
  }
  const hash = await ic.stateHash();
  storeOf(ic)!.abandon();
  ic = await Capsule.create({ stateDir });
  assert.equal(replicaOf(ic).canister(canisterId)!.wasm!.memory.buffer.byteLength, 2 ** 30);
  for (const [page, value] of [[5, 1], [50, 1], [70_000, 1], [262_143, 1], [1, 0]]) {
    assert.equal(readU32(await ic.queryCall({ canisterId, method: 'peek', arg: u32(page!) })), value, `page ${page}`);
  }
  assert.equal(await ic.stateHash(), hash);
  // a checkpoint of the 1 GiB heap writes the touched pages, not the GiB
  const checkpoint = await bytesOf(ic, () => ic.close());
  assert.ok(checkpoint < 64 * PAGE, `a checkpoint of the 1 GiB heap cost ${checkpoint} bytes`);
  rmSync(dir, { recursive: true, force: true });
});

test('an empty round writes as much with twenty idle canisters as with one', async () => {
  const dir = tempDir('idle');
  // Free: storage is not charged, so idle canisters are left alone.
  const ic = await Capsule.create({ stateDir: join(dir, 'state'), seed: SEED, time: START, costSchedule: 'free' });
  const wasm = await pagerWasm();
  const emptyRound = async () => {
    await ic.tick();
    return bytesOf(ic, () => ic.tick());
  };
  await ic.installCode({ canisterId: await ic.createCanister(), wasm });
  const one = await emptyRound();
  for (let i = 0; i < 19; i++) await ic.installCode({ canisterId: await ic.createCanister(), wasm });
  assert.equal(await emptyRound(), one);
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a canister changed without being marked touched fails the round loudly under test', async () => {
  const dir = tempDir('touch');
  const ic = await Capsule.create({ stateDir: join(dir, 'state'), seed: SEED, time: START, costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.tick();
  // Reached around the door (getCanister), so persistence is not told.
  replicaOf(ic).state.canisters.get(canisterId.toHex())!.settings.freezingThreshold += 1n;
  await assert.rejects(ic.tick(), /changed \(meta: settings\) without being marked touched/);
  storeOf(ic)!.abandon();
  rmSync(dir, { recursive: true, force: true });
});
