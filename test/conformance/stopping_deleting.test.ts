// Stopping, starting, deleting and uninstalling with open call contexts (ic-ref-test "canister
// lifecycle", "canister stopping", "starting a stopping canister", "canister deletion", "uninstall:
// open call contexts are rejected / deleted call contexts …"; interface spec, stop_canister and delete_canister). Calls are kept
// open with ic-ref-test's message hold: a canister that asks to stop itself waits forever.
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { candid } from '../../src/management/index.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  EMPTY_CANDID,
  install,
  installAt,
  interCall,
  interUpdate,
  isPending,
  isRejectOutcome,
  isRelayReject,
  isReplyOutcome,
  isText,
  messageHold,
  mgmt,
  mgmtRejects,
  MGMT,
  newCapsule,
  outcome,
  query,
  rejects,
  setControllers,
  settle,
  start,
  status,
  statusKind,
  stop,
  submit,
  submitHeld,
  u32,
  uninstall,
  upgrade,
  USER,
  viaRejects,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const stopArg = (id: Parameters<typeof candid.encodeManagementArg<'stop_canister'>>[1]['canister_id']) =>
  candid.encodeManagementArg('stop_canister', { canister_id: id });

for (const width of WIDTHS) {
  describe(`canister lifecycle (wasm${width})`, () => {
    test('stop, upgrade while stopped, start', async () => {
      const id = await install(c, width, prog().setPreUpgrade(prog().stableGrow64(1).drop().pushInt64(0).canisterStatus().intToBlob().stableWrite64()));
      assert.equal(await statusKind(c, id), 'running');
      assert.equal(u32(await query(c, id, prog().canisterStatus().replyInt())), 1);
      await stop(c, id);
      assert.equal(await statusKind(c, id), 'stopped');
      // stopping a stopped canister is a no-op
      await stop(c, id);
      // [replica] CanisterStopped IC0508 → CANISTER_ERROR
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(query(c, id, prog().reply()), 5);
      await upgrade(c, id, width, prog().canisterStatus().intToBlob().setGlobal());
      await start(c, id);
      assert.equal(await statusKind(c, id), 'running');
      assert.equal(u32(await query(c, id, prog().canisterStatus().replyInt())), 1);
      // pre_upgrade and post_upgrade ran while the canister was stopped (status 3)
      assert.equal(u32(await query(c, id, prog().stableRead64(0, 4).appendAndReply())), 3);
      assert.equal(u32(await query(c, id, prog().getGlobal().appendAndReply())), 3);
      await isText(call(c, id, prog().reply()), '');
      await isText(query(c, id, prog().reply()), '');
      // starting a running canister is a no-op
      await start(c, id);
      assert.equal(await statusKind(c, id), 'running');
    });

    test('stopping: open calls finish, new calls are rejected, all stops are answered', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      await isText(call(c, id, prog().reply()), '');
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isPending(c, stop1);
      assert.equal(await statusKind(c, id), 'stopping');
      const stop2 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isPending(c, stop2);
      // [replica] CanisterStopping IC0509 → CANISTER_ERROR
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(query(c, id, prog().reply()), 5);
      await release();
      assert.equal(isReplyOutcome(await settle(c, long)).length, 0);
      assert.deepEqual(isReplyOutcome(await settle(c, stop1)), EMPTY_CANDID);
      assert.deepEqual(isReplyOutcome(await settle(c, stop2)), EMPTY_CANDID);
      assert.equal(await statusKind(c, id), 'stopped');
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(query(c, id, prog().reply()), 5);
    });

    test('a stopping canister still runs the callbacks of its open calls (canister_status = 2)', async () => {
      const id = await install(c, width);
      const helper = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const onReply = prog().canisterStatus().intToBlob().setGlobal().reply();
      const long = await submitHeld(c, id, interCall(helper, 'update', { otherSide: hold, onReply }));
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      await release();
      isReplyOutcome(await settle(c, long));
      isReplyOutcome(await settle(c, stop1));
      await start(c, id);
      assert.equal(u32(await query(c, id, prog().getGlobal().appendAndReply())), 2);
    });

    test('a stopping canister rejects inter-canister calls with CANISTER_ERROR', async () => {
      const id = await install(c, width);
      const caller = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isRelayReject(await call(c, caller, interUpdate(id)), 5);
      await release();
      isReplyOutcome(await settle(c, long));
      isReplyOutcome(await settle(c, stop1));
      isRelayReject(await call(c, caller, interUpdate(id)), 5);
    });

    test('starting a stopping canister rejects the pending stop', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      await isText(call(c, id, prog().reply()), '');
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      assert.equal(await statusKind(c, id), 'stopping');
      await start(c, id);
      assert.equal(await statusKind(c, id), 'running');
      // [replica] CanisterStoppingCancelled IC0511 → CANISTER_ERROR
      isRejectOutcome(await settle(c, stop1), 5);
      await release();
      isReplyOutcome(await settle(c, long));
    });

    test('a stop request times out after 5 minutes; the canister stays stopping', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isPending(c, stop1);
      await c.advanceTime(301_000_000_000n);
      // [replica] StopCanisterRequestTimeout IC0206 → SYS_TRANSIENT
      isRejectOutcome(await settle(c, stop1), 2);
      assert.equal(await statusKind(c, id), 'stopping');
      await release();
      isReplyOutcome(await settle(c, long));
      await c.tick(2);
      assert.equal(await statusKind(c, id), 'stopped');
    });

    test('deletion', async () => {
      const id = await install(c, width);
      // a running canister cannot be deleted ([replica] CanisterNotStopped IC0510 → 5)
      await mgmtRejects(c, 'delete_canister', { canister_id: id }, 5);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      assert.equal(await statusKind(c, id), 'stopping');
      await mgmtRejects(c, 'delete_canister', { canister_id: id }, 5);
      await release();
      isReplyOutcome(await settle(c, long));
      isReplyOutcome(await settle(c, stop1));
      assert.equal(await statusKind(c, id), 'stopped');
      await mgmt(c, 'delete_canister', { canister_id: id });
      const caller = await install(c, width);
      isRelayReject(await call(c, caller, interUpdate(id)), 3);
      await rejects(query(c, id, prog().reply()), 3);
      await rejects(status(c, id), [3, 5]);
      await mgmtRejects(c, 'delete_canister', { canister_id: id }, [3, 5]);
      // ids are never reused
      const fresh = await install(c, width);
      assert.notEqual(fresh.toText(), id.toText());
    });

    test('a canister cannot delete itself', async () => {
      const id = await install(c, width);
      await setControllers(c, id, [USER, id]);
      await viaRejects(c, id, 'delete_canister', { canister_id: id }, [3, 4, 5]);
    });

    test('uninstall rejects open call contexts with CANISTER_REJECT', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      await uninstall(c, id);
      isRejectOutcome(await settle(c, long), 4);
      await release();
      await c.tick(3);
      isRejectOutcome(outcome(c, long), 4);
    });

    test('deleted call contexts keep a canister stopping until their calls return', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      await uninstall(c, id);
      isRejectOutcome(await settle(c, long), 4);
      const stop1 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isPending(c, stop1);
      assert.equal(await statusKind(c, id), 'stopping');
      const stop2 = submit(c, MGMT, 'stop_canister', stopArg(id));
      await c.tick(2);
      isPending(c, stop2);
      await release();
      isRejectOutcome(outcome(c, long), 4);
      assert.deepEqual(isReplyOutcome(await settle(c, stop1)), EMPTY_CANDID);
      assert.deepEqual(isReplyOutcome(await settle(c, stop2)), EMPTY_CANDID);
      assert.equal(await statusKind(c, id), 'stopped');
    });

    test('callbacks of deleted call contexts are not delivered to the new code', async () => {
      const id = await install(c, width);
      const helper = await install(c, width);
      const first = await messageHold(c, width);
      const second = await messageHold(c, width);
      const long1 = await submitHeld(c, id, interCall(helper, 'update', { otherSide: first.hold, onReply: prog().replyData('First') }));
      await uninstall(c, id);
      isRejectOutcome(await settle(c, long1), 4);
      await installAt(c, id, width, prog().setGlobal('BAR'));
      const long2 = await submitHeld(c, id, interCall(helper, 'update', { otherSide: second.hold, onReply: prog().replyData('Second') }));
      isRejectOutcome(outcome(c, long1), 4);
      await first.release();
      await c.tick(5);
      isRejectOutcome(outcome(c, long1), 4);
      isPending(c, long2);
      await second.release();
      await isText(settle(c, long2).then(isReplyOutcome), 'Second');
      isRejectOutcome(outcome(c, long1), 4);
    });

    test('management calls about a stopped canister still work', async () => {
      const id = await install(c, width);
      await stop(c, id);
      await status(c, id);
      await setControllers(c, id, [USER]);
      await mgmt(c, 'provisional_top_up_canister', { canister_id: id, amount: 1n });
      assert.equal(await statusKind(c, id), 'stopped');
    });
  });
}
