// BLS12-381 signatures as the IC uses them (interface spec, "Certification"): the
// minimal-signature-size variant of draft-irtf-cfrg-bls-signature, ciphersuite
// BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_ — signatures are compressed G1 points (48 bytes),
// public keys compressed G2 points (96 bytes), DER-wrapped to 133 bytes for clients.
// In @noble/curves this is `bls12_381.shortSignatures`; its default G1 DST is the one above, and
// we pass it explicitly anyway so that a library change cannot silently alter signatures.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from './_bytes.ts';
import { loadWasmBls, wasmBlsSign, wasmBlsVerify } from './bls_wasm.ts';
import { IC_STATE_ROOT } from './domain_separators.ts';

const scheme = bls12_381.shortSignatures;
const Fr = bls12_381.fields.Fr;
const Fp = bls12_381.fields.Fp;

/** Hash-to-curve domain separation tag of the IC's BLS ciphersuite. */
export const BLS_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/** DER prefix of a BLS public key (37 bytes): OIDs 1.3.6.1.4.1.44668.5.3.1.2.1 and …5.3.2.1. */
export const BLS_DER_PREFIX: Uint8Array = fromHex(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100',
);
export const BLS_PUBLIC_KEY_LENGTH = 96;
export const BLS_SIGNATURE_LENGTH = 48;
export const BLS_DER_LENGTH = BLS_DER_PREFIX.length + BLS_PUBLIC_KEY_LENGTH; // 133

export interface BlsKeyPair {
  /** Scalar, 32 bytes big-endian. Keep it out of logs. */
  readonly secretKey: Uint8Array;
  /** Compressed G2 point, 96 bytes. */
  readonly publicKey: Uint8Array;
  /** `BLS_DER_PREFIX ‖ publicKey`, 133 bytes: what `/api/v2/status` reports as `root_key`. */
  readonly publicKeyDer: Uint8Array;
}

/**
 * Derive a key pair from input keying material, deterministically (KeyGen of
 * draft-irtf-cfrg-bls-signature-05 §2.3, HKDF-SHA-256, empty key_info).
 * @param ikm - at least 32 bytes of secret randomness (e.g. from the replica's seed file).
 */
export function blsKeyFromSeed(ikm: Uint8Array): BlsKeyPair {
  if (ikm.length < 32) throw new RangeError(`BLS key material must be at least 32 bytes, got ${ikm.length}`);
  const L = 48;
  let salt = utf8('BLS-SIG-KEYGEN-SALT-');
  let sk = 0n;
  while (sk === 0n) {
    salt = sha256(salt);
    const prk = extract(sha256, concatBytes(ikm, Uint8Array.of(0)), salt);
    const okm = expand(sha256, prk, Uint8Array.of(0, L), L);
    sk = Fr.create(BigInt('0x' + toHex(okm)));
  }
  return blsKeyFromSecret(Fr.toBytes(sk));
}

/** The key pair of a 32-byte big-endian secret scalar (non-zero, below the group order). */
export function blsKeyFromSecret(secretKey: Uint8Array): BlsKeyPair {
  if (secretKey.length !== 32) throw new RangeError(`BLS secret key must be 32 bytes, got ${secretKey.length}`);
  const scalar = Fr.fromBytes(secretKey);
  if (scalar === 0n || !bytesEqual(Fr.toBytes(scalar), secretKey)) {
    throw new RangeError('BLS secret key is zero or not below the group order');
  }
  const publicKey = generator().multiply(scalar).toBytes(true);
  return { secretKey: Uint8Array.from(secretKey), publicKey, publicKeyDer: blsPublicKeyToDer(publicKey) };
}

let keysDerived = 0;

/** G2's generator: the first keys of a process use a plain copy of it, since the precomputed table noble
 *  builds on the base point's first use costs as much as a handful of plain multiplications (~150 ms). */
function generator(): typeof bls12_381.G2.Point.BASE {
  const base = bls12_381.G2.Point.BASE;
  return keysDerived++ < 8 ? bls12_381.G2.Point.fromAffine(base.toAffine()) : base;
}

