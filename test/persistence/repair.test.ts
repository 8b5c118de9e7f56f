// `capsule state repair`: a directory refused for damage opens again afterwards with every round that
// could still be read; what could not be read is in damaged/ (never deleted) and lost rounds are
// reported. A healthy directory is left as it is.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { runStateCommand } from '../../src/cli/state_command.ts';
import { PersistenceError, repairStateDir } from '../../src/persistence/index.ts';
import { pagerWasm, SEED, START, u32 } from './_canisters.ts';
import { fileTree, records, segments, tempDir } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

async function original(): Promise<{ root: string; stateDir: string; hash: string; round: bigint }> {
  const root = tempDir('repair');
  const stateDir = join(root, 'original');
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds: 4 } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  for (let i = 1; i <= 7; i++) await ic.updateCall({ canisterId, method: 'step', arg: u32(i) });
  const hash = await ic.stateHash();
  const round = replicaOf(ic).state.round;
  storeOf(ic)!.abandon();
  return { root, stateDir, hash, round };
}

function copy(root: string, stateDir: string, name: string): string {
  const dir = join(root, name);
  cpSync(stateDir, dir, { recursive: true });
  return dir;
}

async function opens(dir: string): Promise<{ hash: string; round: bigint }> {
  const ic = await Capsule.create({ stateDir: dir });
  const result = { hash: await ic.stateHash(), round: replicaOf(ic).state.round };
  await ic.close();
  return result;
}

test('a lost MANIFEST is rebuilt from the checkpoints and every round is kept', async () => {
  const { root, stateDir, hash, round } = await original();
  const dir = copy(root, stateDir, 'manifest');
  rmSync(join(dir, 'MANIFEST'));
  await assert.rejects(Capsule.create({ stateDir: dir }), PersistenceError);
  const report = repairStateDir(dir);
  assert.match(report.actions.join('\n'), /rebuilt .*MANIFEST/);
  assert.deepEqual(report.losses, []);
  assert.equal(report.round, round);
  assert.deepEqual(await opens(dir), { hash, round });
  rmSync(root, { recursive: true, force: true });
});

test('an unreadable or missing log is set aside and the lost rounds are reported; the directory opens again', async () => {
  const { root, stateDir, round } = await original();
  const lastSegment = (dir: string) => segments(dir).filter((path) => records(path).length > 0).pop()!;
  const cases: Record<string, (dir: string) => void> = {
    'segment cut below its header': (dir) => truncateSync(lastSegment(dir), 20),
    'every segment deleted': (dir) => {
      for (const path of segments(dir)) rmSync(path);
    },
    'last segment deleted, earlier ones kept': (dir) => rmSync(lastSegment(dir)),
    'stray segment': (dir) => copyFileSync(lastSegment(dir), join(dir, 'log', '9999999999.log')),
    'record bit-flipped': (dir) => {
      const path = lastSegment(dir);
      const bytes = readFileSync(path);
      bytes[records(path)[0]!.offset + 30]! ^= 0x40;
      writeFileSync(path, bytes);
    },
  };
  for (const [name, damage] of Object.entries(cases)) {
    const dir = copy(root, stateDir, name.replaceAll(' ', '-'));
    damage(dir);
    const report = repairStateDir(dir);
    assert.ok(report.losses.length > 0, `${name}: the loss is reported`);
    if (name.startsWith('last segment')) assert.match(report.losses.join('\n'), /newest log segment is missing.*from round \d+ on, are lost/, name);
    assert.ok(report.round <= round, name);
    assert.ok(name.includes('deleted') || readdirSync(join(dir, 'damaged')).length > 0, `${name}: what was set aside is kept`);
    const reopened = await opens(dir);
    assert.equal(reopened.round, report.round, `${name}: opens at the round the report names`);
    assert.equal(existsSync(join(dir, 'MANIFEST')), true);
  }
  rmSync(root, { recursive: true, force: true });
});

test('a segment deleted between two others: opening refuses naming it; repair sets the later ones aside and reports their rounds lost', async () => {
  const { root, stateDir } = await original();
  const ic = await Capsule.create({ stateDir });
  const canisterId = [...replicaOf(ic).state.canisters.values()][0]!.id;
  await ic.updateCall({ canisterId, method: 'step', arg: u32(8) });
  storeOf(ic)!.abandon();
  const all = segments(stateDir);
  const deleted = all.at(-2)!;
  rmSync(deleted);
  const name = deleted.split('/').pop()!;
  await assert.rejects(Capsule.create({ stateDir }), (error: Error) => error instanceof PersistenceError && error.message.includes(`log segments ${name.replace('.log', '')} are missing`));
  const report = repairStateDir(stateDir);
  assert.match(report.losses.join('\n'), new RegExp(`${name.replace('.log', '')} are missing`));
  assert.match(report.losses.join('\n'), new RegExp(`the rounds in ${all.at(-1)!.split('/').pop()!.replace('.', '\\.')}`));
  assert.ok(readdirSync(join(stateDir, 'damaged')).some((moved) => moved.startsWith(all.at(-1)!.split('/').pop()!)), 'the later segment is kept in damaged/');
  const reopened = await opens(stateDir);
  assert.equal(reopened.round, report.round);
  rmSync(root, { recursive: true, force: true });
});

test('repair of a healthy directory changes nothing and says so', async () => {
  const { root, stateDir, round } = await original();
  const before = fileTree(stateDir);
  let output = '';
  assert.equal(runStateCommand(['repair', '--state-dir', stateDir], (text) => (output += text), () => {}), 0);
  assert.match(output, new RegExp(`needs no repair: rounds up to ${round}`));
  assert.deepEqual(fileTree(stateDir), before);
  rmSync(root, { recursive: true, force: true });
});
