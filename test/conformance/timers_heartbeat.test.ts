// Global timer and heartbeat (ic-ref-test "canister global timer" (Spec/Timer.hs) and "heartbeat";
// interface spec, 'Global timer': one one-shot timer per canister, deactivated when it fires, reset by install,
// reinstall, upgrade and uninstall; global_timer_set returns the previous value; heartbeats run
// regularly with the management canister as caller; a task's changes commit unless it traps).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { candid } from '../../src/management/index.ts';
import { prog, u64le } from '../universal/program.ts';
import {
  call,
  type Capsule,
  install,
  installAt,
  interUpdate,
  isRejectOutcome,
  isText,
  MGMT,
  mgmt,
  newCapsule,
  type Principal,
  query,
  reinstall,
  rejects,
  settle,
  submit,
  setControllers,
  settings,
  start,
  stop,
  statusKind,
  u64,
  ucWasm,
  uninstall,
  upgrade,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const SECOND = 1_000_000_000n;
const onTimerProg = (n: number) => prog().setGlobalTimerMethod(prog().stableGrow64(1).drop().pushInt64(0).pushInt64(n).int64ToBlob().stableWrite64());
const setTimerProg = (time: bigint) => prog().stableGrow64(1).drop().pushInt64(0).apiGlobalTimerSet(time).int64ToBlob().stableWrite64();
const resetStable = (id: Principal) => call(c, id, prog().stableGrow64(1).drop().stableWrite64(0, u64le(42)).reply());
const getStable = async (id: Principal) => u64(await call(c, id, prog().stableRead64(0, 8).appendAndReply()));
const setTimer = async (id: Principal, time: bigint) => u64(await call(c, id, prog().apiGlobalTimerSet(time).replyInt64()));
const farFuture = async () => (await c.getTime()) + 100_000n * SECOND;
const farFarFuture = async () => (await c.getTime()) + 1_000_000n * SECOND;
const FAR_PAST = 1n;

async function waitForStable(id: Principal, value: bigint): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await getStable(id)) === value) return;
    await c.tick(1);
  }
  assert.equal(await getStable(id), value, 'the timer did not fire');
}

