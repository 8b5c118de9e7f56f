// The size an ingress message is charged by. The IC charges the induction fee per byte of the whole
// ingress message as it arrived (the replica's `ingress.binary().len()`): the HTTP front end passes
// the request body's length. A library call has no envelope, so it is charged as the unsigned envelope
// an anonymous agent would send with the same content: one rule for every front end.
import { encodeCbor } from '../certification/index.ts';
import type { Principal } from '../state/index.ts';

/** Expiry as agents set it (now + 5 minutes); its CBOR size does not depend on the exact value. */
const EXPIRY_NANOS = 300_000_000_000n;

export interface IngressContent {
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
}

export function unsignedEnvelopeBytes(content: IngressContent, time: bigint): number {
  const envelope = {
    content: {
      request_type: 'call',
      canister_id: content.receiver.toUint8Array(),
      method_name: content.method,
      arg: content.arg,
      sender: content.sender.toUint8Array(),
      ingress_expiry: time + EXPIRY_NANOS,
    },
  };
  return encodeCbor(envelope, { selfDescribe: true }).length;
}
