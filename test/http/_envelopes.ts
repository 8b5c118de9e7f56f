// Hand-built request envelopes for protocol-level tests (no client library): Ed25519 keys signing
// `\x0Aic-request ‖ request_id`, anonymous requests, and helpers to post them and read answers.
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ANONYMOUS_ID,
  decodeCbor,
  decodeCertificate,
  domainSeparators,
  ed25519PublicKeyToDer,
  encodeCbor,
  isCborMap,
  lookupPath,
  requestIdOf,
  selfAuthenticatingId,
  type CborMap,
  type HashableValue,
} from '../../src/certification/index.ts';

export const EMPTY_ARG = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

export class TestKey {
  readonly secret: Uint8Array;
  readonly der: Uint8Array;
  readonly principal: Uint8Array;
  constructor(secret: Uint8Array = new Uint8Array(randomBytes(32))) {
    this.secret = secret;
    this.der = ed25519PublicKeyToDer(ed25519.getPublicKey(secret));
    this.principal = selfAuthenticatingId(this.der);
  }
  sign(requestId: Uint8Array): Uint8Array {
    return ed25519.sign(new Uint8Array([...domainSeparators.IC_REQUEST, ...requestId]), this.secret);
  }
}

export type Content = Record<string, HashableValue>;

/** ns since the epoch, `minutes` from now. */
export function expiryIn(minutes: number): bigint {
  return BigInt(Date.now() + minutes * 60_000) * 1_000_000n;
}

export function callContent(type: 'call' | 'query', canisterId: Uint8Array, method: string, arg: Uint8Array, sender: Uint8Array, extra: Content = {}): Content {
  return {
    request_type: type,
    canister_id: canisterId,
    method_name: method,
    arg,
    sender,
    ingress_expiry: expiryIn(4),
    nonce: new Uint8Array(randomBytes(8)),
    ...extra,
  };
}

export function readStateContent(paths: (Uint8Array | string)[][], sender: Uint8Array, extra: Content = {}): Content {
  const encoded = paths.map((p) => p.map((l) => (typeof l === 'string' ? new TextEncoder().encode(l) : l)));
  return { request_type: 'read_state', paths: encoded, sender, ingress_expiry: expiryIn(4), ...extra };
}

/** The envelope of `content`, signed by `key` (anonymous when no key is given). */
export function envelope(content: Content, key?: TestKey): Uint8Array {
  const requestId = requestIdOf(content);
  if (!key) return encodeCbor({ content }, { selfDescribe: true });
  return encodeCbor({ content, sender_pubkey: key.der, sender_sig: key.sign(requestId) }, { selfDescribe: true });
}

export function anonymous(): Uint8Array {
  return ANONYMOUS_ID;
}

export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly bytes: Uint8Array;
  text(): string;
  cbor(): CborMap;
}

export async function post(base: string, path: string, body: Uint8Array): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: Buffer.from(body) });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    bytes,
    text: () => new TextDecoder().decode(bytes),
    cbor: () => {
      const value = decodeCbor(bytes);
      if (!isCborMap(value)) throw new Error(`not a CBOR map: ${new TextDecoder().decode(bytes)}`);
      return value;
    },
  };
}

/** Looks a path up in the certificate of a v3/v4 call answer or a read_state answer. */
export function certifiedValue(answer: Answer, path: (Uint8Array | string)[]): Uint8Array | undefined {
  const certificate = answer.cbor().get('certificate') as Uint8Array;
  const found = lookupPath(path, decodeCertificate(certificate).tree);
  return found.status === 'found' ? found.value : undefined;
}
