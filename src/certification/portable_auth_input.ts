// What a request's authentication needs, copied so that it crosses to a worker thread unchanged and cheaply: byte
// strings are views into the request body (whose whole buffer a structured clone would copy), and decoded CBOR
// classes (tags, simple values) would lose their prototypes on the way.
import { CborSimple, CborTagged, type CborValue } from './cbor_value.ts';
import type { RequestAuthInput } from './signatures.ts';

/** A compact copy of `input`, or undefined when its delegations hold values a thread boundary would change. */
export function portableAuthInput(input: RequestAuthInput): RequestAuthInput | undefined {
  const delegation = compact(input.senderDelegation);
  if (delegation === UNPORTABLE) return undefined;
  const { senderInfo, senderPubkey, senderSig, rootKeyDer } = input;
  return {
    requestType: input.requestType,
    sender: input.sender.slice(),
    requestId: input.requestId.slice(),
    now: input.now,
    ...(senderPubkey ? { senderPubkey: senderPubkey.slice() } : {}),
    ...(senderSig ? { senderSig: senderSig.slice() } : {}),
    ...(delegation === undefined ? {} : { senderDelegation: delegation }),
    ...(rootKeyDer ? { rootKeyDer } : {}),
    ...(senderInfo ? { senderInfo: { info: senderInfo.info.slice(), signer: senderInfo.signer.slice(), sig: senderInfo.sig.slice() } } : {}),
  };
}

const UNPORTABLE = Symbol('unportable');

function compact(value: CborValue): CborValue | typeof UNPORTABLE {
  if (value instanceof Uint8Array) return value.slice();
  if (value instanceof CborTagged || value instanceof CborSimple) return UNPORTABLE;
  if (Array.isArray(value)) {
    const items: CborValue[] = [];
    for (const item of value as readonly CborValue[]) {
      const copied = compact(item);
      if (copied === UNPORTABLE) return UNPORTABLE;
      items.push(copied);
    }
    return items;
  }
  if (value instanceof Map) {
    const entries = new Map<string | bigint, CborValue>();
    for (const [key, item] of value) {
      const copied = compact(item);
      if (copied === UNPORTABLE) return UNPORTABLE;
      entries.set(key, copied);
    }
    return entries;
  }
  return value;
}
