// The management canister's threshold signature methods (interface spec, sections "IC method
// ecdsa_public_key" to "IC method sign_with_schnorr"): public keys of (canister, derivation path)
// and signatures with them. The IC answers a signing request rounds later, once its subnet has
// produced the signature together; here one party holds every key, so the reply comes at once.
import { scale, UserError } from '../../execution/index.ts';
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
import { ecdsaScheme, heldKey, keyText, schnorrScheme, type ThresholdKey } from './key_ids.ts';
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

/** What signing with a threshold key costs: the IC's fee, scaled by subnet size (nothing on a free schedule). */
export function signatureFee(context: ManagementContext): bigint {
  return scale(context.round.env, context.round.env.costs.signWithThresholdKey);
}

function checkFee(context: ManagementContext, call: ManagementCall): UserError | undefined {
  const fee = signatureFee(context);
  if (call.cycles >= fee) return undefined;
  return new UserError('CanisterRejectedMessage', `${call.method} request sent with ${call.cycles} cycles, but ${fee} cycles are required.`);
}

/** The derivation path of the IC: the canister's principal bytes, then the path it gave. */
function fullPath(canister: { toUint8Array(): Uint8Array }, path: Uint8Array[]): Uint8Array[] {
  return [canister.toUint8Array(), ...path];
}

function derivedPublicKey(seed: Uint8Array, key: ThresholdKey, path: Uint8Array[]): PublicKeyResult {
  if (key.scheme === 'schnorr:Ed25519') {
    const derived = edDerive(edMasterKey(seed, keyText(key)), path);
    return { public_key: edPublicKey(derived), chain_code: derived.chainCode };
  }
  const derived = secpDerive(secpMasterKey(seed, keyText(key)), path);
  return { public_key: secpPublicKey(derived), chain_code: derived.chainCode };
}

/** A public key for the canister named (or the caller) and the path, with the key's replica checks. */
function publicKey(context: ManagementContext, call: ManagementCall, scheme: string, arg: EcdsaPublicKeyArgs | SchnorrPublicKeyArgs): PublicKeyResult | UserError {
  const invalid = checkPath(arg.derivation_path);
  if (invalid) return invalid;
  const key = heldKey(call.method, scheme, arg.key_id.name);
  if (key instanceof UserError) return key;
  return derivedPublicKey(context.state.config.chainKeySeed, key, fullPath(arg.canister_id[0] ?? call.sender, arg.derivation_path));
}

export function ecdsaPublicKey(context: ManagementContext, call: ManagementCall, arg: EcdsaPublicKeyArgs): PublicKeyResult | UserError {
  return publicKey(context, call, ecdsaScheme(arg.key_id), arg);
}

export function schnorrPublicKey(context: ManagementContext, call: ManagementCall, arg: SchnorrPublicKeyArgs): PublicKeyResult | UserError {
  return publicKey(context, call, schnorrScheme(arg.key_id), arg);
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
  const unpaid = checkFee(context, call);
  if (unpaid) return unpaid;
  const derived = secpDerive(secpMasterKey(context.state.config.chainKeySeed, keyText(key)), fullPath(call.sender, arg.derivation_path));
  return { signature: ecdsaSign(derived, arg.message_hash) };
}

/** The replica's checks of `aux`: BIP341 only for BIP340 keys, with an empty or 32-byte root. */
function checkAux(key: ThresholdKey, arg: SignWithSchnorrArgs): UserError | undefined {
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
  const refused = checkAux(key, arg) ?? checkFee(context, call);
  if (refused) return refused;
  const seed = context.state.config.chainKeySeed;
  const path = fullPath(call.sender, arg.derivation_path);
  if (key.scheme === 'schnorr:Ed25519') return { signature: ed25519Sign(edDerive(edMasterKey(seed, keyText(key)), path), arg.message) };
  const derived = secpDerive(secpMasterKey(seed, keyText(key)), path);
  return { signature: bip340Sign(derived, arg.message, arg.aux[0]?.bip341.merkle_root_hash) };
}

/** The master public key and chain code of a held key: what client libraries derive canister keys from. */
export function masterPublicKey(chainKeySeed: Uint8Array, key: ThresholdKey): PublicKeyResult {
  return derivedPublicKey(chainKeySeed, key, []);
}
