// Just enough DER (X.690) for public keys: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) with an
// algorithm OID, optional parameters (a curve OID or NULL) and the key as a BIT STRING.
// Parsing is strict: definite minimal lengths, no trailing bytes, no unused bits.
import { concatBytes } from './_bytes.ts';

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Object identifiers used by the IC, in dotted form. */
export const OID = {
  ed25519: '1.3.101.112',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  secp256k1: '1.3.132.0.10',
  blsAlgorithm: '1.3.6.1.4.1.44668.5.3.1.2.1',
  blsCurve: '1.3.6.1.4.1.44668.5.3.2.1',
  canisterSignature: '1.3.6.1.4.1.56387.1.2',
  webAuthnCose: '1.3.6.1.4.1.56387.1.1',
} as const;

export interface SubjectPublicKeyInfo {
  /** Algorithm OID, dotted. */
  readonly algorithm: string;
  /** Parameters: a curve OID (dotted), 'null' for an explicit NULL, or undefined if absent. */
  readonly parameters: string | undefined;
  /** The BIT STRING content (without the unused-bits byte). */
  readonly publicKey: Uint8Array;
}

interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly end: number;
}

function readTlv(bytes: Uint8Array, at: number): Tlv {
  if (at + 2 > bytes.length) throw new DerError('truncated DER element');
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = bytes[at + 1]!;
  let pos = at + 2;
  if (len === 0x80) throw new DerError('indefinite length is not DER');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || pos + n > bytes.length) throw new DerError('bad DER length');
    if (bytes[pos] === 0) throw new DerError('DER length is not minimal');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + i]!;
    if (len < 0x80) throw new DerError('DER length is not minimal');
    pos += n;
  }
  if (pos + len > bytes.length) throw new DerError('DER element runs past the end');
  return { tag, content: bytes.subarray(pos, pos + len), end: pos + len };
}

function expectTag(t: Tlv, tag: number, what: string): Uint8Array {
  if (t.tag !== tag) throw new DerError(`expected ${what} (tag 0x${tag.toString(16)}), got tag 0x${t.tag.toString(16)}`);
  return t.content;
}

/** Parse a DER SubjectPublicKeyInfo. @throws DerError */
export function parseSubjectPublicKeyInfo(der: Uint8Array): SubjectPublicKeyInfo {
  const outer = readTlv(der, 0);
  if (outer.end !== der.length) throw new DerError('trailing bytes after SubjectPublicKeyInfo');
  const body = expectTag(outer, 0x30, 'SEQUENCE');
  const algTlv = readTlv(body, 0);
  const alg = expectTag(algTlv, 0x30, 'AlgorithmIdentifier SEQUENCE');
  const oidTlv = readTlv(alg, 0);
  const algorithm = decodeOid(expectTag(oidTlv, 0x06, 'OBJECT IDENTIFIER'));
  let parameters: string | undefined;
  if (oidTlv.end < alg.length) {
    const p = readTlv(alg, oidTlv.end);
    if (p.end !== alg.length) throw new DerError('trailing bytes in AlgorithmIdentifier');
    if (p.tag === 0x06) parameters = decodeOid(p.content);
    else if (p.tag === 0x05 && p.content.length === 0) parameters = 'null';
    else throw new DerError(`unsupported algorithm parameters (tag 0x${p.tag.toString(16)})`);
  }
  const bits = readTlv(body, algTlv.end);
  if (bits.end !== body.length) throw new DerError('trailing bytes in SubjectPublicKeyInfo');
  const content = expectTag(bits, 0x03, 'BIT STRING');
  if (content.length === 0 || content[0] !== 0) throw new DerError('BIT STRING must have 0 unused bits');
  return { algorithm, parameters, publicKey: content.slice(1) };
}

/** Encode a SubjectPublicKeyInfo (the inverse of `parseSubjectPublicKeyInfo`). */
export function encodeSubjectPublicKeyInfo(algorithm: string, parameters: string | undefined, publicKey: Uint8Array): Uint8Array {
  const algParts = [tlv(0x06, encodeOid(algorithm))];
  if (parameters === 'null') algParts.push(Uint8Array.of(0x05, 0x00));
  else if (parameters !== undefined) algParts.push(tlv(0x06, encodeOid(parameters)));
  const bitString = new Uint8Array(publicKey.length + 1);
  bitString.set(publicKey, 1);
  return tlv(0x30, concatBytes(tlv(0x30, concatBytes(...algParts)), tlv(0x03, bitString)));
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : undefined;
  if (len === undefined) throw new RangeError('DER content longer than 65535 bytes');
  return concatBytes(Uint8Array.of(tag, ...len), content);
}

/** Dotted form of OID content bytes. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (v === 0 && b === 0x80) throw new DerError('OID arc is not minimal');
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) throw new DerError('OID arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    } else if (i === bytes.length - 1) throw new DerError('truncated OID');
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** OID content bytes of a dotted OID. */
export function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return Uint8Array.from(out);
}
