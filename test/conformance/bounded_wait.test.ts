// Bounded-wait (best-effort response) calls and msg_deadline (interface spec, 'Method arguments' msg_deadline, 'Inter-canister method calls'
// call_with_best_effort_response: deadline = caller time + timeout, timeout clamped to
// MAX_CALL_TIMEOUT ([replica] 300 s); the system may answer SYS_UNKNOWN (6) and drop the late
// response; guaranteed-response calls never get 6 and have deadline 0).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  compositeQuery,
  install,
  interCall,
  interUpdate,
  isPending,
  isRelayReply,
  isReplyOutcome,
  isText,
  messageHold,
  newCapsule,
  query,
  rejects,
  relayed,
  settle,
  submitHeld,
  u32,
  u64,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const SECOND = 1_000_000_000n;
const replyDeadline = () => prog().msgDeadline().replyInt64();
/** Stores the caller's time (as the execution sees it) in the global, for computing the deadline. */
const rememberTime = () => prog().time().int64ToBlob().setGlobal();

for (const width of WIDTHS) {
  describe(`bounded-wait calls (wasm${width})`, () => {
    test('msg_deadline is 0 for ingress', async () => {
      const id = await install(c, width);
      assert.equal(u64(await call(c, id, replyDeadline())), 0n);
    });
    test('msg_deadline is 0 in queries and composite queries', async () => {
      const id = await install(c, width);
      assert.equal(u64(await query(c, id, replyDeadline())), 0n);
      assert.equal(u64(await compositeQuery(c, id, replyDeadline())), 0n);
    });
    test('msg_deadline is 0 for a guaranteed-response call', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.equal(u64(isRelayReply(await call(c, a, interUpdate(b, { otherSide: replyDeadline() })))), 0n);
    });
    test('the callee sees deadline = caller time + timeout', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await call(c, a, rememberTime().append(interUpdate(b, { otherSide: replyDeadline(), timeoutSeconds: 10 })));
      const time = u64(await query(c, a, prog().getGlobal().appendAndReply()));
      assert.equal(u64(isRelayReply(r)), time + 10n * SECOND);
    });
    test('the callee of a bounded-wait call to a query method sees the deadline', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await call(c, a, rememberTime().append(interCall(b, 'query', { otherSide: replyDeadline(), timeoutSeconds: 7 })));
      const time = u64(await query(c, a, prog().getGlobal().appendAndReply()));
      assert.equal(u64(isRelayReply(r)), time + 7n * SECOND);
    });
    test('the timeout is clamped to 300 seconds', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await call(c, a, rememberTime().append(interUpdate(b, { otherSide: replyDeadline(), timeoutSeconds: 100_000 })));
      const time = u64(await query(c, a, prog().getGlobal().appendAndReply()));
      assert.equal(u64(isRelayReply(r)), time + 300n * SECOND);
    });
    test('the deadline is visible in the callee’s callbacks', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const d = await install(c, width);
      const inB = interUpdate(d, { otherSide: prog().reply(), onReply: replyDeadline() });
      const r = await call(c, a, rememberTime().append(interUpdate(b, { otherSide: inB, timeoutSeconds: 20 })));
      const time = u64(await query(c, a, prog().getGlobal().appendAndReply()));
      assert.equal(u64(isRelayReply(r)), time + 20n * SECOND);
    });
    test('a bounded-wait call that is answered in time gets the reply', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      await isText(call(c, a, interUpdate(b, { otherSide: prog().replyData('in time'), timeoutSeconds: 5, onReply: prog().messagePayload().appendAndReply() })), 'in time');
    });
    test('a call that takes too long is answered with SYS_UNKNOWN (6)', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const pending = await submitHeld(c, a, interCall(b, 'update', { otherSide: hold, timeoutSeconds: 10 }));
      await c.advanceTime(11_000_000_000n);
      const r = relayed(isReplyOutcome(await settle(c, pending)));
      assert.equal(r.kind, 'reject');
      assert.equal((r as { code: number }).code, 6);
      await release();
    });
    test('the late response of a timed-out call is dropped', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const onReply = prog().setGlobal('late').reply();
      const pending = await submitHeld(c, a, interCall(b, 'update', { otherSide: hold, timeoutSeconds: 10, onReply, onReject: prog().setGlobal('timeout').append(prog().rejectCode().replyInt()) }));
      await c.advanceTime(11_000_000_000n);
      assert.equal(u32(isReplyOutcome(await settle(c, pending))), 6);
      await release();
      await c.tick(5);
      await isText(query(c, a, prog().getGlobal().appendAndReply()), 'timeout');
    });
    test('a guaranteed-response call does not time out', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const pending = await submitHeld(c, a, interCall(b, 'update', { otherSide: hold }));
      await c.advanceTime(200_000_000_000n);
      await c.tick(3);
      isPending(c, pending);
      await release();
      const r = relayed(isReplyOutcome(await settle(c, pending)));
      assert.equal(r.kind, 'reply');
    });
    test('a bounded-wait call can be made from a callback', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const second = interUpdate(b, { otherSide: replyDeadline(), timeoutSeconds: 3, onReply: prog().messagePayload().appendAndReply() });
      const r = await call(c, a, interUpdate(b, { otherSide: prog().reply(), onReply: second }));
      assert.ok(u64(r) > 0n);
    });
    test('call_with_best_effort_response without a pending call traps', async () => {
      const a = await install(c, width);
      await rejects(call(c, a, prog().callWithBestEffortResponse(5).reply()), 5);
    });
  });
}
