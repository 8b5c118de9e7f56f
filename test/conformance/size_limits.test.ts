// Large arguments and replies at the size limits (interface spec, 'Responding': msg_reply_data_append traps beyond
// the maximum response size; the IC's resource limits: replicated responses 2 MiB, non-replicated (query)
// responses 3 MiB, same-subnet inter-canister requests 10 MiB, ingress payload 2 MiB) and the
// wasm_memory_limit setting (enforced for updates, not for queries).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  install,
  interCall,
  interUpdate,
  isRelayReject,
  isRelayReply,
  mgmt,
  newCapsule,
  query,
  rejects,
  relayReject,
  relayReply,
  settings,
  u32,
  u64,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const MIB = 1024 * 1024;
/** Replies with `n` bytes of 'x' built in the canister (the program itself stays small). */
const replyBytes = (n: number) => prog().pushEqualBytes(0x78, n).appendAndReply();

for (const width of WIDTHS) {
  describe(`size limits (wasm${width})`, () => {
    test('an update reply of 2 MiB', async () => {
      const id = await install(c, width);
      assert.equal((await call(c, id, replyBytes(2 * MIB))).length, 2 * MIB);
    });
    test('an update reply of 2 MiB + 1 byte traps', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, replyBytes(2 * MIB + 1)), 5);
    });
    test('a reply may be assembled from pieces up to the limit', async () => {
      const id = await install(c, width);
      const p = prog().pushEqualBytes(0x61, MIB).replyDataAppend().pushEqualBytes(0x62, MIB).replyDataAppend().reply();
      assert.equal((await call(c, id, p)).length, 2 * MIB);
      const over = prog().pushEqualBytes(0x61, MIB).replyDataAppend().pushEqualBytes(0x62, MIB + 1).replyDataAppend().reply();
      await rejects(call(c, id, over), 5);
    });
    test('a query reply of 3 MiB', async () => {
      const id = await install(c, width);
      assert.equal((await query(c, id, replyBytes(3 * MIB))).length, 3 * MIB);
    });
    test('a query reply of 3 MiB + 1 byte traps', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, replyBytes(3 * MIB + 1)), 5);
    });
    test('a replicated query reply is limited to 2 MiB', async () => {
      const id = await install(c, width);
      assert.equal((await callToQuery(c, id, replyBytes(2 * MIB))).length, 2 * MIB);
      await rejects(callToQuery(c, id, replyBytes(2 * MIB + 1)), 5);
    });
    test('an ingress argument of almost 2 MiB', async () => {
      const id = await install(c, width);
      const big = new Uint8Array(2 * MIB - 64).fill(0x41);
      assert.equal(u32(await call(c, id, prog().pushBytes(big).blobLength().replyInt())), big.length);
    });
    test('msg_arg_data_size reports the argument size', async () => {
      const id = await install(c, width);
      const p = prog().msgArgDataSize().replyInt().pushBytes(new Uint8Array(100_000));
      assert.equal(u32(await call(c, id, p)), p.length);
    });
    test('an inter-canister argument of 10 MiB (same subnet)', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      // callee: reply with its argument size; the argument is that program followed by one
      // PushBytes of padding (so the callee does not interpret 10 MiB of opcodes).
      const reply = prog().msgArgDataSize().replyInt().build();
      const pad = 10 * MIB - reply.length - 5;
      const p = prog()
        .callNew(b, 'update', { onReply: relayReply(), onReject: relayReject() })
        .callDataAppend(Uint8Array.from([...reply, 3, pad & 255, (pad >>> 8) & 255, (pad >>> 16) & 255, pad >>> 24]))
        .pushEqualBytes(0, pad)
        .callDataAppend()
        .callPerform();
      assert.equal(u32(isRelayReply(await call(c, a, p))), 10 * MIB);
    });
    test('an inter-canister argument over 10 MiB traps in call_data_append', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = prog().callNew(b, 'update').pushEqualBytes(0, 10 * MIB + 1).callDataAppend().callPerform();
      await rejects(call(c, a, p), 5);
    });
    test('an inter-canister reply of 2 MiB reaches the caller', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await call(c, a, interUpdate(b, { otherSide: replyBytes(2 * MIB), onReply: prog().messagePayload().blobLength().replyInt() }));
      assert.equal(u32(r), 2 * MIB);
    });
    test('an inter-canister reply of 2 MiB + 1 byte traps in the callee', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      isRelayReject(await call(c, a, interUpdate(b, { otherSide: replyBytes(2 * MIB + 1) })), 5);
    });
    test('a reply of 2 MiB from a callback', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await call(c, a, interCall(b, 'query', { otherSide: prog().reply(), onReply: replyBytes(2 * MIB) }));
      assert.equal(r.length, 2 * MIB);
    });
    test('a large reject message', async () => {
      const id = await install(c, width);
      const e = await rejects(call(c, id, prog().pushEqualBytes(0x7a, 100_000).reject()), 4);
      assert.equal(e.rejectMessage.length, 100_000);
    });
    test('wasm_memory_limit makes heap growth beyond it trap in updates, not in queries', async () => {
      const id = await install(c, width);
      const size = u64(await query(c, id, prog().wasmMemorySize().replyInt64()));
      const limit = size + 2n * 1024n * 1024n;
      await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ wasm_memory_limit: [limit] }), sender_canister_version: [] });
      await rejects(call(c, id, prog().memorySizeIsAtLeast(limit + 1024n * 1024n).reply()), 5);
      await query(c, id, prog().memorySizeIsAtLeast(limit + 1024n * 1024n).reply());
      await call(c, id, prog().memorySizeIsAtLeast(size + 1024n * 1024n).reply());
    });
  });
}
