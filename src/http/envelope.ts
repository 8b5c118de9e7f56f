// Request envelopes (interface spec, "Request: Envelope"): a CBOR map (self-describe tag
// optional) `{content, sender_pubkey?, sender_sig?, sender_delegation?}`. This file checks the
// shapes and sizes and computes the request id; who may send it is authenticate.ts's business.
import {
  CborError,
  decodeCbor,
  isCborMap,
  parseSenderInfo,
  requestIdOf,
  type SenderInfo,
  type CborMap,
  type CborValue,
  type RequestType,
} from '../certification/index.ts';
import { badRequest, HttpError } from './errors.ts';

/** Limits of the spec (read_state paths) and of the replica (principal and nonce sizes). */
export const ENVELOPE_LIMITS = {
  maxPaths: 1000,
  maxPathLabels: 127,
  maxNonceBytes: 32,
  maxPrincipalBytes: 29,
  /** Nesting needed by delegations and paths, with room to spare. */
  maxCborDepth: 32,
} as const;

interface CommonContent {
  readonly sender: Uint8Array;
  readonly ingressExpiry: bigint;
  /** `sender_info` (calls and queries): checked by authentication, then shown to the canister. */
  readonly senderInfo?: SenderInfo;
}

export interface CallContent extends CommonContent {
  readonly canisterId: Uint8Array;
  readonly methodName: string;
  readonly arg: Uint8Array;
}

export interface ReadStateContent extends CommonContent {
  readonly paths: readonly Uint8Array[][];
}

export interface Envelope<C> {
  readonly requestType: RequestType;
  readonly content: C;
  readonly requestId: Uint8Array;
  readonly senderPubkey: Uint8Array | undefined;
  readonly senderSig: Uint8Array | undefined;
  readonly senderDelegation: CborValue;
}

/** A `call` or `query` envelope. */
export function parseCallEnvelope(body: Uint8Array, requestType: 'call' | 'query'): Envelope<CallContent> | HttpError {
  const outer = parseOuter(body, requestType);
  if (outer instanceof HttpError) return outer;
  const { map } = outer;
  const canisterId = principalField(map, 'canister_id');
  if (canisterId instanceof HttpError) return canisterId;
  const methodName = map.get('method_name');
  if (typeof methodName !== 'string') return badRequest('content.method_name must be a text string');
  const arg = map.get('arg');
  if (!(arg instanceof Uint8Array)) return badRequest('content.arg must be a byte string');
  return finish(outer, { ...outer.common, canisterId, methodName, arg });
}

export function parseReadStateEnvelope(body: Uint8Array): Envelope<ReadStateContent> | HttpError {
  const outer = parseOuter(body, 'read_state');
  if (outer instanceof HttpError) return outer;
  const paths = parsePaths(outer.map.get('paths'));
  if (paths instanceof HttpError) return paths;
  return finish(outer, { ...outer.common, paths });
}

interface Outer {
  readonly map: CborMap;
  readonly envelope: CborMap;
  readonly common: CommonContent;
}

function parseOuter(body: Uint8Array, requestType: RequestType): Outer | HttpError {
  let value: CborValue;
  try {
    value = decodeCbor(body, { maxDepth: ENVELOPE_LIMITS.maxCborDepth });
  } catch (e) {
    return badRequest(`Could not parse body as CBOR: ${e instanceof CborError ? e.message : String(e)}`);
  }
  if (!isCborMap(value)) return badRequest('The request envelope must be a CBOR map');
  const map = value.get('content');
  if (!isCborMap(map)) return badRequest('The request envelope needs a content map');
  if (map.get('request_type') !== requestType) {
    return badRequest(`content.request_type must be "${requestType}" for this endpoint`);
  }
  const sender = principalField(map, 'sender');
  if (sender instanceof HttpError) return sender;
  const ingressExpiry = map.get('ingress_expiry');
  if (typeof ingressExpiry !== 'bigint' || ingressExpiry < 0n || ingressExpiry >= 1n << 64n) {
    return badRequest('content.ingress_expiry must be a natural number below 2^64');
  }
  const nonce = map.get('nonce');
  if (nonce !== undefined && (!(nonce instanceof Uint8Array) || nonce.length > ENVELOPE_LIMITS.maxNonceBytes)) {
    return badRequest(`content.nonce must be a byte string of at most ${ENVELOPE_LIMITS.maxNonceBytes} bytes`);
  }
  const rawSenderInfo = map.get('sender_info');
  if (rawSenderInfo === undefined) return { map, envelope: value, common: { sender, ingressExpiry } };
  const senderInfo = parseSenderInfo(rawSenderInfo);
  if (typeof senderInfo === 'string') return badRequest(senderInfo);
  return { map, envelope: value, common: { sender, ingressExpiry, senderInfo } };
}

function finish<C>(outer: Outer, content: C): Envelope<C> | HttpError {
  const { envelope, map } = outer;
  let requestId: Uint8Array;
  try {
    requestId = requestIdOf(map);
  } catch (e) {
    return badRequest(`The request content has no request id: ${(e as Error).message}`);
  }
  const senderPubkey = envelope.get('sender_pubkey');
  const senderSig = envelope.get('sender_sig');
  if (senderPubkey !== undefined && !(senderPubkey instanceof Uint8Array)) return badRequest('sender_pubkey must be a byte string');
  if (senderSig !== undefined && !(senderSig instanceof Uint8Array)) return badRequest('sender_sig must be a byte string');
  return {
    requestType: map.get('request_type') as RequestType,
    content,
    requestId,
    senderPubkey,
    senderSig,
    senderDelegation: envelope.get('sender_delegation'),
  };
}

function principalField(map: CborMap, key: string): Uint8Array | HttpError {
  const value = map.get(key);
  if (!(value instanceof Uint8Array) || value.length > ENVELOPE_LIMITS.maxPrincipalBytes) {
    return badRequest(`content.${key} must be a principal (a byte string of at most ${ENVELOPE_LIMITS.maxPrincipalBytes} bytes)`);
  }
  return value;
}

function parsePaths(value: CborValue): Uint8Array[][] | HttpError {
  if (!Array.isArray(value)) return badRequest('content.paths must be an array of paths');
  if (value.length > ENVELOPE_LIMITS.maxPaths) return badRequest(`At most ${ENVELOPE_LIMITS.maxPaths} paths may be requested`);
  const paths: Uint8Array[][] = [];
  for (const path of value as CborValue[]) {
    if (!Array.isArray(path)) return badRequest('Each path must be an array of byte-string labels');
    if (path.length > ENVELOPE_LIMITS.maxPathLabels) return badRequest(`A path may have at most ${ENVELOPE_LIMITS.maxPathLabels} labels`);
    const labels: Uint8Array[] = [];
    for (const label of path as CborValue[]) {
      if (!(label instanceof Uint8Array)) return badRequest('Path labels must be byte strings');
      labels.push(label);
    }
    paths.push(labels);
  }
  return paths;
}
