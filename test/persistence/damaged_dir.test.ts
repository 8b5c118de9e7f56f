// A damaged state directory is never started empty and never loses a file on opening: a missing,
// truncated or bit-flipped MANIFEST, checkpoint or log segment is refused with a message naming the
// file, or (a torn log tail, an older checkpoint) used with a warning naming what was dropped; files
// the store did not write are kept, even by garbage collection; what recovery cannot use goes to damaged/.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { PersistenceError, type PersistenceWarning } from '../../src/persistence/index.ts';
import { pagerWasm, SEED, START, u32 } from './_canisters.ts';
import { fileTree, records, segments, tempDir } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

type Damage = (stateDir: string) => string;

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset]! ^= 0x40;
  writeFileSync(path, bytes);
}

function lastCheckpoint(stateDir: string): string {
  const names = readdirSync(join(stateDir, 'checkpoints')).sort();
  return join(stateDir, 'checkpoints', names[names.length - 1]!);
}

function lastSegment(stateDir: string): string {
  return segments(stateDir).filter((path) => records(path).length > 0).pop()!;
}

/** Applies `change` to the file `pick` chooses and returns its path. */
function on(pick: (stateDir: string) => string, change: (path: string) => void): Damage {
  return (stateDir) => {
    const path = pick(stateDir);
    change(path);
    return path;
  };
}

const manifest = (stateDir: string) => join(stateDir, 'MANIFEST');

const CASES: Record<string, Damage> = {
  'MANIFEST missing': on(manifest, (path) => rmSync(path)),
  'MANIFEST truncated': on(manifest, (path) => truncateSync(path, 20)),
  'MANIFEST bit-flipped': on(manifest, (path) => flipByte(path, 40)),
  'checkpoint missing': on(lastCheckpoint, (path) => rmSync(path)),
  'checkpoint truncated': on(lastCheckpoint, (path) => truncateSync(path, 100)),
  'checkpoint bit-flipped': on(lastCheckpoint, (path) => flipByte(path, 60)),
  'segment cut below its header': on(lastSegment, (path) => truncateSync(path, 20)),
  'segment header bit-flipped': on(lastSegment, (path) => flipByte(path, 2)),
  'segment record bit-flipped': on(lastSegment, (path) => flipByte(path, records(path)[0]!.offset + 30)),
  'segment truncated mid-record': on(lastSegment, (path) => truncateSync(path, records(path)[0]!.offset + 10)),
  'every segment deleted': on(
    (dir) => join(dir, 'log'),
    (folder) => {
      for (const path of segments(join(folder, '..'))) rmSync(path);
    },
  ),
  'last segment deleted, earlier ones kept': on(lastSegment, (path) => rmSync(path)),
  'segment deleted between two others': on((dir) => segments(dir).at(-2)!, (path) => rmSync(path)),
  'stray segment': on(
    (dir) => join(dir, 'log', '9999999999.log'),
    (path) => copyFileSync(lastSegment(join(path, '..', '..')), path),
  ),
};

async function original(): Promise<{ root: string; stateDir: string }> {
  const root = tempDir('damaged');
  const stateDir = join(root, 'original');
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds: 4 } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  for (let i = 1; i <= 7; i++) await ic.updateCall({ canisterId, method: 'step', arg: u32(i) });
  storeOf(ic)!.abandon();
  // a crash and a restart: the rounds after the newest checkpoint span two segments
  const again = await Capsule.create({ stateDir });
  await again.updateCall({ canisterId, method: 'step', arg: u32(8) });
  storeOf(again)!.abandon();
  assert.ok(segments(stateDir).length >= 3, 'segments before the newest checkpoint remain');
  return { root, stateDir };
}

test('a damaged MANIFEST, checkpoint or segment is refused or reported by name, never started empty, nothing deleted', async () => {
  const { root, stateDir } = await original();
  for (const [name, damage] of Object.entries(CASES)) {
    const dir = join(root, name.replaceAll(' ', '-'));
    cpSync(stateDir, dir, { recursive: true });
    const file = damage(dir);
    const before = fileTree(dir);
    const lostRounds = name.includes('deleted');
    const warnings: PersistenceWarning[] = [];
    try {
      const ic = await Capsule.create({ stateDir: dir, store: { onWarning: (warning) => warnings.push(warning) } });
      assert.ok(!lostRounds, `${name}: refused, not opened without the deleted rounds`);
      assert.ok(replicaOf(ic).state.canisters.size > 0, `${name}: never started empty`);
      storeOf(ic)!.abandon();
      assert.ok(warnings.length > 0, `${name}: opened without saying what it dropped`);
      assert.ok(JSON.stringify(warnings, (_, v) => (typeof v === 'bigint' ? String(v) : v)).includes(file.split('/').pop()!), `${name}: the warning names ${file}`);
      const aside = existsSync(join(dir, 'damaged')) ? readdirSync(join(dir, 'damaged')) : [];
      for (const path of before.keys()) {
        const kept = existsSync(join(dir, path)) || aside.some((moved) => moved.startsWith(path.split('/').pop()!));
        assert.ok(kept, `${name}: ${path} kept in place or in damaged/`);
      }
      if (name.startsWith('segment')) assert.ok(aside.length > 0, `${name}: the dropped log bytes are kept in damaged/`);
    } catch (error) {
      if (!(error instanceof PersistenceError)) throw error;
      assert.match(error.message, new RegExp(file.split('/').pop()!.replace('.', '\\.')), `${name}: the message names the file`);
      assert.deepEqual(fileTree(dir), before, `${name}: nothing written or deleted`);
    }
  }
  rmSync(root, { recursive: true, force: true });
});

test('files the store did not write are kept through checkpoints and garbage collection', async () => {
  const { root, stateDir } = await original();
  const foreign = ['log/notes.txt', 'log/0000000001.log.bak', 'checkpoints/keep.me', 'pages/README', 'blobs/mine'];
  for (const path of foreign) writeFileSync(join(stateDir, path), 'mine');
  const ic = await Capsule.create({ stateDir, store: { checkpointEveryRounds: 1 } });
  await ic.tick(3);
  await ic.close();
  for (const path of foreign) assert.equal(readFileSync(join(stateDir, path), 'utf8'), 'mine', path);
  const again = await Capsule.create({ stateDir });
  await again.close();
  rmSync(root, { recursive: true, force: true });
});

test('a first start that stopped before writing its MANIFEST starts again with the same seed', async () => {
  const root = tempDir('first-start');
  const stateDir = join(root, 'state');
  const stop = (phase: string) => {
    if (phase === 'written') throw new Error('stopped before the MANIFEST');
  };
  await assert.rejects(Capsule.create({ stateDir, seed: SEED, time: START, store: { onCheckpointPhase: stop } }), /stopped before the MANIFEST/);
  assert.equal(existsSync(join(stateDir, 'MANIFEST')), false);
  const ic = await Capsule.create({ stateDir, time: START });
  const fresh = await Capsule.create({ seed: SEED, time: START });
  assert.equal(await ic.stateHash(), await fresh.stateHash());
  await ic.close();
  rmSync(root, { recursive: true, force: true });
});
