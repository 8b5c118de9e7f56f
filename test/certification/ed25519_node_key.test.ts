// Node key: RFC 8032 vector for the key derivation, DER form, and query-response signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/certification/_bytes.ts';
import {
  ed25519PublicKeyFromDer,
  nodeKeyFromSeed,
  signQueryResponse,
  verifyQueryResponse,
} from '../../src/certification/ed25519_node_key.ts';
import { hashOfMap } from '../../src/certification/request_id.ts';
import { selfAuthenticatingId } from '../../src/certification/principal_ids.ts';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/certification/cbor.ts';

test('RFC 8032 test 1: public key of the secret, DER form, node id', () => {
  const key = nodeKeyFromSeed(fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
  assert.equal(toHex(key.publicKey), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  assert.equal(toHex(key.publicKeyDer), '302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  assert.deepStrictEqual(key.nodeId, selfAuthenticatingId(key.publicKeyDer));
  assert.deepStrictEqual(ed25519PublicKeyFromDer(key.publicKeyDer), key.publicKey);
  assert.throws(() => ed25519PublicKeyFromDer(key.publicKey), /not a DER Ed25519/);
  assert.throws(() => nodeKeyFromSeed(new Uint8Array(31)), /32 bytes/);
});

test('query responses: signed over ic-response ‖ hash_of_map, verifiable from decoded CBOR', () => {
  const key = nodeKeyFromSeed(new Uint8Array(32).fill(5));
  const requestId = new Uint8Array(32).fill(9);
  const response = { status: 'replied', reply: { arg: utf8('DIDL\x00\x00') }, timestamp: 1_700_000_000_000_000_000n, request_id: requestId };
  const sig = signQueryResponse(key, response);
  assert.ok(ed25519.verify(sig, concatBytes(Uint8Array.of(0x0b), utf8('ic-response'), hashOfMap(response)), key.publicKey));
  assert.ok(verifyQueryResponse(sig, response, key.publicKeyDer));
  // A client re-creates the map from the decoded response: same hash, same verdict.
  const asDecoded = decodeCbor(encodeCbor(response)) as CborMap;
  assert.ok(verifyQueryResponse(sig, asDecoded, key.publicKeyDer));
  assert.ok(!verifyQueryResponse(sig, { ...response, timestamp: 1n }, key.publicKeyDer));
  assert.ok(!verifyQueryResponse(sig, response, nodeKeyFromSeed(new Uint8Array(32).fill(6)).publicKeyDer));
  assert.ok(!verifyQueryResponse(sig.subarray(1), response, key.publicKeyDer));
  const rejected = { status: 'rejected', reject_code: 4n, reject_message: 'no', error_code: 'IC0406', timestamp: 1n, request_id: requestId };
  assert.ok(verifyQueryResponse(signQueryResponse(key, rejected), rejected, key.publicKeyDer));
});
