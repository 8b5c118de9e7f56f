// A library call is charged as the unsigned envelope an anonymous agent would send: the computed size
// must equal the length of that envelope actually encoded, for short and long fields alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCbor } from '../../src/certification/index.ts';
import { unsignedEnvelopeBytes } from '../../src/replica/index.ts';
import { ANONYMOUS, canisterIdFromIndex, Principal } from '../../src/state/index.ts';

function encodedLength(content: { sender: Principal; receiver: Principal; method: string; arg: Uint8Array }): number {
  const envelope = {
    content: {
      request_type: 'call',
      canister_id: content.receiver.toUint8Array(),
      method_name: content.method,
      arg: content.arg,
      sender: content.sender.toUint8Array(),
      ingress_expiry: 1_700_000_300_000_000_000n,
    },
  };
  return encodeCbor(envelope, { selfDescribe: true }).length;
}

test('the computed envelope size equals the encoded envelope for every field length class', () => {
  const user = Principal.fromUint8Array(new Uint8Array(29).fill(7));
  for (const sender of [ANONYMOUS, user]) {
    for (const method of ['', 'inc', 'a'.repeat(23), 'b'.repeat(24), 'ü'.repeat(200), 'c'.repeat(70_000)]) {
      for (const size of [0, 23, 24, 255, 256, 65_535, 65_536]) {
        const content = { sender, receiver: canisterIdFromIndex(0x100000n), method, arg: new Uint8Array(size) };
        assert.equal(unsignedEnvelopeBytes(content), encodedLength(content), `method ${method.length}, arg ${size}`);
      }
    }
  }
});
