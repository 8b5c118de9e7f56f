// A full disk in the library: a round whose record cannot be written throws, and the in-memory state
// goes back to what the state directory holds, so no query ever sees an unsaved round; once writes
// work again the store heals by itself. The failure is injected at the file layer (any machine).
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { PersistenceError } from '../../src/persistence/index.ts';
import { injectWriteFault } from '../../src/persistence/file_io.ts';
import { pagerWasm, readU32, SEED, START, u32 } from './_canisters.ts';
import { tempDir } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

afterEach(() => injectWriteFault(undefined));

async function pager(stateDir: string, checkpointEveryRounds = 1000): Promise<{ ic: Capsule; step: (i: number) => Promise<number>; get: () => Promise<[number, number]> }> {
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  return {
    ic,
    step: async (i) => readU32(await ic.updateCall({ canisterId, method: 'step', arg: u32(i) })),
    get: async () => {
      const reply = await ic.queryCall({ canisterId, method: 'get' });
      return [readU32(reply, 0), readU32(reply, 4)];
    },
  };
}

test('a round that cannot be written throws and leaves the state equal to the disk; it heals once space returns', async () => {
  const dir = tempDir('full-disk');
  const stateDir = join(dir, 'state');
  const { ic, step, get } = await pager(stateDir);
  for (let i = 1; i <= 3; i++) assert.equal(await step(i), i);
  const durableHash = await ic.stateHash();
  const durableRound = replicaOf(ic).state.round;

  injectWriteFault(() => 'ENOSPC');
  await assert.rejects(step(4), (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'storeFailed' && /ENOSPC/.test(error.message));
  assert.deepEqual(await get(), [3, 3], 'a query sees the last durable step, not the unsaved one');
  assert.equal(await ic.stateHash(), durableHash);
  assert.equal(replicaOf(ic).state.round, durableRound);
  assert.match(storeOf(ic)!.failure ?? '', /ENOSPC/);
  await assert.rejects(step(5), PersistenceError, 'still full: refused again, the state reverted again');
  assert.equal(await ic.stateHash(), durableHash);

  injectWriteFault(undefined);
  assert.equal(await step(6), 6);
  assert.equal(storeOf(ic)!.failure, undefined);
  assert.deepEqual(await get(), [6, 4]);
  const hash = await ic.stateHash();
  storeOf(ic)!.abandon();
  const reopened = await Capsule.create({ stateDir });
  assert.equal(await reopened.stateHash(), hash, 'after kill -9, exactly the acknowledged steps');
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a checkpoint that cannot be written keeps its durable round and is retried on a later round', async () => {
  const dir = tempDir('full-disk-checkpoint');
  const stateDir = join(dir, 'state');
  const { ic, step, get } = await pager(stateDir, 3);
  await step(1);
  // Only checkpoint files fail: the round record before the checkpoint is written.
  injectWriteFault((path) => (path.includes('checkpoints') || path.endsWith('MANIFEST.tmp') ? 'ENOSPC' : undefined));
  for (let i = 2; i <= 4; i++) assert.equal(await step(i), i);
  assert.match(storeOf(ic)!.failure ?? '', /ENOSPC/);
  assert.deepEqual(await get(), [4, 4]);
  injectWriteFault(undefined);
  assert.equal(await step(5), 5);
  assert.equal(storeOf(ic)!.failure, undefined);
  const hash = await ic.stateHash();
  storeOf(ic)!.abandon();
  const reopened = await Capsule.create({ stateDir });
  assert.equal(await reopened.stateHash(), hash);
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});

test('closing a failed store writes nothing more and the directory reopens at the last durable round', async () => {
  const dir = tempDir('full-disk-close');
  const stateDir = join(dir, 'state');
  const { ic, step } = await pager(stateDir);
  await step(1);
  const hash = await ic.stateHash();
  injectWriteFault(() => 'ENOSPC');
  await assert.rejects(step(2), PersistenceError);
  await ic.close();
  injectWriteFault(undefined);
  const reopened = await Capsule.create({ stateDir });
  assert.equal(await reopened.stateHash(), hash);
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});

test('when the state cannot even be read back after a failed commit, the store is broken for good and says so once', async () => {
  const dir = tempDir('full-disk-broken');
  const stateDir = join(dir, 'state');
  const broken: string[] = [];
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { onBroken: (cause) => broken.push(cause) } });
  await ic.createCanister();
  for (const name of readdirSync(join(stateDir, 'checkpoints'))) rmSync(join(stateDir, 'checkpoints', name));
  injectWriteFault(() => 'ENOSPC');
  await assert.rejects(ic.tick(), /could not be read back/);
  injectWriteFault(undefined);
  assert.equal(broken.length, 1);
  assert.match(broken[0]!, /ENOSPC.*could not be read back/);
  assert.equal(storeOf(ic)!.retry(), false);
  await assert.rejects(ic.tick(), PersistenceError, 'no round is ever made durable again');
  assert.equal(broken.length, 1);
  storeOf(ic)!.abandon();
  rmSync(dir, { recursive: true, force: true });
});