/** Sign `message` (48-byte compressed G1 signature): in wasm once `loadWasmBls` has loaded it, in JS until then. */
export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return wasmBlsSign(secretKey, message, BLS_DST) ?? blsSignInJs(secretKey, message);
}

/** The same signature computed by @noble/curves. */
export function blsSignInJs(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  // The same point as the constant-time `scheme.sign`, computed faster: the key certifies a local replica's state, and
  // every round a client reads is signed, so signing speed bounds update throughput while timing leaks nothing of value.
  return compressedG1(scheme.hash(message, BLS_DST).multiplyUnsafe(Fr.fromBytes(secretKey)));
}

type G1Point = ReturnType<typeof scheme.hash>;

/**
 * The 48-byte compressed encoding of a G1 point (flags: compressed, infinity, and `sort` when y is the larger of
 * ±y). Unlike noble's encoder, it skips the subgroup check: a multiple of a hashed point is in G1 by construction,
 * and the check costs a fifth of a signature.
 */
function compressedG1(point: G1Point): Uint8Array {
  const bytes = new Uint8Array(BLS_SIGNATURE_LENGTH);
  if (point.is0()) {
    bytes[0] = 0xc0;
    return bytes;
  }
  const { x, y } = point.toAffine();
  bytes.set(Fp.toBytes(x));
  bytes[0]! |= 0x80;
  if (y * 2n > Fp.ORDER) bytes[0]! |= 0x20;
  return bytes;
}

/**
 * Verify a signature against a raw 96-byte public key, in wasm once `loadWasmBls` has loaded it, in JS until then.
 * Never throws: malformed keys or signatures, points off the curve or outside the subgroup, and the identity all give
 * false.
 */
export function blsVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== BLS_SIGNATURE_LENGTH || publicKey.length !== BLS_PUBLIC_KEY_LENGTH) return false;
  const verdict = wasmBlsVerify(signature, message, publicKey, BLS_DST);
  if (verdict !== undefined) return verdict;
  // A process that verifies once verifies again (certificates, canister signatures): later checks run in wasm.
  void loadWasmBls();
  return blsVerifyInJs(signature, message, publicKey);
}

/** The same check computed by @noble/curves. */
export function blsVerifyInJs(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== BLS_SIGNATURE_LENGTH || publicKey.length !== BLS_PUBLIC_KEY_LENGTH) return false;
  try {
    const pk = bls12_381.G2.Point.fromBytes(publicKey);
    const sig = scheme.Signature.fromBytes(signature);
    // The identity would make e(pk, H(m)) = e(G, sig) hold for every message.
    if (pk.is0() || sig.is0()) return false;
    return scheme.verify(sig, scheme.hash(message, BLS_DST), pk);
  } catch {
    return false;
  }
}

/** The IC's certificate signature: over `\x0Dic-state-root ‖ rootHash`. */
export function blsSignStateRoot(secretKey: Uint8Array, rootHash: Uint8Array): Uint8Array {
  return blsSign(secretKey, concatBytes(IC_STATE_ROOT, rootHash));
}

export function blsVerifyStateRoot(signature: Uint8Array, rootHash: Uint8Array, publicKey: Uint8Array): boolean {
  return blsVerify(signature, concatBytes(IC_STATE_ROOT, rootHash), publicKey);
}

export function blsPublicKeyToDer(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== BLS_PUBLIC_KEY_LENGTH) {
    throw new RangeError(`BLS public key must be ${BLS_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
  }
  return concatBytes(BLS_DER_PREFIX, publicKey);
}

/** The raw key inside a 133-byte DER BLS key. @throws RangeError on any other length or prefix. */
export function blsPublicKeyFromDer(der: Uint8Array): Uint8Array {
  if (der.length !== BLS_DER_LENGTH || !bytesEqual(der.subarray(0, BLS_DER_PREFIX.length), BLS_DER_PREFIX)) {
    throw new RangeError(`not a DER BLS12-381 public key (${der.length} bytes; expected ${BLS_DER_LENGTH} with the IC prefix)`);
  }
  return der.slice(BLS_DER_PREFIX.length);
}