for (const width of WIDTHS) {
  const installWithTimer = (n: number) => install(c, width, onTimerProg(n));

  describe(`canister global timer (wasm${width})`, () => {
    test('in update', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      assert.equal(await setTimer(id, t), t);
      assert.equal(await getStable(id), 42n);
    });
    test('in init', async () => {
      const t = await farFuture();
      const id = await install(c, width, onTimerProg(2).append(setTimerProg(t)));
      assert.equal(await getStable(id), 0n);
      assert.equal(await setTimer(id, t), t);
    });
    test('in pre_upgrade (the upgrade resets the timer)', async () => {
      const id = await install(c, width, onTimerProg(2).setPreUpgrade(setTimerProg(FAR_PAST)));
      await resetStable(id);
      await upgrade(c, id, width);
      assert.equal(await getStable(id), 0n);
      assert.equal(await setTimer(id, await farFuture()), 0n);
    });
    test('in post_upgrade', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      const tt = await farFarFuture();
      await upgrade(c, id, width, setTimerProg(tt));
      assert.equal(await getStable(id), 0n);
      assert.equal(await setTimer(id, t), tt);
    });
    test('in post_upgrade on a stopped canister', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      assert.equal(await setTimer(id, await farFuture()), 0n);
      await stop(c, id);
      assert.equal(await statusKind(c, id), 'stopped');
      await upgrade(c, id, width, onTimerProg(2).append(setTimerProg(FAR_PAST)));
      await start(c, id);
      await waitForStable(id, 2n);
      assert.equal(await setTimer(id, await farFuture()), 0n);
    });
    test('in post_upgrade on a stopping canister', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      assert.equal(await setTimer(id, await farFuture()), 0n);
      const relay = await install(c, width);
      await setControllers(c, id, [USER, relay]);
      const installArg = candid.encodeManagementArg('install_code', {
        mode: { upgrade: [] },
        canister_id: id,
        wasm_module: await ucWasm(width),
        arg: onTimerProg(2).append(setTimerProg(FAR_PAST)).build(),
        sender_canister_version: [],
      });
      const stopAndUpgrade = prog()
        .oneWayCall(MGMT, 'stop_canister', candid.encodeManagementArg('stop_canister', { canister_id: id }))
        .oneWayCall(MGMT, 'install_code', installArg);
      // id keeps a call context open (waiting for relay) while it is stopped and upgraded. The relay
      // waits for the stop, which waits for id: the pending stop times out after 5 minutes
      // ([replica] STOP_CANISTER_TIMEOUT_DURATION), then the relay's context ends without a reply.
      const pending = submit(c, id, 'update', prog().oneWayCall(relay, 'update', stopAndUpgrade));
      await c.tick(5);
      assert.equal(await statusKind(c, id), 'stopping');
      await c.advanceTime(301_000_000_000n);
      isRejectOutcome(await settle(c, pending), 5);
      await start(c, id);
      await waitForStable(id, 2n);
      assert.equal(await setTimer(id, await farFuture()), 0n);
    });
    test('in the timer callback', async () => {
      const t = await farFuture();
      const id = await install(c, width, prog().setGlobalTimerMethod(setTimerProg(t)));
      await resetStable(id);
      assert.equal(await setTimer(id, FAR_PAST), 0n);
      await waitForStable(id, 0n);
      assert.equal(await setTimer(id, t), t);
    });
    test('deactivate the timer', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      assert.equal(await setTimer(id, 0n), t);
      assert.equal(await setTimer(id, t), 0n);
      assert.equal(await getStable(id), 42n);
    });
    test('set the timer far in the past', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      assert.equal(await setTimer(id, FAR_PAST), 0n);
      await waitForStable(id, 2n);
      assert.equal(await setTimer(id, await farFuture()), 0n);
    });
    test('set the timer at the current time', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      assert.equal(await setTimer(id, await c.getTime()), 0n);
      await waitForStable(id, 2n);
      assert.equal(await setTimer(id, await farFuture()), 0n);
    });
    test('stop and start keep the timer', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      assert.equal(await setTimer(id, t), t);
      await stop(c, id);
      await start(c, id);
      assert.equal(await setTimer(id, t), t);
      assert.equal(await getStable(id), 42n);
    });
    test('uninstall and install reset the timer', async () => {
      const id = await installWithTimer(2);
      await resetStable(id);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      await uninstall(c, id);
      await installAt(c, id, width, onTimerProg(2));
      assert.equal(await setTimer(id, t), 0n);
    });
    test('upgrade resets the timer', async () => {
      const id = await installWithTimer(2);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      await upgrade(c, id, width, onTimerProg(2));
      assert.equal(await setTimer(id, t), 0n);
    });
    test('reinstall resets the timer', async () => {
      const id = await installWithTimer(2);
      const t = await farFuture();
      assert.equal(await setTimer(id, t), 0n);
      await reinstall(c, id, width, onTimerProg(2));
      assert.equal(await setTimer(id, t), 0n);
    });
    test('the timer does not fire before its time, then fires once', async () => {
      const id = await install(c, width, prog().setGlobalTimerMethod(prog().incGlobalCounter()));
      await setTimer(id, (await c.getTime()) + 10n * SECOND);
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 0n);
      await c.advanceTime(11_000_000_000n);
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 1n);
      await c.advanceTime(11_000_000_000n);
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 1n);
    });
    test('a timer set by a trapping execution is not set', async () => {
      const id = await installWithTimer(2);
      await rejects(call(c, id, prog().apiGlobalTimerSet(FAR_PAST).drop().trap('no')), 5);
      assert.equal(await setTimer(id, 0n), 0n);
    });
    test('a timer set in a replicated query traps (not available)', async () => {
      const id = await installWithTimer(2);
      await rejects(c.updateCall({ canisterId: id, method: 'query', arg: prog().apiGlobalTimerSet(FAR_PAST).drop().reply().build(), sender: USER }), 5);
    });
    test('a trapping timer handler commits nothing and the timer stays deactivated', async () => {
      const id = await install(c, width, prog().setGlobalTimerMethod(prog().setGlobal('bad').trap('timer traps')));
      await setTimer(id, FAR_PAST);
      await c.tick(3);
      await isText(query(c, id, prog().getGlobal().appendAndReply()), '');
      assert.equal(await setTimer(id, 0n), 0n);
    });
    test('the timer handler can make calls', async () => {
      const other = await install(c, width);
      const id = await install(c, width, prog().setGlobalTimerMethod(interUpdate(other, { otherSide: prog().replyData('from timer'), onReply: prog().messagePayload().setGlobal() })));
      await setTimer(id, FAR_PAST);
      await c.tick(5);
      await isText(query(c, id, prog().getGlobal().appendAndReply()), 'from timer');
    });
  });

  describe(`on_low_wasm_memory (wasm${width})`, () => {
    test('runs once when wasm_memory_limit - heap drops below wasm_memory_threshold', async () => {
      const id = await install(c, width, prog().setOnLowWasmMemory(prog().incGlobalCounter()));
      const heap = u64(await query(c, id, prog().wasmMemorySize().replyInt64()));
      const MIB = 1024n * 1024n;
      await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ wasm_memory_limit: [heap + 4n * MIB], wasm_memory_threshold: [2n * MIB] }), sender_canister_version: [] });
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 0n);
      await call(c, id, prog().memorySizeIsAtLeast(heap + 3n * MIB).reply());
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 1n);
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 1n);
    });
    test('is never triggered with the default threshold 0', async () => {
      const id = await install(c, width, prog().setOnLowWasmMemory(prog().incGlobalCounter()).memorySizeIsAtLeast(16n * 1024n * 1024n));
      await c.tick(3);
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 0n);
    });
  });

  describe(`heartbeat (wasm${width})`, () => {
    test('called for all canisters; a heartbeat cannot respond', async () => {
      const a = await install(c, width, prog().setHeartbeat(prog().stableGrow64(1).drop().stableWrite64(0, 'FOO')));
      const b = await install(c, width, prog().setHeartbeat(prog().stableGrow64(1).drop().stableWrite64(0, 'BAR')));
      const d = await install(c, width, prog().setHeartbeat(prog().setGlobal('FIZZ').replyData('FIZZ')));
      await call(c, a, prog().reply());
      await call(c, a, prog().reply());
      await isText(query(c, a, prog().stableRead64(0, 3).appendAndReply()), 'FOO');
      await isText(query(c, b, prog().stableRead64(0, 3).appendAndReply()), 'BAR');
      await isText(query(c, d, prog().getGlobal().appendAndReply()), '');
    });
    test('runs regularly', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().incGlobalCounter()));
      await c.tick(5);
      assert.ok(u64(await query(c, id, prog().getGlobalCounter().replyInt64())) >= 5n);
    });
    test('the caller of a heartbeat is the management canister', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().caller().setGlobal().setHeartbeat(prog())));
      await c.tick(2);
      assert.equal((await query(c, id, prog().getGlobal().appendAndReply())).length, 0);
    });
    test('does not run on a stopped canister', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().incGlobalCounter()));
      const before = u64(await query(c, id, prog().getGlobalCounter().replyInt64()));
      await stop(c, id);
      await c.tick(20);
      await start(c, id);
      // at most the rounds of the stop and start calls themselves
      const after = u64(await query(c, id, prog().getGlobalCounter().replyInt64()));
      assert.ok(after - before < 5n, `${after - before} heartbeats ran`);
      await c.tick(2);
      assert.ok(u64(await query(c, id, prog().getGlobalCounter().replyInt64())) > after);
    });
    test('a heartbeat can make calls and their callbacks run', async () => {
      const other = await install(c, width);
      const once = interUpdate(other, { otherSide: prog().replyData('pong'), onReply: prog().messagePayload().setGlobal() });
      const id = await install(c, width, prog().setHeartbeat(prog().setHeartbeat(prog()).append(once)));
      await c.tick(5);
      await isText(query(c, id, prog().getGlobal().appendAndReply()), 'pong');
    });
    test('in_replicated_execution is 1 in a heartbeat', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().inReplicatedExecution().intToBlob().setGlobal()));
      await c.tick(2);
      assert.deepEqual(await query(c, id, prog().getGlobal().appendAndReply()), Uint8Array.from([1, 0, 0, 0]));
    });
  });
}
