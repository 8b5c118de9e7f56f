// `sender_info` of a request (interface spec, "Authentication" and "Request: Call"): data a
// canister attaches to the users it signs for. Only a sender whose `sender_pubkey` is a canister
// signature key may carry it; `signer` must be that key's canister id, and `sig` a canister
// signature with `sender_pubkey` over `\x0Eic-sender-info ‖ info`. The canister then sees `info`
// and `signer` through ic0.msg_caller_info_*.
import { bytesEqual, concatBytes } from './_bytes.ts';
import { parseCanisterPublicKey, verifyCanisterSignature } from './canister_signature.ts';
import { isCborMap, type CborValue } from './cbor_value.ts';
import { OID, parseSubjectPublicKeyInfo } from './der.ts';
import { IC_SENDER_INFO } from './domain_separators.ts';

export interface SenderInfo {
  readonly info: Uint8Array;
  readonly signer: Uint8Array;
  readonly sig: Uint8Array;
}

/** What the canister is told about its caller: the signed data and the canister that signed it. */
export interface VerifiedCallerInfo {
  readonly data: Uint8Array;
  readonly signer: Uint8Array;
}

/** The shape of `content.sender_info`: a map of three byte strings. */
export function parseSenderInfo(value: CborValue): SenderInfo | string {
  if (!isCborMap(value)) return 'content.sender_info must be a map';
  const info = value.get('info');
  const signer = value.get('signer');
  const sig = value.get('sig');
  if (!(info instanceof Uint8Array) || !(signer instanceof Uint8Array) || !(sig instanceof Uint8Array)) {
    return 'content.sender_info needs byte strings info, signer and sig';
  }
  return { info, signer, sig };
}

/**
 * Check `senderInfo` against the sender's public key.
 * @returns the caller info to hand to the canister, or a message saying why not. Never throws.
 */
export function verifySenderInfo(senderPubkey: Uint8Array, senderInfo: SenderInfo, rootKeyDer: Uint8Array | undefined): VerifiedCallerInfo | string {
  let bits: Uint8Array;
  try {
    const spki = parseSubjectPublicKeyInfo(senderPubkey);
    if (spki.algorithm !== OID.canisterSignature) return 'sender_info is only allowed for senders authenticated by a canister signature';
    bits = spki.publicKey;
  } catch (e) {
    return `malformed public key: ${(e as Error).message}`;
  }
  const key = parseCanisterPublicKey(bits);
  if (typeof key === 'string') return key;
  if (!bytesEqual(key.canisterId, senderInfo.signer)) return 'sender_info.signer is not the canister of the sender public key';
  const verdict = verifyCanisterSignature(bits, senderInfo.sig, concatBytes(IC_SENDER_INFO, senderInfo.info), rootKeyDer);
  if (verdict !== true) return `invalid sender_info signature: ${verdict}`;
  return { data: senderInfo.info, signer: senderInfo.signer };
}
