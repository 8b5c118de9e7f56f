// Domain separators of the IC interface spec: one length byte, then the ASCII name
// (`domain_sep(s) = byte(|s|) · s`). Every signature and tree hash is prefixed with one.
import { concatBytes, utf8 } from './_bytes.ts';

/** `byte(|s|) · s` for an ASCII name of at most 255 bytes. */
export function domainSeparator(name: string): Uint8Array {
  const bytes = utf8(name);
  if (bytes.length > 255) throw new RangeError(`domain separator "${name}" is longer than 255 bytes`);
  return concatBytes(Uint8Array.of(bytes.length), bytes);
}

/** `\x0Aic-request`: a user signs `sep ‖ request_id`. */
export const IC_REQUEST: Uint8Array = domainSeparator('ic-request');
/** `\x1Aic-request-auth-delegation`: a delegation is signed as `sep ‖ hash_of_map(delegation)`. */
export const IC_REQUEST_AUTH_DELEGATION: Uint8Array = domainSeparator('ic-request-auth-delegation');
/** `\x0Bic-response`: node signature on a query response. */
export const IC_RESPONSE: Uint8Array = domainSeparator('ic-response');
/** `\x0Dic-state-root`: BLS signature on a certificate's root hash. */
export const IC_STATE_ROOT: Uint8Array = domainSeparator('ic-state-root');
/** `\x0Eic-sender-info`: canister signature over `sender_info.info`. */
export const IC_SENDER_INFO: Uint8Array = domainSeparator('ic-sender-info');
/** Hash-tree node hashing (see hash_tree.ts). */
export const IC_HASHTREE_EMPTY: Uint8Array = domainSeparator('ic-hashtree-empty');
export const IC_HASHTREE_FORK: Uint8Array = domainSeparator('ic-hashtree-fork');
export const IC_HASHTREE_LABELED: Uint8Array = domainSeparator('ic-hashtree-labeled');
export const IC_HASHTREE_LEAF: Uint8Array = domainSeparator('ic-hashtree-leaf');
