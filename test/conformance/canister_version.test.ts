// Canister version (ic-ref-test "canister version", Spec/CanisterVersion.hs; interface spec, 'Canister version', and
// changelog 0.20.0: "the canister version is incremented upon every successful message execution
// except for successful message execution of a query method", and by install_code (any mode),
// uninstall_code, update_settings, start/stop; pre_upgrade sees the old value, post_upgrade the new).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  create,
  install,
  installAt,
  interCall,
  mgmt,
  mgmtRejects,
  newCapsule,
  OTHER,
  type Principal,
  query,
  reinstall,
  rejects,
  setControllers,
  settings,
  start,
  status,
  stop,
  u64,
  uninstall,
  upgrade,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

/** A heartbeat that always traps, so that heartbeats do not bump the version. */
const noHeartbeat = () => prog().setHeartbeat(prog().trap(''));
const replyVersion = () => prog().canisterVersion().replyInt64();
const setGlobalVersion = () => prog().canisterVersion().int64ToBlob().setGlobal();
const version = async (id: Principal) => u64(await query(c, id, replyVersion()));
const globalVersion = async (id: Principal) => u64(await query(c, id, prog().getGlobal().appendAndReply()));
const EMPTY = new Uint8Array();

async function waitForGlobal(id: Principal, value: bigint): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const g = await query(c, id, prog().getGlobal().appendAndReply());
    if (g.length === 8 && u64(g) === value) return;
    await c.tick(1);
  }
  assert.equal(await globalVersion(id), value);
}

