// Recovery from damage: torn and bit-flipped log records are dropped with a warning and
// the state is the one of the last good round; a damaged checkpoint falls back to the previous one;
// a directory of another format version is refused untouched; a live directory is locked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { FORMAT_VERSION, PersistenceError, type PersistenceWarning } from '../../src/persistence/index.ts';
import { pagerWasm, readU32, SEED, START, u32 } from './_canisters.ts';
import { fileTree, records, segments, tempDir } from './_helpers.ts';
import { storeOf } from '../../src/api/testing.ts';

interface Scenario {
  stateDir: string;
  canisterId: Principal;
  /** State hash after each step (index = step count). */
  hashes: string[];
}

/** A directory holding `steps` step updates, left as a crash leaves it (no final checkpoint). */
async function scenario(label: string, steps: number, checkpointEveryRounds = 1000): Promise<Scenario> {
  const stateDir = join(tempDir(label), 'state');
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  const hashes = [await ic.stateHash()];
  for (let i = 1; i <= steps; i++) {
    await ic.updateCall({ canisterId, method: 'step', arg: u32(i) });
    hashes.push(await ic.stateHash());
  }
  storeOf(ic)!.abandon();
  return { stateDir, canisterId, hashes };
}

async function reopen(stateDir: string): Promise<{ ic: Capsule; warnings: PersistenceWarning[] }> {
  const warnings: PersistenceWarning[] = [];
  const ic = await Capsule.create({ stateDir, store: { onWarning: (warning) => warnings.push(warning) } });
  return { ic, warnings };
}

async function steps(ic: Capsule, canisterId: Principal): Promise<number> {
  return readU32(await ic.queryCall({ canisterId, method: 'get' }), 4);
}

function lastSegmentWithRecords(stateDir: string): string {
  return segments(stateDir).filter((path) => records(path).length > 0).at(-1)!;
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset]! ^= 0x10;
  writeFileSync(path, bytes);
}

test('a torn last record is dropped with a warning; the state is the previous round, and the directory keeps working', async () => {
  for (const cut of [1, 30, 4200]) {
    const { stateDir, canisterId, hashes } = await scenario('torn', 6);
    const segment = lastSegmentWithRecords(stateDir);
    const last = records(segment).at(-1)!;
    truncateSync(segment, last.offset + last.size - cut);
    const { ic, warnings } = await reopen(stateDir);
    assert.deepEqual(warnings.map((warning) => warning.kind), ['droppedLogTail'], `cut ${cut}`);
    assert.equal(await steps(ic, canisterId), 5);
    assert.equal(await ic.stateHash(), hashes[5]);
    await ic.updateCall({ canisterId, method: 'step', arg: u32(6) });
    assert.equal(await ic.stateHash(), hashes[6]);
    storeOf(ic)!.abandon();
    const again = await reopen(stateDir);
    assert.deepEqual(again.warnings, []);
    assert.equal(await again.ic.stateHash(), hashes[6]);
    await again.ic.close();
    rmSync(join(stateDir, '..'), { recursive: true, force: true });
  }
});

test('a bit flip in a record drops it and every later record', async () => {
  const { stateDir, canisterId, hashes } = await scenario('flip', 8);
  const segment = lastSegmentWithRecords(stateDir);
  const all = records(segment);
  // the records are: create, install, step 1..8; damage step 6's page data
  const target = all.at(-3)!;
  flipByte(segment, target.offset + target.size - 100);
  const { ic, warnings } = await reopen(stateDir);
  assert.equal(warnings.length, 1);
  const warning = warnings[0]!;
  assert.equal(warning.kind, 'droppedLogTail');
  assert.match(warning.kind === 'droppedLogTail' ? warning.reason : '', /checksum mismatch/);
  assert.equal(await steps(ic, canisterId), 5);
  assert.equal(await ic.stateHash(), hashes[5]);
  await ic.close();
  rmSync(join(stateDir, '..'), { recursive: true, force: true });
});

test('a damaged newest checkpoint falls back to the previous one and replays more of the log', async () => {
  for (const damage of ['checkpoint file', 'page image'] as const) {
    // 2 install rounds + 10 steps with a checkpoint every 4 rounds: checkpoints at rounds 4, 8 and 12
    const { stateDir, canisterId, hashes } = await scenario('fallback', 13, 4);
    if (damage === 'checkpoint file') {
      const newest = readdirSync(join(stateDir, 'checkpoints')).sort().at(-1)!;
      flipByte(join(stateDir, 'checkpoints', newest), 40);
    } else {
      const heap = readdirSync(join(stateDir, 'pages')).filter((name) => name.includes('.heap.')).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])).at(-1)!;
      const path = join(stateDir, 'pages', heap);
      flipByte(path, readFileSync(path).length - 1);
    }
    const { ic, warnings } = await reopen(stateDir);
    assert.deepEqual(warnings.map((warning) => warning.kind), ['checkpointFallback'], damage);
    assert.equal(await steps(ic, canisterId), 13);
    assert.equal(await ic.stateHash(), hashes[13], damage);
    await ic.updateCall({ canisterId, method: 'step', arg: u32(14) });
    const after = await ic.stateHash();
    await ic.close();
    const again = await reopen(stateDir);
    assert.deepEqual(again.warnings, []);
    assert.equal(await again.ic.stateHash(), after);
    assert.equal(await steps(again.ic, canisterId), 14);
    await again.ic.close();
    rmSync(join(stateDir, '..'), { recursive: true, force: true });
  }
});

test('a directory written by another format version is refused with a clear message and left untouched', async () => {
  const { stateDir } = await scenario('version', 2);
  for (const file of ['MANIFEST', 'log']) {
    const path = file === 'MANIFEST' ? join(stateDir, 'MANIFEST') : lastSegmentWithRecords(stateDir);
    const original = readFileSync(path);
    const changed = Buffer.from(original);
    changed.writeUInt32LE(99, 8);
    writeFileSync(path, changed);
    const before = fileTree(stateDir);
    await assert.rejects(Capsule.create({ stateDir }), (error: unknown) => {
      assert.ok(error instanceof PersistenceError);
      assert.equal(error.failure.kind, 'versionMismatch');
      assert.match(error.message, new RegExp(`storage format version 99, this Capsule reads versions 1 to ${FORMAT_VERSION}`));
      return true;
    });
    assert.deepEqual(fileTree(stateDir), before, `${file}: nothing written`);
    writeFileSync(path, original);
  }
  rmSync(join(stateDir, '..'), { recursive: true, force: true });
});

test('a state directory in use is locked; a lock left by a dead process is taken over with a warning', async () => {
  const { stateDir } = await scenario('lock', 1);
  const first = await Capsule.create({ stateDir });
  await assert.rejects(Capsule.create({ stateDir }), (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'locked');
  await first.close();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(stateDir, 'lock', '0000000042'), `${dead.stdout}\n`);
  const { ic, warnings } = await reopen(stateDir);
  assert.deepEqual(warnings.map((warning) => warning.kind), ['staleLock']);
  await ic.close();
  rmSync(join(stateDir, '..'), { recursive: true, force: true });
});
