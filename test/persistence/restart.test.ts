// Orthogonal persistence across restarts: after a graceful close or a crash (the store
// abandoned without a final checkpoint), the state hash and query results equal those before, for
// Motoko canisters in both persistence modes and for a WAT canister with snapshots, chunks and a
// deleted sibling.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { touchSystemCanisters } from '../../src/state/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { pagerWasm, readU32, SEED, START, u32 } from './_canisters.ts';
import { ALICE, balance, createViaLedger } from '../system_canisters/_helpers.ts';
import { deleteCanister, loadSnapshot, takeSnapshot, tempDir, uploadChunk } from './_helpers.ts';
import { replicaOf, storeOf } from '../../src/api/testing.ts';

const none = new Uint8Array(IDL.encode([], []));
const nat = (bytes: Uint8Array) => IDL.decode([IDL.Nat], bytes)[0] as bigint;

type Stop = 'close' | 'crash';

async function restart(ic: Capsule, stateDir: string, stop: Stop): Promise<Capsule> {
  if (stop === 'close') await ic.close();
  else storeOf(ic)!.abandon();
  return Capsule.create({ stateDir });
}

for (const persistence of ['enhanced', 'classical'] as const) {
  test(`Motoko (${persistence} persistence): counter and stable state survive restarts, upgrades included`, async () => {
    const dir = tempDir(`motoko-${persistence}`);
    const stateDir = join(dir, 'state');
    const counter = (await motoko(canisterSource('general.mo'), { persistence, main: 'general.mo' })).wasm;
    const stable = (await motoko(canisterSource('stable_state.mo'), { persistence, main: 'stable_state.mo' })).wasm;
    let ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds: 5 } });
    const c = await ic.createCanister();
    await ic.installCode({ canisterId: c, wasm: counter });
    const s = await ic.createCanister();
    await ic.installCode({ canisterId: s, wasm: stable });
    const put = (key: string, value: bigint) => ic.updateCall({ canisterId: s, method: 'put', arg: new Uint8Array(IDL.encode([IDL.Text, IDL.Nat], [key, value])) });
    const dump = async () => IDL.decode([IDL.Vec(IDL.Tuple(IDL.Text, IDL.Nat))], await ic.queryCall({ canisterId: s, method: 'dump', arg: none }))[0] as [string, bigint][];
    for (let i = 0; i < 7; i++) await ic.updateCall({ canisterId: c, method: 'inc', arg: none });
    await put('a', 1n);
    for (const stop of ['crash', 'close'] as Stop[]) {
      const hash = await ic.stateHash();
      const entries = await dump();
      ic = await restart(ic, stateDir, stop);
      assert.equal(await ic.stateHash(), hash, `${stop}: state hash`);
      assert.deepEqual(await dump(), entries);
      await ic.updateCall({ canisterId: c, method: 'inc', arg: none });
      await ic.installCode({ canisterId: s, wasm: stable, mode: 'upgrade' });
      await put(stop, 2n);
    }
    assert.equal(nat(await ic.queryCall({ canisterId: c, method: 'get', arg: none })), 9n);
    const hash = await ic.stateHash();
    ic = await restart(ic, stateDir, 'crash');
    assert.equal(await ic.stateHash(), hash);
    assert.deepEqual((await dump()).map(([key]) => key).sort(), ['a', 'close', 'crash']);
    await ic.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

async function pagerScenario(ic: Capsule): Promise<{ pager: Principal; snapshot: Uint8Array }> {
  const wasm = await pagerWasm();
  const pager = await ic.createCanister();
  await ic.installCode({ canisterId: pager, wasm });
  const doomed = await ic.createCanister();
  for (let i = 1; i <= 12; i++) await ic.updateCall({ canisterId: pager, method: 'step', arg: u32(i) });
  const snapshot = await takeSnapshot(ic, pager);
  for (let i = 13; i <= 20; i++) await ic.updateCall({ canisterId: pager, method: 'step', arg: u32(i) });
  await uploadChunk(ic, pager, new Uint8Array(5000).fill(9));
  await deleteCanister(ic, doomed);
  return { pager, snapshot };
}

