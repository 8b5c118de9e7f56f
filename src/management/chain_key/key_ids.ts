// The threshold keys this subnet holds, named as the replica names them (`ecdsa:Secp256k1:key_1`):
// the three names PocketIC and icp-cli's local networks provide, for each signature scheme.
import { UserError } from '../../execution/index.ts';
import type { EcdsaKeyId, SchnorrKeyId } from '../candid/index.ts';

/** A signature scheme of a threshold key, named as the replica displays it. */
export type ThresholdScheme = 'ecdsa:Secp256k1' | 'schnorr:Bip340Secp256k1' | 'schnorr:Ed25519';

export interface ThresholdKey {
  scheme: ThresholdScheme;
  name: string;
}

const KEY_NAMES = ['dfx_test_key', 'key_1', 'test_key_1'] as const;

const HELD_SCHEMES: readonly ThresholdScheme[] = ['ecdsa:Secp256k1', 'schnorr:Bip340Secp256k1', 'schnorr:Ed25519'];

export function keyText(key: { scheme: string; name: string }): string {
  return `${key.scheme}:${key.name}`;
}

/** Every key held, in the replica's order (scheme, then name): what its rejects list. */
const HELD_KEYS: readonly string[] = HELD_SCHEMES.flatMap((scheme) => KEY_NAMES.map((name) => keyText({ scheme, name })));

export function ecdsaScheme(keyId: EcdsaKeyId): string {
  return 'secp256k1' in keyId.curve ? 'ecdsa:Secp256k1' : 'ecdsa:Secp256r1';
}

export function schnorrScheme(keyId: SchnorrKeyId): ThresholdScheme {
  return 'bip340secp256k1' in keyId.algorithm ? 'schnorr:Bip340Secp256k1' : 'schnorr:Ed25519';
}

/**
 * The key, if held. The replica refuses an unknown key when it routes the request (before the
 * management canister sees it), with its routing error as the reject message; signing methods name
 * only keys with signing enabled, which here are all of them.
 */
export function heldKey(method: string, scheme: string, name: string): ThresholdKey | UserError {
  const text = keyText({ scheme, name });
  if (HELD_KEYS.includes(text)) return { scheme: scheme as ThresholdScheme, name };
  const signs = method.startsWith('sign_with_');
  const problem = signs
    ? `Requested unknown or signing disabled threshold key: ${text}, existing keys with signing enabled: [${HELD_KEYS.join(', ')}]`
    : `Requested unknown threshold key: ${text}, existing keys: [${HELD_KEYS.join(', ')}]`;
  return new UserError('CanisterRejectedMessage', `Unable to route management canister request ${method}: ChainKeyError("${problem}")`);
}
