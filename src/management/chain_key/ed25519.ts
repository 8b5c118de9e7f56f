// Threshold Ed25519 keys held by one party: the IC's derivation (a child key is the parent plus an
// offset from HKDF-SHA512 over parent point ‖ path element, salted with the chain code) applied to
// PocketIC's secret master scalars. Signing takes the scalar itself, not an RFC 8032 seed, since a
// derived key has no seed; the result verifies as any RFC 8032 signature.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE, bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { THRESHOLD_MASTER_SEED } from './key_ids.ts';

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;

const scalarOf = (bytes: Uint8Array): bigint => bytesToNumberLE(bytes) % ORDER;

export interface EdKey {
  secret: bigint;
  point: EdPoint;
  chainCode: Uint8Array;
}

const ZERO_CHAIN_CODE = new Uint8Array(32);

/**
 * The master key named `keyName`, as PocketIC derives it: the RFC 8032 key of the seed SHA-512(seed)
 * truncated to 32 bytes, stepped along the name's bytes, with an all-zero chain code.
 */
export function edMasterKey(keyName: string): EdKey {
  const { scalar, point } = ed25519.utils.getExtendedPublicKey(sha512(THRESHOLD_MASTER_SEED).subarray(0, 32));
  const named = edDerive({ secret: scalar, point, chainCode: ZERO_CHAIN_CODE }, [utf8ToBytes(keyName)]);
  return { ...named, chainCode: ZERO_CHAIN_CODE };
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

/**
 * RFC 8032 signing with a bare scalar. A derived key has no RFC 8032 seed, so the nonce prefix is
 * SHA-512(scalar ‖ chain code) as the replica's test keys make it: the same request, the same signature.
 */
export function ed25519Sign(key: EdKey, message: Uint8Array): Uint8Array {
  const prefix = sha512(concatBytes(numberToBytesLE(key.secret, 32), key.chainCode)).subarray(0, 32);
  const nonce = scalarOf(sha512(concatBytes(prefix, message)));
  const commitment = Point.BASE.multiply(nonce).toBytes();
  const challenge = scalarOf(sha512(concatBytes(commitment, key.point.toBytes(), message)));
  const response = (nonce + challenge * key.secret) % ORDER;
  return concatBytes(commitment, numberToBytesLE(response, 32));
}
