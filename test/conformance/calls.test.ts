// Simple calls, state, anonymous caller and inter-canister calls (ic-ref-test "simple calls",
// "state", "anonymous user", "inter-canister calls"; interface spec, section 'Abstract behavior').
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { CALLBACK_FUN, prog, WRONG_TYPE_FUN } from '../universal/program.ts';
import {
  ANONYMOUS,
  bytes,
  call,
  callToQuery,
  type Capsule,
  DOES_NOT_EXIST,
  helloFrom,
  install,
  interCall,
  interQuery,
  interUpdate,
  isRelayReject,
  isRelayReply,
  isText,
  newCapsule,
  query,
  rejects,
  relayReject,
  relayReply,
  start,
  stop,
  text,
  u32,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const getGlobal = () => prog().getGlobal().appendAndReply();

for (const width of WIDTHS) {
  describe(`simple calls (wasm${width})`, () => {
    test('call', async () => {
      const id = await install(c, width);
      await isText(call(c, id, prog().replyData('ABCD')), 'ABCD');
    });
    test('call (query)', async () => {
      const id = await install(c, width);
      await isText(query(c, id, prog().replyData('ABCD')), 'ABCD');
    });
    test('call to a non-existent update method', async () => {
      const id = await install(c, width);
      // [replica] CanisterMethodNotFound IC0536 → CANISTER_ERROR (the spec's prose says DESTINATION_INVALID).
      const e = await rejects(c.updateCall({ canisterId: id, method: 'no_such_update', arg: new Uint8Array(), sender: USER }), 5);
      assert.equal(e.errorCode, 'IC0536');
    });
    test('call to a non-existent query method', async () => {
      const id = await install(c, width);
      // [replica] IC0536 → 5, as above.
      const e = await rejects(c.queryCall({ canisterId: id, method: 'no_such_query', arg: new Uint8Array(), sender: USER }), 5);
      assert.equal(e.errorCode, 'IC0536');
    });
    test('reject', async () => {
      const id = await install(c, width);
      const e = await rejects(call(c, id, prog().reject('ABCD')), 4);
      assert.equal(e.rejectMessage, 'ABCD');
    });
    test('reject (query)', async () => {
      const id = await install(c, width);
      const e = await rejects(query(c, id, prog().reject('ABCD')), 4);
      assert.equal(e.rejectMessage, 'ABCD');
    });
    test('reject with invalid UTF-8 traps', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().reject(Uint8Array.from([0xe2, 0x28, 0xa1]))), 5);
    });
    test('no response', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog()), 5);
    });
    test('no response does not roll back', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().setGlobal('FOO')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('no response (query)', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, prog()), 5);
    });
    test('double reply', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().reply().reply()), 5);
    });
    test('double reply (query)', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, prog().reply().reply()), 5);
    });
    test('reply data append after reply', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().reply().replyDataAppend('foo')), 5);
    });
    test('reply data append after reject', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().reject('bar').replyDataAppend('foo')), 5);
    });
    test('reject after reply', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().reply().reject('late')), 5);
    });
    test('a trap after replying discards the reply', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().replyData('x').trap('afterwards')), 5, 'afterwards');
    });
    test('caller', async () => {
      const id = await install(c, width);
      assert.deepEqual(await call(c, id, prog().caller().appendAndReply()), USER.toUint8Array());
    });
    test('caller (query)', async () => {
      const id = await install(c, width);
      assert.deepEqual(await query(c, id, prog().caller().appendAndReply()), USER.toUint8Array());
    });
    test('self', async () => {
      const id = await install(c, width);
      assert.deepEqual(await query(c, id, prog().self().appendAndReply()), id.toUint8Array());
    });
    test('an empty reply', async () => {
      const id = await install(c, width);
      assert.equal((await call(c, id, prog().reply())).length, 0);
    });
  });

  describe(`anonymous user (wasm${width})`, () => {
    test('update, sender anonymous', async () => {
      const id = await install(c, width);
      assert.deepEqual(await call(c, id, prog().caller().appendAndReply(), ANONYMOUS), ANONYMOUS.toUint8Array());
    });
    test('query, sender anonymous', async () => {
      const id = await install(c, width);
      assert.deepEqual(await query(c, id, prog().caller().appendAndReply(), ANONYMOUS), ANONYMOUS.toUint8Array());
    });
  });

  describe(`state (wasm${width})`, () => {
    test('set/get', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('set/set/get', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await call(c, id, prog().setGlobal('BAR').reply());
      await isText(query(c, id, getGlobal()), 'BAR');
    });
    test('a trap rolls back the heap', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await rejects(call(c, id, prog().setGlobal('BAR').trap('no')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('a trap after growing the heap rolls back', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('FOO').reply());
      await rejects(call(c, id, prog().memorySizeIsAtLeast(8 * 1024 * 1024).setGlobal('BAR').trap('no')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
  });

  describe(`inter-canister calls (wasm${width})`, () => {
    describe('builder interface traps without call_new', () => {
      test('call_data_append', async () => {
        const id = await install(c, width);
        await rejects(call(c, id, prog().callDataAppend('Foo').reply()), 5);
      });
      test('call_on_cleanup', async () => {
        const id = await install(c, width);
        await rejects(call(c, id, prog().callOnCleanup(prog()).reply()), 5);
      });
      test('call_cycles_add128', async () => {
        const id = await install(c, width);
        await rejects(call(c, id, prog().callCyclesAdd128(0, 0).reply()), 5);
      });
      test('call_with_best_effort_response', async () => {
        const id = await install(c, width);
        await rejects(call(c, id, prog().callWithBestEffortResponse(1).reply()), 5);
      });
      test('call_perform', async () => {
        const id = await install(c, width);
        await rejects(call(c, id, prog().callPerform().reply()), 5);
      });
      if (width === 32) {
        test('call_cycles_add', async () => {
          const id = await install(c, width);
          await rejects(call(c, id, prog().callCyclesAdd(0).reply()), 5);
        });
      }
    });
    test('call_perform traps after a performed call (until the next call_new)', async () => {
      const id = await install(c, width);
      const p = prog().oneWayCallNew(id, 'query').callPerform().callDataAppend('x').reply();
      await rejects(call(c, id, p), 5);
    });
    test('call_new clears the pending call', async () => {
      const id = await install(c, width);
      const p = prog().pushBytes('foo').pushBytes('bar').pushBytes('baz').pushBytes('quux').callNew().callDataAppend('hey').append(interQuery(id));
      assert.deepEqual(isRelayReply(await call(c, id, p)), helloFrom(id, id));
    });
    test('call_data_append really appends', async () => {
      const id = await install(c, width);
      const other = prog().pushBytes('Hello ').replyDataAppend().caller().replyDataAppend().pushBytes(' this is ').replyDataAppend().self().replyDataAppend().reply().build();
      const p = prog()
        .callNew(id, 'query', { onReply: relayReply(), onReject: relayReject() })
        .callDataAppend(other.slice(0, 3))
        .callDataAppend(other.slice(3))
        .callPerform();
      assert.deepEqual(isRelayReply(await call(c, id, p)), helloFrom(id, id));
    });
    test('call_on_cleanup traps if called twice', async () => {
      const id = await install(c, width);
      const p = prog().callNew(id, 'query').callOnCleanup(prog()).callOnCleanup(prog()).reply();
      await rejects(call(c, id, p), 5);
    });
    test('call_with_best_effort_response traps if called twice', async () => {
      const id = await install(c, width);
      const p = prog().callNew(id, 'query').callWithBestEffortResponse(5).callWithBestEffortResponse(5).reply();
      await rejects(call(c, id, p), 5);
    });
    test('to a non-existent canister', async () => {
      const id = await install(c, width);
      isRelayReject(await call(c, id, interCall(DOES_NOT_EXIST, 'bar')), 3);
    });
    test('to a non-existent canister (user id)', async () => {
      const id = await install(c, width);
      isRelayReject(await call(c, id, interCall(USER, 'bar')), 3);
    });
    test('to a non-existent method', async () => {
      const id = await install(c, width);
      // [replica] IC0536 → CANISTER_ERROR; the spec's prose says DESTINATION_INVALID (3).
      isRelayReject(await call(c, id, interCall(id, 'bar')), 5);
    });
    test('to an empty canister', async () => {
      const id = await install(c, width);
      const empty = await c.createCanister({ sender: USER });
      // [replica] CanisterWasmModuleNotFound IC0537 → CANISTER_ERROR (spec: DESTINATION_INVALID).
      isRelayReject(await call(c, id, interUpdate(empty)), 5);
    });
    test('call from a query method traps (in update call)', async () => {
      const id = await install(c, width);
      await rejects(callToQuery(c, id, interQuery(id)), 5);
    });
    test('call from a query method traps (in query call)', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, interQuery(id)), 5);
    });
    test('call from a query method traps (in inter-canister call)', async () => {
      const id = await install(c, width);
      isRelayReject(await call(c, id, interCall(id, 'query', { otherSide: interQuery(id) })), 5);
    });
    test('self-call (to update)', async () => {
      const id = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, id, interUpdate(id))), helloFrom(id, id));
    });
    test('self-call (to query)', async () => {
      const id = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, id, interQuery(id))), helloFrom(id, id));
    });
    test('update commits', async () => {
      const id = await install(c, width);
      const p = prog().setGlobal('FOO').append(interUpdate(id, { otherSide: prog().setGlobal('BAR').reply() }));
      assert.equal(isRelayReply(await call(c, id, p)).length, 0);
      await isText(query(c, id, getGlobal()), 'BAR');
    });
    test('query does not commit', async () => {
      const id = await install(c, width);
      const p = prog().setGlobal('FOO').append(interQuery(id, { otherSide: prog().setGlobal('BAR').reply() }));
      assert.equal(isRelayReply(await call(c, id, p)).length, 0);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('query no response', async () => {
      const id = await install(c, width);
      isRelayReject(await call(c, id, interQuery(id, { otherSide: prog() })), 5);
    });
    test('query double reply', async () => {
      const id = await install(c, width);
      isRelayReject(await call(c, id, interQuery(id, { otherSide: prog().reply().reply() })), 5);
    });
    test('callee trap is relayed as CANISTER_ERROR with the trap message', async () => {
      const id = await install(c, width);
      const message = isRelayReject(await call(c, id, interUpdate(id, { otherSide: prog().trap('boom') })), 5);
      assert.ok(message.includes('boom'), message);
    });
    test('callee reject is relayed as CANISTER_REJECT with its message', async () => {
      const id = await install(c, width);
      assert.equal(isRelayReject(await call(c, id, interUpdate(id, { otherSide: prog().reject('nope') })), 4), 'nope');
    });
    test('reject code is 0 in the reply callback', async () => {
      const id = await install(c, width);
      assert.equal(u32(await call(c, id, interQuery(id, { onReply: prog().rejectCode().replyInt() }))), 0);
    });
    test('reply callback sees the reply as its argument', async () => {
      const id = await install(c, width);
      await isText(call(c, id, interQuery(id, { otherSide: prog().replyData('payload'), onReply: prog().messagePayload().appendAndReply() })), 'payload');
    });
    test('second reply in a callback traps and is rolled back', async () => {
      const id = await install(c, width);
      const p = prog()
        .setGlobal('FOO')
        .replyData('First reply')
        .append(interQuery(id, { onReply: prog().setGlobal('BAR').replyData('Second reply'), onReject: prog().setGlobal('BAZ').append(relayReject()) }));
      await isText(call(c, id, p), 'First reply');
      // a barrier: stopping waits for all outstanding callbacks
      await stop(c, id);
      await start(c, id);
      await isText(query(c, id, getGlobal()), 'FOO');
    });
    test('partial reply data of the method is dropped', async () => {
      const id = await install(c, width);
      const p = prog().replyDataAppend('FOO').append(interQuery(id, { onReply: prog().replyDataAppend('BAR').reply() }));
      await isText(call(c, id, p), 'BAR');
    });
    test('cleanup is not executed when the reply callback does not trap', async () => {
      const id = await install(c, width);
      await call(c, id, interQuery(id, { onReply: prog().reply(), onCleanup: prog().setGlobal('BAD') }));
      await isText(query(c, id, getGlobal()), '');
    });
    test('cleanup is not executed when the reject callback does not trap', async () => {
      const id = await install(c, width);
      await call(c, id, interQuery(id, { otherSide: prog().reject('meh'), onReject: prog().reply(), onCleanup: prog().setGlobal('BAD') }));
      await isText(query(c, id, getGlobal()), '');
    });
    test('cleanup runs when the reply callback traps and its changes are kept', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, interQuery(id, { onReply: prog().setGlobal('CALLBACK').trap('x'), onCleanup: prog().appendGlobal('CLEANUP') })), 5);
      // cleanup runs on the state before the callback
      await isText(query(c, id, getGlobal()), 'CLEANUP');
    });
    test('cleanup runs when the reject callback traps', async () => {
      const id = await install(c, width);
      const p = interQuery(id, { otherSide: prog().reject('r'), onReject: prog().trap('x'), onCleanup: prog().setGlobal('CLEANUP') });
      await rejects(call(c, id, p), 5);
      await isText(query(c, id, getGlobal()), 'CLEANUP');
    });
    test('cleanup sees the reject code of the response (0 after a reply)', async () => {
      const id = await install(c, width);
      const reply = interQuery(id, { onReply: prog().trap('x'), onCleanup: prog().rejectCode().intToBlob().setGlobal() });
      await rejects(call(c, id, reply), 5);
      assert.equal(u32(await query(c, id, getGlobal())), 0);
      const reject = interQuery(id, { otherSide: prog().reject('r'), onReject: prog().trap('x'), onCleanup: prog().rejectCode().intToBlob().setGlobal() });
      await rejects(call(c, id, reject), 5);
      assert.equal(u32(await query(c, id, getGlobal())), 4);
    });
    test('a trapping cleanup keeps nothing', async () => {
      const id = await install(c, width);
      await call(c, id, prog().setGlobal('BEFORE').reply());
      await rejects(call(c, id, interQuery(id, { onReply: prog().trap('x'), onCleanup: prog().setGlobal('CLEANUP').trap('y') })), 5);
      await isText(query(c, id, getGlobal()), 'BEFORE');
    });
    test('a callback with a bad table index counts as a trap (cleanup runs)', async () => {
      const id = await install(c, width);
      const p = prog().self().pushBytes('query').pushInt(77).pushInt(0).pushInt(77).pushInt(0).callNewRaw().callOnCleanup(prog().setGlobal('CLEANUP')).callDataAppend(prog().reply()).callPerform().reply();
      await isText(call(c, id, p), '');
      await stop(c, id);
      await start(c, id);
      await isText(query(c, id, getGlobal()), 'CLEANUP');
    });
    test('a callback of the wrong type counts as a trap', async () => {
      const id = await install(c, width);
      const p = prog().self().pushBytes('query').pushInt(WRONG_TYPE_FUN).pushInt(0).pushInt(WRONG_TYPE_FUN).pushInt(0).callNewRaw().callDataAppend(prog().reply()).callPerform();
      await rejects(call(c, id, p), 5);
      // the same call with the right table index replies
      const good = prog().self().pushBytes('query').pushInt(CALLBACK_FUN).pushInt(0xffffffff).pushInt(CALLBACK_FUN).pushInt(0xffffffff).callNewRaw().callDataAppend(prog().reply()).callPerform().reply();
      await isText(call(c, id, good), '');
    });
    describe('two callbacks', () => {
      test('reply after trap', async () => {
        const id = await install(c, width);
        const p = prog().append(interQuery(id, { onReply: prog().trap('first callback traps') })).append(interQuery(id, { onReply: prog().replyData('good') }));
        await isText(call(c, id, p), 'good');
      });
      test('trap after reply', async () => {
        const id = await install(c, width);
        const p = prog().append(interQuery(id, { onReply: prog().replyData('good') })).append(interQuery(id, { onReply: prog().trap('second callback traps') }));
        await isText(call(c, id, p), 'good');
      });
      test('both trap', async () => {
        const id = await install(c, width);
        const p = prog().append(interQuery(id, { onReply: prog().trap('first callback traps') })).append(interQuery(id, { onReply: prog().trap('second callback traps') }));
        await rejects(call(c, id, p), 5);
      });
    });
    test('call to another canister (to update)', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, a, interUpdate(b))), helloFrom(a, b));
    });
    test('call to another canister (to query)', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, a, interQuery(b))), helloFrom(a, b));
    });
    test('calls between two canisters start in the order they were made', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = prog();
      for (const letter of ['1', '2', '3', '4']) p.oneWayCall(b, 'update', prog().appendGlobal(letter).reply());
      await call(c, a, p.reply());
      await c.tick(3);
      await isText(query(c, b, getGlobal()), '1234');
    });
    test('calls across widths (wasm32 ↔ wasm64)', async () => {
      const a = await install(c, width);
      const b = await install(c, width === 32 ? 64 : 32);
      assert.deepEqual(isRelayReply(await call(c, a, interUpdate(b))), helloFrom(a, b));
    });
    test('a callback can make further calls and reply later', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const inner = interQuery(b, { otherSide: prog().replyData('inner'), onReply: prog().messagePayload().appendAndReply() });
      const p = interUpdate(b, { otherSide: prog().replyData('outer'), onReply: inner });
      await isText(call(c, a, p), 'inner');
    });
    test('a large argument and reply round-trip between canisters', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const big = new Uint8Array(1024 * 1024).fill(0x5a);
      const r = isRelayReply(await call(c, a, interUpdate(b, { otherSide: prog().pushBytes(big).appendAndReply() })));
      assert.equal(r.length, big.length);
    });
    test('message payload of the callee is the call argument', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = prog().callNew(b, 'update', { onReply: relayReply(), onReject: relayReject() }).callDataAppend(prog().msgArgDataSize().replyInt()).callPerform();
      assert.equal(u32(isRelayReply(await call(c, a, p))), prog().msgArgDataSize().replyInt().build().length);
    });
    test('caller of a canister call is the calling canister', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.deepEqual(isRelayReply(await call(c, a, interUpdate(b, { otherSide: prog().caller().appendAndReply() }))), a.toUint8Array());
    });
    test('reject message is readable in the reject callback', async () => {
      const a = await install(c, width);
      const p = interUpdate(a, { otherSide: prog().reject('why'), onReject: prog().rejectMessage().appendAndReply() });
      await isText(call(c, a, p), 'why');
      assert.equal(text(bytes('why')), 'why');
    });
  });
}
