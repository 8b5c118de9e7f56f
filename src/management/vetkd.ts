// The management canister's vetKD methods (interface spec, sections 'IC method vetkd_public_key' and
// 'IC method vetkd_derive_key'): derived public keys, and vetKeys encrypted to a transport key, from
// master keys derived from the network's root key (itself derived from the seed). On the IC one
// subnet holds a key and serves every canister; here every subnet of a network derives the same keys.
import { respondTo, scale, UserError } from '../execution/index.ts';
import { MANAGEMENT_CANISTER } from '../state/index.ts';
import { type ArgOf, encodeManagementResult, type ResultOf } from './candid/index.ts';
import type { ManagementCall, ManagementContext } from './context.ts';
import { derivedPublicKey, encryptedKey, isValidTransportPublicKey, masterKey, TRANSPORT_PUBLIC_KEY_BYTES } from './vetkd_keys.ts';

/** The key names a local replica holds for every algorithm, as PocketIC and icp-cli's networks do. */
const KEY_NAMES: readonly string[] = ['dfx_test_key', 'key_1', 'test_key_1'];

/** Every threshold key of the network as the replica names them (`vetkd:Bls12_381_G2:key_1`), sorted. */
const EXISTING_KEYS = ['ecdsa:Secp256k1', 'schnorr:Bip340Secp256k1', 'schnorr:Ed25519', 'vetkd:Bls12_381_G2']
  .flatMap((algorithm) => KEY_NAMES.map((name) => `${algorithm}:${name}`))
  .sort();

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
 * The replica routes a vetKD call to a subnet holding the key before any execution; with no such
 * subnet the call is rejected with DESTINATION_INVALID (reject code 3, carried here by the 3xx
 * CanisterNotFound) and the router's error in Rust's debug form.
 */
function unknownKey(call: ManagementCall, keyName: string): UserError | undefined {
  if (KEY_NAMES.includes(keyName)) return undefined;
  const keyId = `vetkd:Bls12_381_G2:${keyName}`;
  const existing = `[${EXISTING_KEYS.join(', ')}]`;
  // Public keys need a subnet that holds the key, derivations one where it is also enabled.
  const reason =
    call.method === 'vetkd_derive_key'
      ? `Requested unknown or disabled threshold key: ${keyId}, existing enabled keys: ${existing}`
      : `Requested unknown threshold key: ${keyId}, existing keys: ${existing}`;
  return new UserError('CanisterNotFound', `Unable to route management canister request ${call.method}: ChainKeyError(${rustDebug(reason)})`);
}

/** vetkd_public_key: the key of the given canister (the caller by default) and context; free. */
export function vetkdPublicKey(context: ManagementContext, call: ManagementCall, arg: ArgOf<'vetkd_public_key'>): ResultOf<'vetkd_public_key'> | UserError {
  const unknown = unknownKey(call, arg.key_id.name);
  if (unknown) return unknown;
  const canisterId = arg.canister_id[0] ?? call.sender;
  const master = masterKey(context.state.config.rootKeyDer, arg.key_id.name);
  return { public_key: derivedPublicKey(master, canisterId.toUint8Array(), arg.context) };
}

/** The fee of one key derivation, scaled by subnet size (the replica's `vetkd_fee`). */
function vetkdDeriveKeyFee(context: ManagementContext): bigint {
  const env = context.round.env;
  return scale(env, env.costs.signWithThresholdKey);
}

/** Why the replica refuses these arguments, in its order: decoding, routing, then the transport key. */
function refusal(call: ManagementCall, arg: ArgOf<'vetkd_derive_key'>): UserError | undefined {
  const transportKey = arg.transport_public_key;
  // The replica's argument type holds exactly 48 bytes, so another length fails its Candid decoding.
  if (transportKey.length !== TRANSPORT_PUBLIC_KEY_BYTES) {
    return new UserError(
      'InvalidManagementPayload',
      `Error decoding candid: invalid length ${transportKey.length}, expected a byte array of length ${TRANSPORT_PUBLIC_KEY_BYTES}`,
    );
  }
  const unknown = unknownKey(call, arg.key_id.name);
  if (unknown) return unknown;
  if (!isValidTransportPublicKey(transportKey)) return new UserError('CanisterRejectedMessage', 'The provided transport public key is invalid.');
  return undefined;
}

/**
 * vetkd_derive_key: checks, charges the fee from the attached cycles and answers with the encrypted
 * key, refunding the rest. The replica answers a later round, once its nodes' shares are combined;
 * a local replica has the whole master key and answers within this one.
 */
export function vetkdDeriveKey(context: ManagementContext, call: ManagementCall, arg: ArgOf<'vetkd_derive_key'>): UserError | 'deferred' {
  const refused = refusal(call, arg);
  if (refused) return refused;
  const fee = vetkdDeriveKeyFee(context);
  if (call.cycles < fee) {
    return new UserError('CanisterRejectedMessage', `vetkd_derive_key request sent with ${call.cycles} cycles, but ${fee} cycles are required.`);
  }
  const master = masterKey(context.state.config.rootKeyDer, arg.key_id.name);
  const encrypted = encryptedKey(master, call.sender.toUint8Array(), arg.context, arg.input, arg.transport_public_key);
  const payload = encodeManagementResult('vetkd_derive_key', { encrypted_key: encrypted });
  respondTo(context.round, call.origin, MANAGEMENT_CANISTER, { kind: 'reply', payload }, call.cycles - fee);
  return 'deferred';
}
