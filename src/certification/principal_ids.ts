// Principal ids as bytes (interface spec, "Principals"): the classes the replica mints or checks.
// Text form (base32 with CRC) lives with the Principal type, not here.
import { canisterIdFromIndex as principalOfIndex, canisterIndexOf as indexOfPrincipal, Principal } from '../state/index.ts';
import { sha224 } from './_bytes.ts';

/** The anonymous principal `2vxsx-fae`. */
export const ANONYMOUS_ID: Uint8Array = Uint8Array.of(0x04);
/** The management canister `aaaaa-aa`. */
export const MANAGEMENT_CANISTER_ID: Uint8Array = new Uint8Array(0);

/** `SHA-224(der) ‖ 0x02`: the principal of a DER public key (29 bytes). */
export function selfAuthenticatingId(derPublicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(29);
  out.set(sha224(derPublicKey));
  out[28] = 0x02;
  return out;
}

export function isSelfAuthenticating(id: Uint8Array): boolean {
  return id.length === 29 && id[28] === 0x02;
}

export function isAnonymous(id: Uint8Array): boolean {
  return id.length === 1 && id[0] === 0x04;
}

/** The canister id of a u64 index: `u64_be(index) ‖ 0x01 ‖ 0x01` (10 bytes; state/principal.ts encodes it). */
export function canisterIdFromIndex(index: bigint): Uint8Array {
  return principalOfIndex(index).toUint8Array();
}

/** The index of a replica-minted canister id, or undefined if `id` is not of that form. */
export function canisterIndexOf(id: Uint8Array): bigint | undefined {
  return indexOfPrincipal(Principal.fromUint8Array(id));
}
