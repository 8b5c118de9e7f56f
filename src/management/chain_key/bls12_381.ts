// vetKD keys on BLS12-381 (interface spec, sections 'IC method vetkd_public_key' and 'IC method
// vetkd_derive_key'): a master key on G2, shifted per canister and per context by hashed offsets; a
// vetKey is the BLS signature (on G1) of the input under the derived key, encrypted to the caller's
// transport public key as (g1^r, g2^r, tpk^r · vetKey). The derivation and the hashes are the replica's,
// so that @dfinity/vetkeys derives the same public keys and decrypts and verifies the keys.
import { bls12_381 } from '@noble/curves/bls12-381.js';

type G2Point = InstanceType<typeof bls12_381.G2.Point>;

const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const Fr = bls12_381.fields.Fr;

export const TRANSPORT_PUBLIC_KEY_BYTES = 48;

const CANISTER_DST = 'ic-vetkd-bls12-381-g2-canister-id';
const CONTEXT_DST = 'ic-vetkd-bls12-381-g2-context';
/** The augmented BLS signature scheme: the message is prefixed with the public key it is signed under. */
const AUGMENTED_SIGNATURE_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_AUG_';
/** The tag PocketIC hashes a key's name with to make its master secret (the IC runs a distributed key generation). */
const MASTER_KEY_DST = 'ic-crypto-vetkd-test-utils-generate-test-key';
/** Capsule's own tag: the replica draws the encryption nonce at random. */
const ENCRYPTION_NONCE_DST = 'capsule-vetkd-bls12-381-encryption-nonce';

export interface MasterKey {
  readonly secret: bigint;
  readonly publicKey: G2Point;
}

/** RFC 9380 hash_to_field into the scalar field, as the replica and @dfinity/vetkeys hash offsets. */
function hashToScalar(input: Uint8Array, dst: string): bigint {
  return bls12_381.G2.hashToScalar(input, { DST: dst });
}

/** Each part prefixed with its length as 8 bytes big-endian. */
function lengthPrefixed(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 8 + part.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setBigUint64(offset, BigInt(part.length));
    out.set(part, offset + 8);
    offset += 8 + part.length;
  }
  return out;
}

/** The master key named `keyName`, as PocketIC makes it: the same on every subnet of every instance. */
export function masterKey(keyName: string): MasterKey {
  const secret = hashToScalar(new TextEncoder().encode(keyName), MASTER_KEY_DST);
  return { secret, publicKey: G2.BASE.multiply(secret) };
}

/** The master public key, compressed (96 bytes): what @dfinity/vetkeys' `MasterPublicKey` reads. */
export function masterPublicKeyBytes(keyName: string): Uint8Array {
  return masterKey(keyName).publicKey.toBytes(true);
}

/** The scalar that moves the master key to the key of (canister, context); an empty context adds nothing. */
function derivationOffset(master: MasterKey, canisterId: Uint8Array, context: Uint8Array): bigint {
  const canisterOffset = hashToScalar(lengthPrefixed(master.publicKey.toBytes(true), canisterId), CANISTER_DST);
  if (context.length === 0) return canisterOffset;
  const canisterKey = master.publicKey.add(G2.BASE.multiply(canisterOffset));
  const contextOffset = hashToScalar(lengthPrefixed(canisterKey.toBytes(true), context), CONTEXT_DST);
  return Fr.add(canisterOffset, contextOffset);
}

/** The derived public key of (canister, context), compressed (96 bytes). */
export function derivedPublicKey(master: MasterKey, canisterId: Uint8Array, context: Uint8Array): Uint8Array {
  return master.publicKey.add(G2.BASE.multiply(derivationOffset(master, canisterId, context))).toBytes(true);
}

/** Whether the bytes are a compressed G1 point in the prime-order subgroup (the identity included, as the replica accepts it). */
export function isValidTransportPublicKey(bytes: Uint8Array): boolean {
  if (bytes.length !== TRANSPORT_PUBLIC_KEY_BYTES) return false;
  try {
    G1.fromBytes(bytes).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/**
 * The encrypted vetKey of `input` for (canister, context), 192 bytes: c1 (G1) ‖ c2 (G2) ‖ c3 (G1). The
 * replica draws r at random in each node's share; here r is a hash of the derived secret and the
 * request, so the same request in the same state gets the same answer.
 */
export function encryptedKey(master: MasterKey, canisterId: Uint8Array, context: Uint8Array, input: Uint8Array, transportPublicKey: Uint8Array): Uint8Array {
  const derivedSecret = Fr.add(master.secret, derivationOffset(master, canisterId, context));
  const derivedPublic = G2.BASE.multiply(derivedSecret).toBytes(true);
  const signed = new Uint8Array(derivedPublic.length + input.length);
  signed.set(derivedPublic);
  signed.set(input, derivedPublic.length);
  const message = bls12_381.G1.hashToCurve(signed, { DST: AUGMENTED_SIGNATURE_DST });
  const r = hashToScalar(lengthPrefixed(Fr.toBytes(derivedSecret), input, transportPublicKey), ENCRYPTION_NONCE_DST);
  const c1 = G1.BASE.multiply(r);
  const c2 = G2.BASE.multiply(r);
  const c3 = G1.fromBytes(transportPublicKey).multiply(r).add(message.multiply(derivedSecret));
  const out = new Uint8Array(192);
  out.set(c1.toBytes(true), 0);
  out.set(c2.toBytes(true), 48);
  out.set(c3.toBytes(true), 144);
  return out;
}