test('WAT canister: heap, stable memory, globals, snapshots, chunks and deletions survive a crash and a close', async () => {
  for (const stop of ['crash', 'close'] as Stop[]) {
    const dir = tempDir('pager');
    const stateDir = join(dir, 'state');
    let ic = await Capsule.create({ stateDir, seed: SEED, time: START, store: { checkpointEveryRounds: 9 } });
    const { pager, snapshot } = await pagerScenario(ic);
    const hash = await ic.stateHash();
    ic = await restart(ic, stateDir, stop);
    assert.equal(await ic.stateHash(), hash);
    assert.equal(replicaOf(ic).state.canisters.size, 1);
    const canister = replicaOf(ic).canister(pager)!;
    assert.equal(canister.chunkStore.size, 1);
    assert.equal(canister.snapshots.length, 1);
    const got = await ic.queryCall({ canisterId: pager, method: 'get' });
    assert.deepEqual([readU32(got, 0), readU32(got, 4)], [20, 20]);
    // the snapshot taken before restarting loads: back to step 12
    await loadSnapshot(ic, pager, snapshot);
    const loaded = await ic.queryCall({ canisterId: pager, method: 'get' });
    assert.deepEqual([readU32(loaded, 0), readU32(loaded, 4)], [12, 12]);
    const afterLoad = await ic.stateHash();
    ic = await restart(ic, stateDir, stop);
    assert.equal(await ic.stateHash(), afterLoad);
    await ic.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same inputs give the same state hash with and without a state directory', async () => {
  const dir = tempDir('same');
  const durable = await Capsule.create({ stateDir: join(dir, 'state'), seed: SEED, time: START });
  const memory = await Capsule.create({ seed: SEED, time: START });
  await pagerScenario(durable);
  await pagerScenario(memory);
  assert.equal(await durable.stateHash(), await memory.stateHash());
  await durable.close();
  rmSync(dir, { recursive: true, force: true });
});

test('subnet state beside canisters (the cycles ledger of the system canisters) survives a crash', async () => {
  const dir = tempDir('ledger');
  const stateDir = join(dir, 'state');
  let ic = await Capsule.create({ stateDir, seed: SEED, time: START });
  const ledger = replicaOf(ic).state.systemCanisters.cyclesLedger;
  ledger.balances.set('ab:00', 5n);
  ledger.nextBlock = 3n;
  // Changed directly, not by a system call: persistence must be told.
  touchSystemCanisters(replicaOf(ic).state.systemCanisters);
  await ic.tick();
  const hash = await ic.stateHash();
  ic = await restart(ic, stateDir, 'crash');
  assert.equal(await ic.stateHash(), hash);
  assert.deepEqual(replicaOf(ic).state.systemCanisters.cyclesLedger, { balances: new Map([['ab:00', 5n]]), nextBlock: 3n, lazyFunding: true });
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the cycles ledger survives a crash; idle rounds after its calls do not rewrite it', async () => {
  const dir = tempDir('ledger');
  const stateDir = join(dir, 'state');
  // Free: storage charging would rewrite the new canister every round.
  let ic = await Capsule.create({ stateDir, seed: SEED, time: START, costSchedule: 'free' });
  await createViaLedger(ic, ALICE, 10n ** 12n);
  const spent = await balance(ic, ALICE);
  await ic.tick();
  const before = storeOf(ic)!.stats.bytesWritten;
  await ic.tick();
  const idle = storeOf(ic)!.stats.bytesWritten - before;
  assert.ok(idle < 256, `an idle round after a ledger call wrote ${idle} bytes`);
  const hash = await ic.stateHash();
  storeOf(ic)!.abandon();
  ic = await Capsule.create({ stateDir });
  assert.equal(await ic.stateHash(), hash);
  assert.equal(await balance(ic, ALICE), spent);
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});
