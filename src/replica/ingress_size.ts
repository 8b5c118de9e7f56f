// The size an ingress message is charged by. The IC charges the induction fee per byte of the whole
// ingress message as it arrived (the replica's `ingress.binary().len()`): the HTTP front end passes
// the request body's length. A library call has no envelope, so it is charged as the unsigned envelope
// an anonymous agent would send with the same content: one rule for every front end. The size is
// computed from the CBOR rules rather than by encoding, as it is needed for every library call.
import type { Principal } from '../state/index.ts';

export interface IngressContent {
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
}

/** Bytes of a CBOR head (major type and length or value). */
function headBytes(value: number): number {
  if (value < 24) return 1;
  if (value < 0x100) return 2;
  if (value < 0x10000) return 3;
  if (value < 0x100000000) return 5;
  return 9;
}

function textBytes(text: string): number {
  const length = Buffer.byteLength(text, 'utf8');
  return headBytes(length) + length;
}

function blobBytes(length: number): number {
  return headBytes(length) + length;
}

const SELF_DESCRIBE_TAG = 3; // d9 d9f7
/** `ingress_expiry` is now + 5 minutes in nanoseconds: always past 2^32, so a 9-byte unsigned integer. */
const EXPIRY = 9;

/** The length of `55799({ content: { request_type, canister_id, method_name, arg, sender, ingress_expiry } })`. */
export function unsignedEnvelopeBytes(content: IngressContent): number {
  const fields =
    textBytes('request_type') + textBytes('call') +
    textBytes('canister_id') + blobBytes(content.receiver.toUint8Array().length) +
    textBytes('method_name') + textBytes(content.method) +
    textBytes('arg') + blobBytes(content.arg.length) +
    textBytes('sender') + blobBytes(content.sender.toUint8Array().length) +
    textBytes('ingress_expiry') + EXPIRY;
  return SELF_DESCRIBE_TAG + headBytes(1) + textBytes('content') + headBytes(6) + fields;
}