for (const width of WIDTHS) {
  const simple = () => install(c, width, noHeartbeat());

  describe(`canister version (wasm${width})`, () => {
    test('in query', async () => {
      const id = await simple();
      assert.equal(await version(id), 1n);
      assert.equal(await version(id), 1n);
      assert.equal(await version(id), 1n);
    });
    test('in replicated query', async () => {
      const id = await simple();
      // Spec (changelog 0.20.0): successful query executions do not bump the version. ic-ref-test
      // expects 1, 2, 3 here (the replica bumps for replicated queries); Capsule follows the spec.
      assert.equal(u64(await callToQuery(c, id, replyVersion())), 1n);
      assert.equal(u64(await callToQuery(c, id, replyVersion())), 1n);
      assert.equal(await version(id), 1n);
    });
    test('in update', async () => {
      const id = await simple();
      assert.equal(u64(await call(c, id, replyVersion())), 1n);
      assert.equal(u64(await call(c, id, replyVersion())), 2n);
      assert.equal(u64(await call(c, id, replyVersion())), 3n);
    });
    test('in install (init sees the bumped version)', async () => {
      const id = await install(c, width, noHeartbeat().append(setGlobalVersion()));
      assert.equal(await globalVersion(id), 1n);
      assert.equal(await version(id), 1n);
    });
    test('in reinstall', async () => {
      const id = await simple();
      assert.equal(await version(id), 1n);
      await reinstall(c, id, width, noHeartbeat().append(setGlobalVersion()));
      assert.equal(await globalVersion(id), 2n);
      assert.equal(await version(id), 2n);
    });
    test('in pre_upgrade (sees the old version)', async () => {
      const id = await install(c, width, noHeartbeat().stableGrow64(1).drop().setPreUpgrade(prog().pushInt64(0).canisterVersion().int64ToBlob().stableWrite64()));
      assert.equal(await version(id), 1n);
      await upgrade(c, id, width, noHeartbeat());
      assert.equal(u64(await query(c, id, prog().stableRead64(0, 8).appendAndReply())), 1n);
      assert.equal(await version(id), 2n);
    });
    test('in post_upgrade (sees the new version)', async () => {
      const id = await simple();
      await upgrade(c, id, width, noHeartbeat().append(setGlobalVersion()));
      assert.equal(await globalVersion(id), 2n);
      assert.equal(await version(id), 2n);
    });
    test('in heartbeat', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().canisterVersion().int64ToBlob().pushBytes(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])).pushBytes('').trapIfNeq().append(setGlobalVersion())));
      await waitForGlobal(id, 1n);
      assert.equal(await version(id), 2n);
    });
    test('in global timer', async () => {
      const id = await install(c, width, noHeartbeat().setGlobalTimerMethod(setGlobalVersion()).apiGlobalTimerSet(1).drop());
      await waitForGlobal(id, 1n);
      assert.equal(await version(id), 2n);
    });
    test('in reply callback', async () => {
      const id = await simple();
      const other = await install(c, width);
      assert.equal(await version(id), 1n);
      assert.equal(u64(await call(c, id, interCall(other, 'update', { onReply: replyVersion(), onReject: prog().trap('') }))), 2n);
      assert.equal(await version(id), 3n);
    });
    test('in reject callback', async () => {
      const id = await simple();
      const other = await install(c, width);
      const p = interCall(other, 'update', { onReply: prog().trap(''), onReject: replyVersion(), otherSide: prog().trap('') });
      assert.equal(u64(await call(c, id, p)), 2n);
      assert.equal(await version(id), 3n);
    });
    test('in cleanup', async () => {
      const id = await simple();
      const other = await install(c, width);
      await rejects(call(c, id, interCall(other, 'update', { onReply: prog().trap(''), onReject: prog().trap(''), onCleanup: setGlobalVersion() })), 5);
      assert.equal(await globalVersion(id), 2n);
      assert.equal(await version(id), 3n);
    });
    test('after uninstall and install', async () => {
      const id = await simple();
      await uninstall(c, id);
      await installAt(c, id, width, noHeartbeat());
      assert.equal(await version(id), 3n);
    });
    test('after setting controllers', async () => {
      const id = await simple();
      await setControllers(c, id, [USER, OTHER]);
      assert.equal(await version(id), 2n);
    });
    test('after setting the freezing threshold', async () => {
      const id = await simple();
      await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [2n ** 20n] }), sender_canister_version: [] });
      assert.equal(await version(id), 2n);
    });
    test('after stop and start', async () => {
      const id = await simple();
      await stop(c, id);
      await start(c, id);
      // stop_canister (+1), stopping → stopped (+1), start_canister (+1)
      assert.equal(await version(id), 4n);
    });
    test('canister_status reports the version', async () => {
      const id = await simple();
      await call(c, id, prog().reply());
      assert.equal((await status(c, id)).version, await version(id));
    });
    test('after a failed query', async () => {
      const id = await simple();
      await rejects(query(c, id, prog().trap('')), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed update', async () => {
      const id = await simple();
      await rejects(call(c, id, prog().trap('')), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed install', async () => {
      const id = await simple();
      await rejects(c.installCode({ canisterId: id, wasm: EMPTY, sender: USER }), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed init in install', async () => {
      const id = await create(c);
      await rejects(installAt(c, id, width, prog().trap('')), 5);
      await installAt(c, id, width, noHeartbeat());
      assert.equal(await version(id), 1n);
    });
    test('after a failed reinstall', async () => {
      const id = await simple();
      await rejects(c.installCode({ canisterId: id, wasm: EMPTY, mode: 'reinstall', sender: USER }), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed init in reinstall', async () => {
      const id = await simple();
      await rejects(reinstall(c, id, width, prog().trap('')), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed upgrade', async () => {
      const id = await simple();
      await rejects(c.installCode({ canisterId: id, wasm: EMPTY, mode: 'upgrade', sender: USER }), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed pre_upgrade', async () => {
      const id = await install(c, width, noHeartbeat().setPreUpgrade(prog().trap('')));
      await rejects(upgrade(c, id, width, noHeartbeat()), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed post_upgrade', async () => {
      const id = await simple();
      await rejects(upgrade(c, id, width, prog().trap('')), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed heartbeat', async () => {
      const id = await simple();
      await call(c, id, prog().reply());
      await call(c, id, prog().reply());
      // only the two update calls were executed, no heartbeats
      assert.equal(await version(id), 3n);
    });
    test('after a failed global timer', async () => {
      const id = await install(c, width, noHeartbeat().setGlobalTimerMethod(prog().trap('')).apiGlobalTimerSet(1).drop());
      await call(c, id, prog().reply());
      await call(c, id, prog().reply());
      assert.equal(await version(id), 3n);
    });
    test('after a failed reply callback', async () => {
      const id = await simple();
      const other = await install(c, width);
      await rejects(call(c, id, interCall(other, 'update', { onReply: prog().trap(''), onReject: prog().replyData('') })), 5);
      // the update ran, the callback trapped and there was no cleanup
      assert.equal(await version(id), 2n);
    });
    test('after a failed reject callback', async () => {
      const id = await simple();
      const other = await install(c, width);
      await rejects(call(c, id, interCall(other, 'update', { onReply: prog().replyData(''), onReject: prog().trap(''), otherSide: prog().trap('') })), 5);
      assert.equal(await version(id), 2n);
    });
    test('after a failed cleanup', async () => {
      const id = await simple();
      const other = await install(c, width);
      await rejects(call(c, id, interCall(other, 'update', { onReply: prog().trap(''), onReject: prog().replyData(''), onCleanup: prog().trap('') })), 5);
      assert.equal(await version(id), 2n);
    });
    test('after a failed uninstall', async () => {
      const id = await simple();
      await rejects(uninstall(c, id, OTHER), 5);
      assert.equal(await version(id), 1n);
    });
    test('after a failed change of settings', async () => {
      const id = await simple();
      await mgmtRejects(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [2n ** 70n] }), sender_canister_version: [] }, 5);
      assert.equal(await version(id), 1n);
    });
  });
}
