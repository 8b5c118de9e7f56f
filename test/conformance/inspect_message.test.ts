// canister_inspect_message (ic-ref-test "canister_inspect_message"; interface spec, 'Ingress message inspection': runs for ingress
// calls (also to query methods), not for queries or inter-canister calls; not accepting → 4,
// trapping or accepting twice → 5; nothing it does persists; management methods that are not
// callable by ingress are refused with CANISTER_REJECT).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { candid } from '../../src/management/index.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  create,
  helloFrom,
  install,
  interUpdate,
  isRelayReply,
  isText,
  newCapsule,
  OTHER,
  query,
  rejects,
  status,
  text,
  u32,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const mgmtRaw = (method: Parameters<typeof candid.encodeManagementArg>[0], arg: unknown, sender = USER) =>
  c.callManagement(method, candid.encodeManagementArg(method, arg as never), sender);

describe('canister_inspect_message: the management canister', () => {
  test('raw_rand is not accepted from users', async () => {
    await rejects(mgmtRaw('raw_rand', null), 4);
  });
  test('http_request is not accepted from users', async () => {
    await rejects(mgmtRaw('http_request', { url: 'https://example.com', max_response_bytes: [], method: { get: null }, headers: [], body: [], transform: [], is_replicated: [] }), 4);
  });
  test('ecdsa_public_key is not accepted from users', async () => {
    await rejects(mgmtRaw('ecdsa_public_key', { canister_id: [], derivation_path: [], key_id: { curve: { secp256k1: null }, name: 'key_1' } }), 4);
  });
  test('sign_with_ecdsa is not accepted from users', async () => {
    await rejects(mgmtRaw('sign_with_ecdsa', { message_hash: new Uint8Array(32), derivation_path: [], key_id: { curve: { secp256k1: null }, name: 'key_1' } }), 4);
  });
  test('deposit_cycles is not accepted from users', async () => {
    const id = await create(c);
    await rejects(mgmtRaw('deposit_cycles', { canister_id: id }), 4);
  });
  test('canister_info is not accepted from users', async () => {
    const id = await create(c);
    await rejects(mgmtRaw('canister_info', { canister_id: id, num_requested_changes: [] }), 4);
  });
  test('a wrong sender is rejected with CANISTER_ERROR', async () => {
    const id = await create(c);
    await rejects(status(c, id, OTHER), 5);
  });
  test('an unknown management method is rejected', async () => {
    await rejects(c.callManagement('no_such_method', new Uint8Array(), USER), [3, 4, 5]);
  });
});

for (const width of WIDTHS) {
  describe(`canister_inspect_message (wasm${width})`, () => {
    test('empty canister', async () => {
      const id = await create(c);
      // [replica] CanisterWasmModuleNotFound IC0537 → CANISTER_ERROR (the spec says DESTINATION_INVALID).
      const e = await rejects(call(c, id, prog().reply()), 5);
      assert.equal(e.errorCode, 'IC0537');
      await rejects(callToQuery(c, id, prog().reply()), 5);
    });
    test('accept all', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().acceptMessage()));
      await isText(call(c, id, prog().reply()), '');
      await isText(callToQuery(c, id, prog().reply()), '');
    });
    test('no accept_message', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog()));
      await rejects(call(c, id, prog().reply()), 4);
      await rejects(callToQuery(c, id, prog().reply()), 4);
      // inter-canister calls are not inspected
      const other = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, other, interUpdate(id))), helloFrom(other, id));
    });
    test('two calls to accept_message', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().acceptMessage().acceptMessage()));
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(callToQuery(c, id, prog().reply()), 5);
    });
    test('trap', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().trap('no no no')));
      await rejects(call(c, id, prog().reply()), 5, 'no no no');
      await rejects(callToQuery(c, id, prog().reply()), 5);
    });
    test('method name correct', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().msgMethodName().trapIfEq('update', 'no no no').acceptMessage()));
      await rejects(call(c, id, prog().reply()), 5);
      await isText(callToQuery(c, id, prog().reply()), '');
    });
    test('caller correct', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().caller().trapIfEq(USER.toUint8Array(), 'no no no').acceptMessage()));
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(callToQuery(c, id, prog().reply()), 5);
      await isText(call(c, id, prog().reply(), OTHER), '');
      await isText(callToQuery(c, id, prog().reply(), OTHER), '');
    });
    test('arg correct', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().messagePayload().trapIfEq(prog().reply(), 'no no no').acceptMessage()));
      await rejects(call(c, id, prog().reply()), 5);
      await rejects(callToQuery(c, id, prog().reply()), 5);
      await isText(call(c, id, prog().replyData('foo')), 'foo');
      await isText(callToQuery(c, id, prog().replyData('foo')), 'foo');
    });
    test('not run for non-replicated queries', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().trap('must not run')));
      await isText(query(c, id, prog().replyData('q')), 'q');
    });
    test('changes made by inspect_message do not persist', async () => {
      const id = await install(c, width, prog().setGlobal('before').setInspectMessage(prog().setGlobal('inspect').acceptMessage()));
      await isText(call(c, id, prog().getGlobal().appendAndReply()), 'before');
    });
    test('runs in non-replicated mode', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().inReplicatedExecution().intToBlob().trapIfEq(Uint8Array.from([1, 0, 0, 0]), 'replicated').acceptMessage()));
      await isText(call(c, id, prog().reply()), '');
    });
    test('sees the argument size and a non-empty method name for a custom method', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog().msgArgDataSize().intToBlob().trapIfEq(Uint8Array.from([0, 0, 0, 0]), 'empty').acceptMessage()));
      await rejects(c.updateCall({ canisterId: id, method: 'update', arg: new Uint8Array(), sender: USER }), 5, 'empty');
      assert.equal(u32(await call(c, id, prog().msgArgDataSize().replyInt())), prog().msgArgDataSize().replyInt().build().length);
    });
    test('a rejected message is never executed', async () => {
      const id = await install(c, width, prog().setInspectMessage(prog()));
      await rejects(call(c, id, prog().setGlobal('executed').reply()), 4);
      assert.equal(text(await query(c, id, prog().getGlobal().appendAndReply())), '');
    });
  });
}
