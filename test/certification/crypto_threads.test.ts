// The crypto threads: every request authentication (verdict, sender, target list, message) equals the one computed
// in this thread, for valid and tampered signatures of each key type, delegation chains, and delegations holding CBOR
// values that cannot cross a thread boundary unchanged (checked in this thread); query responses are signed with the
// bytes this thread would sign.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { concatBytes, fromHex, sha256, utf8 } from '../../src/certification/_bytes.ts';
import { signQueryResponseInBackground, verifyRequestAuthInBackground } from '../../src/certification/crypto_threads.ts';
import { nodeKeyFromSeed, signQueryResponse, verifyQueryResponse } from '../../src/certification/ed25519_node_key.ts';
import { CborTagged, type CborValue } from '../../src/certification/cbor.ts';
import { encodeSubjectPublicKeyInfo, OID } from '../../src/certification/der.ts';
import { IC_REQUEST, IC_REQUEST_AUTH_DELEGATION } from '../../src/certification/domain_separators.ts';
import { ANONYMOUS_ID, canisterIdFromIndex, selfAuthenticatingId } from '../../src/certification/principal_ids.ts';
import { hashOfMap } from '../../src/certification/request_id.ts';
import { type RequestAuthInput, verifyRequestAuth } from '../../src/certification/signatures.ts';

const NOW = 1_700_000_000_000_000_000n;

function ed25519Key(fill: number) {
  const secret = new Uint8Array(32).fill(fill);
  return { der: concatBytes(fromHex('302a300506032b6570032100'), ed25519.getPublicKey(secret)), sign: (m: Uint8Array) => ed25519.sign(m, secret) };
}

const p256Secret = new Uint8Array(32).fill(2);
const p256Key = { der: encodeSubjectPublicKeyInfo(OID.ecPublicKey, OID.p256, p256.getPublicKey(p256Secret, false)), sign: (m: Uint8Array) => p256.sign(m, p256Secret) };
type Key = typeof p256Key;

function request(key: Key, n: number, extra: Partial<RequestAuthInput> = {}): RequestAuthInput {
  const requestId = sha256(utf8(`request ${n}`));
  return { requestType: 'call', sender: selfAuthenticatingId(key.der), requestId, senderPubkey: key.der, senderSig: key.sign(concatBytes(IC_REQUEST, requestId)), now: NOW, ...extra };
}

/** A signed delegation with `fields` in the delegation and `beside` next to it and its signature. */
function delegate(from: Key, to: Key, fields: Record<string, CborValue>, beside: Record<string, CborValue>): CborValue {
  const delegation = new Map<string, CborValue>([['pubkey', to.der], ['expiration', NOW + 1n], ...Object.entries(fields)]);
  const signature = from.sign(concatBytes(IC_REQUEST_AUTH_DELEGATION, hashOfMap(delegation)));
  return new Map<string, CborValue>([['delegation', delegation], ['signature', signature], ...Object.entries(beside)]);
}

/** Signs with `signer` for the chain `sender → signer`. */
function delegated(sender: Key, signer: Key, n: number, fields: Record<string, CborValue> = {}, beside: Record<string, CborValue> = {}): RequestAuthInput {
  const signed = request(signer, n);
  return { ...signed, sender: selfAuthenticatingId(sender.der), senderPubkey: sender.der, senderDelegation: [delegate(sender, signer, fields, beside)] };
}

test('authentication on the crypto threads gives the verdicts of this thread', async () => {
  const alice = ed25519Key(1);
  const bob = ed25519Key(3);
  const valid = request(alice, 1);
  const inputs: RequestAuthInput[] = [
    valid,
    request(p256Key, 2),
    { ...valid, senderSig: valid.senderSig!.map((b, i) => (i === 0 ? b ^ 1 : b)) },
    { ...valid, requestId: sha256(utf8('another request')) },
    request(p256Key, 3, { senderSig: new Uint8Array(64) }),
    { ...valid, sender: selfAuthenticatingId(bob.der) },
    { requestType: 'query', sender: ANONYMOUS_ID, requestId: valid.requestId, now: NOW },
    delegated(alice, bob, 4, { targets: [canisterIdFromIndex(7n)] }),
    { ...delegated(alice, bob, 5), now: NOW + 2n },
    delegated(alice, bob, 6, {}, { unknown: new CborTagged(42n, 'x') }),
  ];
  // A request whose byte strings are views into a larger body, as the HTTP layer decodes them.
  const body = new Uint8Array(4096);
  body.set(valid.senderSig!, 1000);
  inputs.push({ ...valid, senderSig: body.subarray(1000, 1064) });
  const results = await Promise.all(inputs.map(verifyRequestAuthInBackground));
  assert.deepEqual(results, inputs.map(verifyRequestAuth));
  assert.deepEqual(results.map((r) => r.ok), [true, true, false, false, false, false, true, true, false, true, true]);
});

test('query responses signed on the crypto threads carry the signatures of this thread and verify', async () => {
  const keys = [nodeKeyFromSeed(new Uint8Array(32).fill(5)), nodeKeyFromSeed(new Uint8Array(32).fill(6))];
  const responses = Array.from({ length: 6 }, (_, i) => ({ status: 'replied', reply: { arg: new Uint8Array([i]) }, timestamp: BigInt(i), request_id: sha256(utf8(`q ${i}`)) }));
  const signed = await Promise.all(responses.map((response, i) => signQueryResponseInBackground(keys[i % 2]!, response)));
  assert.deepEqual(signed, responses.map((response, i) => signQueryResponse(keys[i % 2]!, response)));
  assert.ok(signed.every((signature, i) => verifyQueryResponse(signature, responses[i]!, keys[i % 2]!.publicKeyDer)));
});
