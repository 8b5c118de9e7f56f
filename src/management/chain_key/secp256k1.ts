// Threshold keys on secp256k1 (ECDSA and BIP340 Schnorr), held by one party: the IC's key derivation
// — SLIP-0010-style child derivation over arbitrary byte strings, where a child key is the parent
// plus an offset from HMAC-SHA512(chain code, parent point ‖ path element) — applied to a secret
// master key, so the private side is the master secret plus the summed offsets. The master keys
// are PocketIC's (ECDSA and BIP340 keys of one name share one key, as there).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { THRESHOLD_MASTER_SEED } from './key_ids.ts';

const Point = secp256k1.Point;
type SecpPoint = InstanceType<typeof Point>;
const ORDER = Point.Fn.ORDER;

/** A derived key: its secret scalar, its point and the chain code the reply carries. */
export interface SecpKey {
  secret: bigint;
  point: SecpPoint;
  chainCode: Uint8Array;
}

const ZERO_CHAIN_CODE = new Uint8Array(32);

/**
 * The master key named `keyName`, as PocketIC derives it: the key of SHA-256(seed) mod n, stepped
 * along the name's bytes. Like every IC master key it carries an all-zero chain code.
 */
export function secpMasterKey(keyName: string): SecpKey {
  const secret = bytesToNumberBE(sha256(THRESHOLD_MASTER_SEED)) % ORDER;
  const named = secpDerive({ secret, point: Point.BASE.multiply(secret), chainCode: ZERO_CHAIN_CODE }, [utf8ToBytes(keyName)]);
  return { ...named, chainCode: ZERO_CHAIN_CODE };
}

/** One child step: the offset and next chain code for `element`, retried as SLIP-0010 says when out of range. */
function childOffset(element: Uint8Array, point: SecpPoint, chainCode: Uint8Array): { offset: bigint; chainCode: Uint8Array; point: SecpPoint } {
  let input = point.toBytes(true);
  for (;;) {
    const digest = hmac(sha512, chainCode, concatBytes(input, element));
    const offset = bytesToNumberBE(digest.subarray(0, 32));
    const nextChainCode = digest.slice(32);
    if (offset < ORDER) {
      const next = point.add(Point.BASE.multiplyUnsafe(offset));
      if (!next.equals(Point.ZERO)) return { offset, chainCode: nextChainCode, point: next };
    }
    input = concatBytes(Uint8Array.of(1), nextChainCode);
  }
}

/** The key for `path` (the caller's principal bytes first, then the canister's derivation path). */
export function secpDerive(master: SecpKey, path: Uint8Array[]): SecpKey {
  let key = master;
  for (const element of path) {
    const step = childOffset(element, key.point, key.chainCode);
    key = { secret: (key.secret + step.offset) % ORDER, point: step.point, chainCode: step.chainCode };
  }
  return key;
}

export function secpPublicKey(key: SecpKey): Uint8Array {
  return key.point.toBytes(true);
}

/** ECDSA over a 32-byte hash: RFC 6979 nonces (deterministic), low s, 64 bytes r ‖ s. */
export function ecdsaSign(key: SecpKey, messageHash: Uint8Array): Uint8Array {
  return secp256k1.sign(messageHash, numberToBytesBE(key.secret, 32), { prehash: false, lowS: true });
}

/** BIP341's key tweak: the key a taproot output commits to, for a script tree root (or none, when empty). */
function taprootTweak(secret: bigint, merkleRootHash: Uint8Array): bigint {
  const point = Point.BASE.multiply(secret);
  const evenSecret = point.y % 2n === 0n ? secret : ORDER - secret;
  const tweak = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', point.toBytes(true).subarray(1), merkleRootHash));
  if (tweak >= ORDER) throw new RangeError('taproot tweak out of range');
  return (evenSecret + tweak) % ORDER;
}

/**
 * BIP340 over the whole message, with the BIP341 tweak when `merkleRootHash` is given. The auxiliary
 * randomness is a hash of the key and the message: the same request gets the same signature.
 */
export function bip340Sign(key: SecpKey, message: Uint8Array, merkleRootHash: Uint8Array | undefined): Uint8Array {
  const secret = merkleRootHash === undefined ? key.secret : taprootTweak(key.secret, merkleRootHash);
  const secretBytes = numberToBytesBE(secret, 32);
  const auxRandom = sha256(concatBytes(utf8ToBytes('capsule bip340 aux'), secretBytes, sha256(message)));
  return schnorr.sign(message, secretBytes, auxRandom);
}
