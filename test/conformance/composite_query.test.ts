// Composite queries (interface spec, 'Replicated and Non-Replicated execution mode': callable only as non-replicated queries; may call query and
// composite query methods on the same subnet; callbacks follow the reply/reject/cleanup rules;
// nothing persists; depth limited ([replica] 6); plain queries cannot call).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { candid } from '../../src/management/index.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  compositeQuery,
  helloFrom,
  install,
  interCall,
  isRelayReject,
  isRelayReply,
  isText,
  MGMT,
  newCapsule,
  type Principal,
  query,
  rejects,
  relayReject,
  relayReply,
  u32,
  USER,
  type Width,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

/** A chain of composite queries through `ids`, the last one replying "end". */
function chain(ids: Principal[]): ReturnType<typeof prog> {
  let p = prog().replyData('end');
  for (let i = ids.length - 1; i >= 0; i--) {
    p = interCall(ids[i]!, 'composite_query', { otherSide: p, onReply: prog().messagePayload().appendAndReply(), onReject: relayReject() });
  }
  return p;
}

async function installMany(width: Width, n: number): Promise<Principal[]> {
  const ids: Principal[] = [];
  for (let i = 0; i < n; i++) ids.push(await install(c, width));
  return ids;
}

for (const width of WIDTHS) {
  describe(`composite queries (wasm${width})`, () => {
    test('a composite query replies like a query', async () => {
      const id = await install(c, width);
      await isText(compositeQuery(c, id, prog().replyData('cq')), 'cq');
    });
    test('cannot be called as an update (replicated mode)', async () => {
      const id = await install(c, width);
      // [replica] CompositeQueryCalledInReplicatedMode IC0527 → CANISTER_ERROR
      const e = await rejects(c.updateCall({ canisterId: id, method: 'composite_query', arg: prog().reply().build(), sender: USER }), 5);
      assert.equal(e.errorCode, 'IC0527');
    });
    test('cannot be called by a canister from an update', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      isRelayReject(await call(c, a, interCall(b, 'composite_query', { otherSide: prog().reply() })), 5);
    });
    test('calls a query method of another canister', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.deepEqual(isRelayReply(await compositeQuery(c, a, interCall(b, 'query'))), helloFrom(a, b));
    });
    test('calls a composite query method of another canister', async () => {
      const [a, b, d] = await installMany(width, 3);
      await isText(compositeQuery(c, a!, chain([b!, d!])), 'end');
    });
    test('calling an update method from a composite query is rejected', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      isRelayReject(await compositeQuery(c, a, interCall(b, 'update', { otherSide: prog().reply() })), [3, 5]);
    });
    test('a plain query cannot call a composite query', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      await rejects(query(c, a, interCall(b, 'composite_query')), 5);
    });
    test('the callee sees the calling canister as caller', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.deepEqual(isRelayReply(await compositeQuery(c, a, interCall(b, 'query', { otherSide: prog().caller().appendAndReply() }))), a.toUint8Array());
    });
    test('the reject callback sees the callee’s reject', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const r = await compositeQuery(c, a, interCall(b, 'query', { otherSide: prog().reject('no') }));
      assert.equal(isRelayReject(r, 4), 'no');
    });
    test('a trapping callee is a CANISTER_ERROR reject', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      isRelayReject(await compositeQuery(c, a, interCall(b, 'query', { otherSide: prog().trap('boom') })), 5);
    });
    test('nothing persists, in the caller or the callees', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      await compositeQuery(c, a, prog().setGlobal('A').append(interCall(b, 'query', { otherSide: prog().setGlobal('B').reply(), onReply: prog().setGlobal('A2').reply() })));
      await isText(query(c, a, prog().getGlobal().appendAndReply()), '');
      await isText(query(c, b, prog().getGlobal().appendAndReply()), '');
    });
    test('state changes are visible within the composite query (callback sees the method’s heap)', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      await isText(compositeQuery(c, a, prog().setGlobal('kept').append(interCall(b, 'query', { onReply: prog().getGlobal().appendAndReply() }))), 'kept');
    });
    test('two calls: both callbacks run, the first reply wins', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = prog()
        .append(interCall(b, 'query', { otherSide: prog().replyData('1'), onReply: prog().messagePayload().appendAndReply() }))
        .append(interCall(b, 'query', { otherSide: prog().replyData('2'), onReply: prog().messagePayload().appendAndReply() }));
      await isText(compositeQuery(c, a, p), '1');
    });
    test('a second reply from a callback traps but the first stands', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      await isText(compositeQuery(c, a, prog().replyData('first').append(interCall(b, 'query', { onReply: prog().replyData('second') }))), 'first');
    });
    test('a trapping composite reply callback (with cleanup) ends in CANISTER_ERROR', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      // The cleanup (context CC) cannot reply, so the composite query ends without a reply.
      const p = interCall(b, 'query', { onReply: prog().trap('callback traps'), onCleanup: prog().setGlobal('cleaned') });
      await rejects(compositeQuery(c, a, p), 5, 'callback traps');
    });
    test('reject code is 0 in a composite reply callback', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.equal(u32(await compositeQuery(c, a, interCall(b, 'query', { onReply: prog().rejectCode().replyInt() }))), 0);
    });
    test('no response from a composite query is CANISTER_ERROR', async () => {
      const id = await install(c, width);
      await rejects(compositeQuery(c, id, prog()), 5);
    });
    test('calls to a non-existent canister are rejected', async () => {
      const a = await install(c, width);
      isRelayReject(await compositeQuery(c, a, interCall(USER, 'query')), [3, 5]);
    });
    test('a composite query call graph of depth 3 works', async () => {
      const ids = await installMany(width, 4);
      await isText(compositeQuery(c, ids[0]!, chain(ids.slice(1))), 'end');
    });
    test('a too deep composite query call graph fails the whole query', async () => {
      const ids = await installMany(width, 12);
      // The spec leaves the limit open; the replica (depth limit 6) fails the query with QueryCallGraphTooDeep.
      const error = await rejects(compositeQuery(c, ids[0]!, chain(ids.slice(1))), 5, 'Composite query calls exceeded the maximum call depth.');
      assert.equal(error.errorCode, 'IC0525');
    });
    test('a call back into a canister on the call graph is answered', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      // The spec says nothing of loops; the replica lets a composite query call back into its caller (or itself).
      const inner = interCall(a, 'query', { otherSide: prog().reply(), onReply: relayReply(), onReject: relayReject() });
      const r = await compositeQuery(c, a, interCall(b, 'composite_query', { otherSide: inner, onReply: prog().messagePayload().appendAndReply() }));
      isRelayReply(r);
    });
    test('may call the management canister’s canister_status (spec 0.66)', async () => {
      const a = await install(c, width);
      const r = await compositeQuery(c, a, interCall(MGMT, 'canister_status', { otherSide: candid.encodeManagementArg('canister_status', { canister_id: a }) }));
      isRelayReply(r);
    });
  });
}
