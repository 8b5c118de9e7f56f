// Thousands of canisters in one process: an instance is created when a message needs it, idle instances
// beyond the limit are evicted to their heap bytes and globals, and canisters with the same module share
// one compiled module. None of this may change what a canister answers or the state hash.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Capsule } from '../../src/api/index.ts';
import { installCodeArg } from '../../src/api/install_arg.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { evictionSlack, instanceStatistics, liveInstances } from '../../src/execution/index.ts';
import { candid } from '../../src/management/index.ts';
import type { Principal } from '../../src/state/index.ts';
import { wat } from '../support/build.ts';
import { tempDir } from '../persistence/_helpers.ts';
import { replyAll } from '../support/calls.ts';

const SEED = new Uint8Array(32).fill(3);
const TIME = 1_700_000_000_000_000_000n;
const EMPTY = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);
/** With a limit of 10, what may be live between two eviction passes. */
const MOST_LIVE = 10 + evictionSlack(10);

/** A counter in a global and in heap page 3, a table entry, and `grow`, which grows the heap by a page. */
const COUNTER_WAT = `(module
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $bump)
  (type $void (func))
  (global $count (mut i32) (i32.const 0))
  (data (i32.const 100) "many canisters")
  (func $bump
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 12288) (i32.add (i32.load (i32.const 12288)) (i32.const 1))))
  (func $answer
    (i32.store (i32.const 0) (global.get $count))
    (i32.store (i32.const 4) (i32.load (i32.const 12288)))
    (i32.store (i32.const 8) (memory.size))
    (call $append (i32.const 0) (i32.const 12))
    (call $reply))
  (func (export "canister_update inc") (call_indirect (type $void) (i32.const 0)) (call $answer))
  (func (export "canister_update grow") (drop (memory.grow (i32.const 1))) (call $answer))
  (func (export "canister_query get") (call $answer)))`;

let wasm: Uint8Array;
before(async () => {
  wasm = await wat(COUNTER_WAT);
});

/** [global count, heap count, heap pages] from a reply. */
function counts(reply: Uint8Array): number[] {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  return [view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true)];
}

async function createAndInstall(ic: Capsule, count: number): Promise<Principal[]> {
  const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
  const created = await replyAll(ic, Array.from({ length: count }, () => ({ canisterId: 'aaaaa-aa', method: 'provisional_create_canister_with_cycles', arg })));
  const ids = created.map((reply) => candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id);
  await replyAll(ic, ids.map((canisterId) => ({ canisterId: 'aaaaa-aa', method: 'install_code', arg: installCodeArg({ canisterId, wasm }, false) })));
  return ids;
}

test('2,000 canisters answer correctly after their instances were evicted, and their module compiled once', async () => {
  const ic = await Capsule.create({ seed: SEED, time: TIME, maxLiveInstances: 10 });
  const canisters = replicaOf(ic).state.canisters;
  const compilationsBefore = instanceStatistics().compilations;
  const ids = await createAndInstall(ic, 2000);
  assert.equal(instanceStatistics().compilations - compilationsBefore, 1);
  assert.ok(liveInstances(canisters.values()) <= MOST_LIVE);

  const evictionsBefore = instanceStatistics().evictions;
  // Installed, then evicted: each update instantiates its canister from the evicted bytes (and calls through its table).
  const first = await replyAll(ic, ids.map((canisterId) => ({ canisterId, method: 'inc', arg: EMPTY })));
  assert.ok(first.every((reply) => counts(reply).join() === '1,1,1'));
  assert.ok(instanceStatistics().evictions - evictionsBefore >= 1990);
  assert.ok(liveInstances(canisters.values()) <= MOST_LIVE);

  // Every canister is woken from its evicted bytes again, by a query this time.
  for (const canisterId of ids) assert.equal(counts(await ic.queryCall({ canisterId, method: 'get', arg: EMPTY })).join(), '1,1,1');
  assert.ok(liveInstances(canisters.values()) <= MOST_LIVE);
  assert.equal(instanceStatistics().compilations - compilationsBefore, 1);
  await ic.close();
});

async function scenario(maxLiveInstances: number): Promise<string> {
  const ic = await Capsule.create({ seed: SEED, time: TIME, maxLiveInstances });
  const ids = await createAndInstall(ic, 40);
  for (let step = 0; step < 3; step++) {
    await replyAll(ic, ids.map((canisterId, i) => ({ canisterId, method: i % 3 === step ? 'grow' : 'inc', arg: EMPTY })));
    for (const canisterId of ids.slice(0, 5)) await ic.queryCall({ canisterId, method: 'get', arg: EMPTY });
  }
  const hash = replicaOf(ic).stateHash();
  await ic.close();
  return hash;
}

test('the state hash is the same with an eviction limit of 10 and with no eviction', async () => {
  const evictionsBefore = instanceStatistics().evictions;
  const evicting = await scenario(10);
  assert.ok(instanceStatistics().evictions > evictionsBefore);
  assert.equal(evicting, await scenario(Number.POSITIVE_INFINITY));
});

test('a restored state instantiates no canister until a message needs it', async () => {
  const dir = tempDir('many-canisters-');
  const stateDir = join(dir, 'state');
  try {
    const ic = await Capsule.create({ stateDir, seed: SEED, time: TIME });
    const ids = await createAndInstall(ic, 20);
    await replyAll(ic, ids.map((canisterId) => ({ canisterId, method: 'inc', arg: EMPTY })));
    const hash = replicaOf(ic).stateHash();
    await ic.close();

    const instantiationsBefore = instanceStatistics().instantiations;
    const reopened = await Capsule.create({ stateDir });
    const canisters = replicaOf(reopened).state.canisters;
    assert.equal(liveInstances(canisters.values()), 0);
    assert.equal(replicaOf(reopened).stateHash(), hash);
    assert.equal(instanceStatistics().instantiations, instantiationsBefore);
    assert.equal(counts(await reopened.queryCall({ canisterId: ids[7]!, method: 'get', arg: EMPTY })).join(), '1,1,1');
    assert.equal(instanceStatistics().instantiations, instantiationsBefore + 1);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
