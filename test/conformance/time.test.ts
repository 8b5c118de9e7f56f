// Time (ic-ref-test "time"; spec §1.9 ic0.time: constant within one execution, monotonic per
// canister, also across upgrades; the library's clock is the subnet's time).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
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
function bothSame(r: Uint8Array): bigint {
  assert.equal(r.length, 16);
  const a = u64(r.slice(0, 8));
  assert.equal(a, u64(r.slice(8)));
  return a;
}
const global = async (id: Principal) => query(c, id, prog().getGlobal().appendAndReply());
const now = async (id: Principal) => u64(await call(c, id, prog().time().replyInt64()));

for (const width of WIDTHS) {
  describe(`time (wasm${width})`, () => {
    test('in query', async () => {
      bothSame(await query(c, await install(c, width), replyTwice()));
    });
    test('in composite query', async () => {
      bothSame(await compositeQuery(c, await install(c, width), replyTwice()));
    });
    test('in update', async () => {
      bothSame(await call(c, await install(c, width), replyTwice()));
    });
    test('in replicated query', async () => {
      bothSame(await callToQuery(c, await install(c, width), replyTwice()));
    });
    test('in install', async () => {
      const id = await install(c, width, twice().setGlobal());
      bothSame(await global(id));
    });
    test('in pre_upgrade', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().setPreUpgrade(prog().pushInt64(0).append(twice()).stableWrite64()));
      await upgrade(c, id, width);
      bothSame(await query(c, id, prog().stableRead64(0, 16).appendAndReply()));
    });
    test('in post_upgrade', async () => {
      const id = await install(c, width);
      await upgrade(c, id, width, twice().setGlobal());
      bothSame(await global(id));
    });
    test('in a callback', async () => {
      const id = await install(c, width);
      bothSame(await call(c, id, interUpdate(id, { onReply: replyTwice() })));
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
