// The chain keys this replica holds, named as the replica displays a `MasterPublicKeyId`
// (`ecdsa:Secp256k1:key_1`, `vetkd:Bls12_381_G2:test_key_1`), and the reject the replica's router
// gives a request naming another key.
import { CHAIN_KEY_NAMES, UserError } from '../../execution/index.ts';
import type { EcdsaKeyId, SchnorrKeyId } from '../candid/index.ts';

/** The scheme of a chain key, as the replica displays it. */
export type ChainKeyScheme = 'ecdsa:Secp256k1' | 'schnorr:Bip340Secp256k1' | 'schnorr:Ed25519' | 'vetkd:Bls12_381_G2';

export interface ChainKey {
  scheme: ChainKeyScheme;
  name: string;
}

const HELD_SCHEMES: readonly ChainKeyScheme[] = ['ecdsa:Secp256k1', 'schnorr:Bip340Secp256k1', 'schnorr:Ed25519', 'vetkd:Bls12_381_G2'];

export function keyText(key: { scheme: string; name: string }): string {
  return `${key.scheme}:${key.name}`;
}

/** Every key held, sorted by its display form as the replica's router lists them. */
const HELD_KEYS: readonly string[] = HELD_SCHEMES.flatMap((scheme) => CHAIN_KEY_NAMES.map((name) => keyText({ scheme, name }))).sort();

/** Methods that need the key enabled, not only held: the replica words their reject differently. */
const USES_ENABLED_KEY: ReadonlySet<string> = new Set(['sign_with_ecdsa', 'sign_with_schnorr', 'vetkd_derive_key']);

export function ecdsaScheme(keyId: EcdsaKeyId): string {
  return 'secp256k1' in keyId.curve ? 'ecdsa:Secp256k1' : 'ecdsa:Secp256r1';
}

export function schnorrScheme(keyId: SchnorrKeyId): ChainKeyScheme {
  return 'bip340secp256k1' in keyId.algorithm ? 'schnorr:Bip340Secp256k1' : 'schnorr:Ed25519';
}

const RUST_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** A string as Rust's `{:?}` prints it: quoted, with quotes, backslashes and control characters escaped. */
function rustDebug(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += RUST_ESCAPES[char] ?? (code < 0x20 || code === 0x7f ? `\\u{${code.toString(16)}}` : char);
  }
  return `${out}"`;
}

/**
 * The key, if held. The replica routes a chain-key request to a subnet holding the key before any
 * execution; with none it rejects with DESTINATION_INVALID (reject code 3, carried here by the 3xx
 * CanisterNotFound) and its router's error in Rust's debug form.
 */
export function heldKey(method: string, scheme: string, name: string): ChainKey | UserError {
  const text = keyText({ scheme, name });
  if (HELD_KEYS.includes(text)) return { scheme: scheme as ChainKeyScheme, name };
  const existing = `[${HELD_KEYS.join(', ')}]`;
  const problem = USES_ENABLED_KEY.has(method)
    ? `Requested unknown or disabled threshold key: ${text}, existing enabled keys: ${existing}`
    : `Requested unknown threshold key: ${text}, existing keys: ${existing}`;
  return new UserError('CanisterNotFound', `Unable to route management canister request ${method}: ChainKeyError(${rustDebug(problem)})`);
}

/**
 * The seed of PocketIC's threshold master keys (each is then derived from it by one step along the
 * key's name): a fixed test value, so every subnet of every instance holds the same public keys.
 */
export const THRESHOLD_MASTER_SEED: Uint8Array = new Uint8Array(32).fill(42);
