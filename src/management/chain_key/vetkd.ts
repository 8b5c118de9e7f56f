// The management canister's vetKD methods (interface spec, sections 'IC method vetkd_public_key' and
// 'IC method vetkd_derive_key'): derived public keys, and vetKeys encrypted to a transport key. On the
// IC one subnet holds a key and serves every canister; here every subnet holds PocketIC's keys.
import { UserError } from '../../execution/index.ts';
import type { ArgOf, ResultOf } from '../candid/index.ts';
import type { ManagementCall, ManagementContext } from '../context.ts';
import { derivedPublicKey, encryptedKey, isValidTransportPublicKey, masterKey, TRANSPORT_PUBLIC_KEY_BYTES } from './bls12_381.ts';
import { unpaid } from './fee.ts';
import { heldKey } from './key_ids.ts';

const SCHEME = 'vetkd:Bls12_381_G2';

/** vetkd_public_key: the key of the given canister (the caller by default) and context; free. */
export function vetkdPublicKey(call: ManagementCall, arg: ArgOf<'vetkd_public_key'>): ResultOf<'vetkd_public_key'> | UserError {
  const key = heldKey(call.method, SCHEME, arg.key_id.name);
  if (key instanceof UserError) return key;
  const canisterId = arg.canister_id[0] ?? call.sender;
  return { public_key: derivedPublicKey(masterKey(key.name), canisterId.toUint8Array(), arg.context) };
}

/** Why the replica refuses these arguments, in its order: decoding, routing, the transport key, then the fee. */
function refusal(context: ManagementContext, call: ManagementCall, arg: ArgOf<'vetkd_derive_key'>): UserError | undefined {
  const transportKey = arg.transport_public_key;
  // The replica's argument type holds exactly 48 bytes, so another length fails its Candid decoding.
  if (transportKey.length !== TRANSPORT_PUBLIC_KEY_BYTES) {
    return new UserError(
      'InvalidManagementPayload',
      `Error decoding candid: invalid length ${transportKey.length}, expected a byte array of length ${TRANSPORT_PUBLIC_KEY_BYTES}`,
    );
  }
  const key = heldKey(call.method, SCHEME, arg.key_id.name);
  if (key instanceof UserError) return key;
  if (!isValidTransportPublicKey(transportKey)) return new UserError('CanisterRejectedMessage', 'The provided transport public key is invalid.');
  return unpaid(context, call);
}

/**
 * vetkd_derive_key: the caller's vetKey of `input`, encrypted to the transport key; the method table
 * keeps the fee. The replica answers a later round, once its nodes' shares are combined; a local
 * replica has the whole master key and answers within this one.
 */
export function vetkdDeriveKey(context: ManagementContext, call: ManagementCall, arg: ArgOf<'vetkd_derive_key'>): ResultOf<'vetkd_derive_key'> | UserError {
  const refused = refusal(context, call, arg);
  if (refused) return refused;
  const master = masterKey(arg.key_id.name);
  return { encrypted_key: encryptedKey(master, call.sender.toUint8Array(), arg.context, arg.input, arg.transport_public_key) };
}
