// Time (ic-ref-test "time"; interface spec, 'System time': constant within one execution, monotonic per
// canister, also across upgrades; the library's clock is the subnet's time).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  compositeQuery,
  install,
  interUpdate,
  newCapsule,
  type Principal,
  query,
  u64,
  upgrade,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const twice = () => prog().time().int64ToBlob().time().int64ToBlob().concat();
const replyTwice = () => twice().appendAndReply();
const global = async (id: Principal) => query(c, id, prog().getGlobal().appendAndReply());
const now = async (id: Principal) => u64(await call(c, id, prog().time().replyInt64()));

/**
 * Runs `execute`, whose result holds two time() readings of one execution, and checks that they are
 * equal and lie between the subnet's time before and after it (so a time() of 0 or a stale one fails).
 */
async function timeOfOneExecution(execute: () => Promise<void>, readings: () => Promise<Uint8Array>): Promise<bigint> {
  const before = await c.getTime();
  await execute();
  const after = await c.getTime();
  const r = await readings();
  assert.equal(r.length, 16);
  const first = u64(r.slice(0, 8));
  assert.equal(u64(r.slice(8)), first, 'time() is constant within one execution');
  assert.ok(before <= first && first <= after, `time() = ${first}, subnet time ${before} before and ${after} after`);
  return first;
}

/** The two readings replied by one call made by `send`. */
async function replied(send: () => Promise<Uint8Array>): Promise<bigint> {
  let reply: Uint8Array = new Uint8Array(0);
  return timeOfOneExecution(
    async () => {
      reply = await send();
    },
    async () => reply,
  );
}

for (const width of WIDTHS) {
  describe(`time (wasm${width})`, () => {
    test('in a query, time() is the subnet time, the same at both readings', async () => {
      const id = await install(c, width);
      assert.equal(await replied(() => query(c, id, replyTwice())), await c.getTime());
    });
    test('in a composite query, time() is the subnet time, the same at both readings', async () => {
      const id = await install(c, width);
      assert.equal(await replied(() => compositeQuery(c, id, replyTwice())), await c.getTime());
    });
    test('in an update, time() is the time of its round, the same at both readings', async () => {
      const id = await install(c, width);
      await replied(() => call(c, id, replyTwice()));
    });
    test('in a replicated query, time() is the time of its round, the same at both readings', async () => {
      const id = await install(c, width);
      await replied(() => callToQuery(c, id, replyTwice()));
    });
    test('in canister_init, time() is the time of the install round', async () => {
      let id: Principal | undefined;
      await timeOfOneExecution(
        async () => {
          id = await install(c, width, twice().setGlobal());
        },
        () => global(id!),
      );
    });
    test('in canister_pre_upgrade, time() is the time of the upgrade round', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().setPreUpgrade(prog().pushInt64(0).append(twice()).stableWrite64()));
      await timeOfOneExecution(
        () => upgrade(c, id, width),
        () => query(c, id, prog().stableRead64(0, 16).appendAndReply()),
      );
    });
    test('in canister_post_upgrade, time() is the time of the upgrade round', async () => {
      const id = await install(c, width);
      await timeOfOneExecution(
        () => upgrade(c, id, width, twice().setGlobal()),
        () => global(id),
      );
    });
    test('in a callback, time() is the time of the round that delivers the reply', async () => {
      const id = await install(c, width);
      await replied(() => call(c, id, interUpdate(id, { onReply: replyTwice() })));
    });
    test('is the subnet time', async () => {
      const id = await install(c, width);
      const t = await now(id);
      const after = await c.getTime();
      assert.ok(t <= after && after - t < 1_000_000_000n, `${t} vs ${after}`);
    });
    test('a query sees the current subnet time', async () => {
      const id = await install(c, width);
      assert.equal(u64(await query(c, id, prog().time().replyInt64())), await c.getTime());
    });
    test('strictly increases between update calls', async () => {
      const id = await install(c, width);
      const a = await now(id);
      const b = await now(id);
      assert.ok(b > a, `${b} > ${a}`);
    });
    test('follows advanceTime', async () => {
      const id = await install(c, width);
      const a = await now(id);
      await c.advanceTime(60_000_000_000n);
      const b = await now(id);
      assert.ok(b - a >= 60_000_000_000n, `${b - a}`);
    });
    test('is monotonic across an upgrade', async () => {
      const id = await install(c, width);
      const a = await now(id);
      await upgrade(c, id, width, prog().time().int64ToBlob().setGlobal());
      assert.ok(u64(await global(id)) > a);
    });
    test('a callback runs no earlier than the call', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = prog().time().int64ToBlob().setGlobal().append(interUpdate(b, { otherSide: prog().time().replyInt64(), onReply: prog().messagePayload().replyDataAppend().time().replyInt64() }));
      const r = await call(c, a, p);
      const sent = u64(await global(a));
      const calleeTime = u64(r.slice(0, 8));
      const callbackTime = u64(r.slice(8));
      assert.ok(calleeTime >= sent && callbackTime >= calleeTime, `${sent} ${calleeTime} ${callbackTime}`);
    });
  });
}
