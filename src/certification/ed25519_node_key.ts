// The node key: Ed25519, used to sign query responses (interface spec, "Query call" responses).
// Clients fetch it from `/subnet/<subnet>/node/<node>/public_key` (44-byte DER) and check
// `signature` over `\x0Bic-response ‖ hash_of_map(response)` where `response` is
// {status, reply, timestamp, request_id} or {status, reject_code, reject_message, error_code,
// timestamp, request_id}.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, concatBytes, fromHex } from './_bytes.ts';
import { IC_RESPONSE } from './domain_separators.ts';
import { hashOfMap, type HashableMap } from './request_id.ts';
import { selfAuthenticatingId } from './principal_ids.ts';

/** RFC 8410 PKCS #8 prefix of an Ed25519 private key (16 bytes; + the 32-byte seed). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** RFC 8410 SubjectPublicKeyInfo prefix of an Ed25519 key (12 bytes; + 32 key bytes = 44). */
export const ED25519_DER_PREFIX: Uint8Array = fromHex('302a300506032b6570032100');

export interface NodeKey {
  /** 32-byte Ed25519 seed. Keep it out of logs. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** 44-byte DER form, the value at `/subnet/<s>/node/<n>/public_key`. */
  readonly publicKeyDer: Uint8Array;
  /** The node id: the self-authenticating principal of `publicKeyDer`. */
  readonly nodeId: Uint8Array;
}

/** The node key of a 32-byte seed (deterministic). */
export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  if (seed.length !== 32) throw new RangeError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  // node:crypto derives it natively: noble's first use builds a base-point table (~30 ms per process).
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const publicKey = ed25519PublicKeyFromDer(publicKeyDer);
  return { secretKey: Uint8Array.from(seed), publicKey, publicKeyDer, nodeId: selfAuthenticatingId(publicKeyDer) };
}

export function ed25519PublicKeyToDer(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
  return concatBytes(ED25519_DER_PREFIX, publicKey);
}

/** The raw key of a 44-byte DER Ed25519 key. @throws RangeError on another length or prefix. */
export function ed25519PublicKeyFromDer(der: Uint8Array): Uint8Array {
  if (der.length !== 44 || !bytesEqual(der.subarray(0, 12), ED25519_DER_PREFIX)) {
    throw new RangeError(`not a DER Ed25519 public key (${der.length} bytes)`);
  }
  return der.slice(12);
}

/**
 * Sign a query response map: Ed25519 over `\x0Bic-response ‖ hash_of_map(response)`. Every query
 * answer is signed, so this uses node:crypto (≈0.02 ms, vs ≈0.45 ms in JS); Ed25519 signatures are
 * deterministic, so the bytes are the same either way.
 */
export function signQueryResponse(key: NodeKey, response: HashableMap): Uint8Array {
  return signWithNodeKey(key, queryResponseMessage(response));
}

/** What a query response's node signature signs. */
export function queryResponseMessage(response: HashableMap): Uint8Array {
  return concatBytes(IC_RESPONSE, hashOfMap(response));
}

/** The node key's Ed25519 signature of `message`. */
export function signWithNodeKey(key: Pick<NodeKey, 'secretKey' | 'publicKey'>, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyOf(key)));
}

/** Key objects of the node keys seen (one per subnet): by secret, since keys sent to a crypto thread arrive as copies. */
const PRIVATE_KEYS_KEPT = 64;
const privateKeys = new Map<string, KeyObject>();

function privateKeyOf(key: Pick<NodeKey, 'secretKey' | 'publicKey'>): KeyObject {
  const d = Buffer.from(key.secretKey).toString('base64url');
  let keyObject = privateKeys.get(d);
  if (!keyObject) {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d, x: Buffer.from(key.publicKey).toString('base64url') };
    keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
    if (privateKeys.size >= PRIVATE_KEYS_KEPT) privateKeys.delete(privateKeys.keys().next().value!);
    privateKeys.set(d, keyObject);
  }
  return keyObject;
}

/** Check a query-response signature against a DER node key. Never throws. */
export function verifyQueryResponse(signature: Uint8Array, response: HashableMap, publicKeyDer: Uint8Array): boolean {
  try {
    const message = concatBytes(IC_RESPONSE, hashOfMap(response));
    return ed25519.verify(signature, message, ed25519PublicKeyFromDer(publicKeyDer));
  } catch {
    return false;
  }
}
