// The management canister's threshold signature methods (interface spec, sections "IC method
// ecdsa_public_key" to "IC method sign_with_schnorr"): public keys of (canister, derivation path)
// and signatures with them. The IC answers a signing request rounds later, once its subnet has
// produced the signature together; here one party holds every key, so the reply comes at once.
import { UserError } from '../../execution/index.ts';
import type {
  EcdsaPublicKeyArgs,
  PublicKeyResult,
  SchnorrPublicKeyArgs,
  SignatureResult,
  SignWithEcdsaArgs,
  SignWithSchnorrArgs,
} from '../candid/index.ts';
import type { ManagementCall, ManagementContext } from '../context.ts';
import { ed25519Sign, edDerive, edMasterKey, edPublicKey } from './ed25519.ts';
import { unpaid } from './fee.ts';
import { type ChainKey, ecdsaScheme, heldKey, schnorrScheme } from './key_ids.ts';
import { bip340Sign, ecdsaSign, secpDerive, secpMasterKey, secpPublicKey } from './secp256k1.ts';

/** Elements a derivation path may have (the replica's bound on its Candid type). */
const MAX_DERIVATION_PATH_LENGTH = 255;

/** The replica refuses a signing request with an empty argument before decoding it. */
export function emptySigningRequest(call: ManagementCall): UserError | undefined {
  return call.arg.length === 0 ? new UserError('CanisterRejectedMessage', 'An empty message cannot be signed') : undefined;
}

/** The replica's decoding error for a derivation path over its bound. */
function checkPath(path: Uint8Array[]): UserError | undefined {
  if (path.length <= MAX_DERIVATION_PATH_LENGTH) return undefined;
  return new UserError(
    'InvalidManagementPayload',
    `Error decoding candid: Deserialize error: The number of elements exceeds maximum allowed ${MAX_DERIVATION_PATH_LENGTH}`,
  );
}

/** The derivation path of the IC: the canister's principal bytes, then the path it gave. */
function fullPath(canister: { toUint8Array(): Uint8Array }, path: Uint8Array[]): Uint8Array[] {
  return [canister.toUint8Array(), ...path];
}

function derivedPublicKey(key: ChainKey, path: Uint8Array[]): PublicKeyResult {
  if (key.scheme === 'schnorr:Ed25519') {
    const derived = edDerive(edMasterKey(key.name), path);
    return { public_key: edPublicKey(derived), chain_code: derived.chainCode };
  }
  const derived = secpDerive(secpMasterKey(key.name), path);
  return { public_key: secpPublicKey(derived), chain_code: derived.chainCode };
}

/** A public key for the canister named (or the caller) and the path, with the key's replica checks. */
function publicKey(call: ManagementCall, scheme: string, arg: EcdsaPublicKeyArgs | SchnorrPublicKeyArgs): PublicKeyResult | UserError {
  const invalid = checkPath(arg.derivation_path);
  if (invalid) return invalid;
  const key = heldKey(call.method, scheme, arg.key_id.name);
  if (key instanceof UserError) return key;
  return derivedPublicKey(key, fullPath(arg.canister_id[0] ?? call.sender, arg.derivation_path));
}

export function ecdsaPublicKey(call: ManagementCall, arg: EcdsaPublicKeyArgs): PublicKeyResult | UserError {
  return publicKey(call, ecdsaScheme(arg.key_id), arg);
}

export function schnorrPublicKey(call: ManagementCall, arg: SchnorrPublicKeyArgs): PublicKeyResult | UserError {
  return publicKey(call, schnorrScheme(arg.key_id), arg);
}

export function signWithEcdsa(context: ManagementContext, call: ManagementCall, arg: SignWithEcdsaArgs): SignatureResult | UserError {
  if (arg.message_hash.length !== 32) {
    // The replica decodes `message_hash` into a 32-byte array: another length fails decoding.
    return new UserError(
      'InvalidManagementPayload',
      `Error decoding candid: Deserialize error: invalid length ${arg.message_hash.length}, expected a byte array of length 32`,
    );
  }
  const invalid = checkPath(arg.derivation_path);
  if (invalid) return invalid;
  const key = heldKey(call.method, ecdsaScheme(arg.key_id), arg.key_id.name);
  if (key instanceof UserError) return key;
  const refused = unpaid(context, call);
  if (refused) return refused;
  const derived = secpDerive(secpMasterKey(key.name), fullPath(call.sender, arg.derivation_path));
  return { signature: ecdsaSign(derived, arg.message_hash) };
}

/** The replica's checks of `aux`: BIP341 only for BIP340 keys, with an empty or 32-byte root. */
function checkAux(key: ChainKey, arg: SignWithSchnorrArgs): UserError | undefined {
  const aux = arg.aux[0];
  if (!aux) return undefined;
  if (key.scheme === 'schnorr:Ed25519') return new UserError('CanisterRejectedMessage', 'Schnorr algorithm Ed25519 does not support aux input');
  const length = aux.bip341.merkle_root_hash.length;
  if (length !== 0 && length !== 32) return new UserError('CanisterRejectedMessage', 'Invalid aux field for Bip340Secp256k1');
  return undefined;
}

export function signWithSchnorr(context: ManagementContext, call: ManagementCall, arg: SignWithSchnorrArgs): SignatureResult | UserError {
  const invalid = checkPath(arg.derivation_path);
  if (invalid) return invalid;
  const key = heldKey(call.method, schnorrScheme(arg.key_id), arg.key_id.name);
  if (key instanceof UserError) return key;
  const refused = checkAux(key, arg) ?? unpaid(context, call);
  if (refused) return refused;
  const path = fullPath(call.sender, arg.derivation_path);
  if (key.scheme === 'schnorr:Ed25519') return { signature: ed25519Sign(edDerive(edMasterKey(key.name), path), arg.message) };
  const derived = secpDerive(secpMasterKey(key.name), path);
  return { signature: bip340Sign(derived, arg.message, arg.aux[0]?.bip341.merkle_root_hash) };
}

/** The master public key and chain code of a threshold key: what client libraries derive canister keys from. */
export function thresholdMasterPublicKey(key: ChainKey): PublicKeyResult {
  return derivedPublicKey(key, []);
}
