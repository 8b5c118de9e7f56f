// Queries and their rollback (ic-ref-test "query"; interface spec: a query runs on the current state
// and nothing it does persists — heap, stable memory, globals; replicated queries keep only the
// reply and the cycles; queries to deleted, stopped or empty canisters and to update methods fail).
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
  isText,
  mgmt,
  newCapsule,
  query,
  rejects,
  stop,
  u32,
  u64,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const getGlobal = () => prog().getGlobal().appendAndReply();

for (const width of WIDTHS) {
  describe(`query (wasm${width})`, () => {
    test('does not commit', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await isText(query(c, id, prog().setGlobal('BAR').getGlobal().appendAndReply()), 'BAR');
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('a replicated query does not commit either', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await isText(callToQuery(c, id, prog().setGlobal('BAR').getGlobal().appendAndReply()), 'BAR');
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('stable memory writes and growth are rolled back', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().stableWrite64(0, 'FOO'));
      await query(c, id, prog().stableGrow64(5).drop().stableWrite64(0, 'BAR').reply());
      await isText(query(c, id, prog().stableRead64(0, 3).appendAndReply()), 'FOO');
      assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 1n);
    });
    test('heap growth is rolled back', async () => {
      const id = await install(c, width);
      const before = u64(await query(c, id, prog().wasmMemorySize().replyInt64()));
      await query(c, id, prog().memorySizeIsAtLeast(before + 4n * 1024n * 1024n).setGlobal('X').reply());
      await isText(query(c, id, getGlobal()), '');
      await isText(call(c, id, prog().getGlobal().appendAndReply()), '');
    });
    test('the persistent counter is rolled back', async () => {
      const id = await install(c, width);
      await query(c, id, prog().incGlobalCounter().incGlobalCounter().reply());
      assert.equal(u64(await query(c, id, prog().getGlobalCounter().replyInt64())), 0n);
    });
    test('queries do not change the replicated state', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      const before = await c.stateHash();
      for (let i = 0; i < 3; i++) await query(c, id, prog().setGlobal('BAR').stableGrow64(1).drop().replyData('x'));
      assert.equal(await c.stateHash(), before);
    });
    test('a trapping query changes nothing', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await rejects(query(c, id, prog().setGlobal('BAR').trap('no')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('sees the latest committed state', async () => {
      const id = await install(c, width);
      for (const v of ['1', '2', '3']) {
        await call(c, id, prog().setGlobal(v).reply());
        await isText(query(c, id, getGlobal()), v);
      }
    });
    test('a failed update leaves the state a query sees unchanged', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await rejects(call(c, id, prog().setGlobal('BAR').trap('no')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('a query to an update method is rejected', async () => {
      const id = await install(c, width);
      // [replica] CanisterMethodNotFound IC0536 → CANISTER_ERROR
      await rejects(c.queryCall({ canisterId: id, method: 'update', arg: prog().reply().build(), sender: USER }), 5);
    });
    test('a query to a deleted canister is rejected with DESTINATION_INVALID', async () => {
      const id = await install(c, width);
      await stop(c, id);
      await mgmt(c, 'delete_canister', { canister_id: id });
      await rejects(query(c, id, prog().reply()), 3);
    });
    test('a query to a stopped canister is rejected', async () => {
      const id = await install(c, width);
      await stop(c, id);
      await rejects(query(c, id, prog().reply()), 5);
    });
    test('a query to an empty canister is rejected', async () => {
      const id = await create(c);
      // [replica] IC0537 → CANISTER_ERROR
      await rejects(query(c, id, prog().reply()), 5);
    });
    test('in_replicated_execution is 0 in a query and 1 in a replicated query', async () => {
      const id = await install(c, width);
      assert.equal(u32(await query(c, id, prog().inReplicatedExecution().replyInt())), 0);
      assert.equal(u32(await callToQuery(c, id, prog().inReplicatedExecution().replyInt())), 1);
      assert.equal(u32(await call(c, id, prog().inReplicatedExecution().replyInt())), 1);
    });
    test('a query may reject', async () => {
      const id = await install(c, width);
      const e = await rejects(query(c, id, prog().reject('nope')), 4);
      assert.equal(e.rejectMessage, 'nope');
    });
  });
}
