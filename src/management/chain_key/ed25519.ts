// Threshold Ed25519 keys held by one party: the IC's derivation (a child key is the parent plus an
// offset from HKDF-SHA512 over parent point ‖ path element, salted with the chain code) applied to a
// secret master scalar. Signing takes the scalar itself, not an RFC 8032 seed, since a derived key
// has no seed; the result verifies as any RFC 8032 signature.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE, bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;

export interface EdKey {
  secret: bigint;
  point: EdPoint;
  chainCode: Uint8Array;
}

/** The master key of `keyText` (e.g. `schnorr:Ed25519:key_1`): a scalar drawn from the subnet's seed. */
export function edMasterKey(seed: Uint8Array, keyText: string): EdKey {
  let secret = 0n;
  for (let attempt = 0; secret === 0n; attempt++) {
    secret = bytesToNumberBE(sha512(concatBytes(utf8ToBytes(`capsule threshold key ${keyText} ${attempt}`), seed))) % ORDER;
  }
  return { secret, point: Point.BASE.multiply(secret), chainCode: new Uint8Array(32) };
}

/** The key for `path` (the caller's principal bytes first, then the canister's derivation path). */
export function edDerive(master: EdKey, path: Uint8Array[]): EdKey {
  let key = master;
  for (const element of path) {
    const output = hkdf(sha512, concatBytes(key.point.toBytes(), element), key.chainCode, utf8ToBytes('Ed25519'), 96);
    const offset = bytesToNumberBE(output.subarray(0, 64)) % ORDER;
    key = { secret: (key.secret + offset) % ORDER, point: key.point.add(Point.BASE.multiplyUnsafe(offset)), chainCode: output.slice(64) };
  }
  return key;
}

export function edPublicKey(key: EdKey): Uint8Array {
  return key.point.toBytes();
}

const scalarOf = (bytes: Uint8Array): bigint => bytesToNumberLE(bytes) % ORDER;

/** RFC 8032 signing with a bare scalar; the nonce hashes a key-derived prefix with the message, so it is deterministic. */
export function ed25519Sign(key: EdKey, message: Uint8Array): Uint8Array {
  const secretBytes = numberToBytesLE(key.secret, 32);
  const prefix = sha512(concatBytes(utf8ToBytes('capsule ed25519 nonce'), secretBytes)).subarray(32);
  const nonce = scalarOf(sha512(concatBytes(prefix, message)));
  const commitment = Point.BASE.multiply(nonce).toBytes();
  const challenge = scalarOf(sha512(concatBytes(commitment, key.point.toBytes(), message)));
  const response = (nonce + challenge * key.secret) % ORDER;
  return concatBytes(commitment, numberToBytesLE(response, 32));
}
