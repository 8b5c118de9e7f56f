// Strict CBOR decoder (RFC 8949) for what the IC exchanges: envelopes, certificates, hash trees.
// Well-formedness is checked completely (reserved additional information, misplaced breaks,
// indefinite-length chunks of the wrong type, invalid UTF-8, trailing bytes); on top of that,
// maps must have text or integer keys without duplicates. Representation: see cbor_value.ts.
import {
  CborError,
  CborSimple,
  CborTagged,
  SELF_DESCRIBE_TAG,
  type CborMapKey,
  type CborValue,
} from './cbor_value.ts';

export interface DecodeCborOptions {
  /** Deepest nesting of arrays, maps and tags accepted (default 128). */
  readonly maxDepth?: number;
  /** Largest input accepted, in bytes (default 16 MiB). */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_DEPTH = 128;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const BREAK = 0xff;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly maxDepth: number;
  pos: number;
}

/**
 * Decode exactly one CBOR data item that fills `bytes`.
 * @throws CborError naming what is wrong and where.
 * @example decodeCbor(fromHex('a161610c')) // Map { 'a' => 12n }
 */
export function decodeCbor(bytes: Uint8Array, options: DecodeCborOptions = {}): CborValue {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw new CborError('too-large', `input of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  }
  if (bytes.length === 0) throw new CborError('truncated', 'empty input', 0);
  const r: Reader = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    pos: 0,
  };
  const value = readItem(r, 0);
  if (r.pos !== bytes.length) {
    throw new CborError('trailing', `${bytes.length - r.pos} bytes after the data item`, r.pos);
  }
  return value;
}

function need(r: Reader, n: number): void {
  if (r.bytes.length - r.pos < n) {
    throw new CborError('truncated', `need ${n} more bytes, ${r.bytes.length - r.pos} left`, r.pos);
  }
}

/** The argument of a head with additional information `info` (< 28): a number, or a bigint if 8 bytes. */
function readArgument(r: Reader, info: number): number | bigint {
  if (info < 24) return info;
  const at = r.pos;
  switch (info) {
    case 24:
      need(r, 1);
      r.pos += 1;
      return r.view.getUint8(at);
    case 25:
      need(r, 2);
      r.pos += 2;
      return r.view.getUint16(at);
    case 26:
      need(r, 4);
      r.pos += 4;
      return r.view.getUint32(at);
    case 27:
      need(r, 8);
      r.pos += 8;
      return r.view.getBigUint64(at);
  }
  throw new CborError('malformed', `reserved additional information ${info}`, r.pos - 1);
}

/** A length or count, checked against the bytes left (each element needs at least `unit` bytes). */
function readLength(r: Reader, info: number, unit: number): number {
  const at = r.pos - 1;
  const n = readArgument(r, info);
  const left = r.bytes.length - r.pos;
  if (BigInt(n) * BigInt(unit) > BigInt(left)) {
    throw new CborError('truncated', `declared length ${n} exceeds the ${left} bytes left`, at);
  }
  return Number(n);
}

function readItem(r: Reader, depth: number): CborValue {
  need(r, 1);
  const start = r.pos;
  const initial = r.bytes[r.pos++]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info >= 28 && info <= 30) {
    throw new CborError('malformed', `reserved additional information ${info}`, start);
  }
  if (info === 31 && (major <= 1 || major === 6)) {
    throw new CborError('malformed', `indefinite length is not allowed for major type ${major}`, start);
  }
  switch (major) {
    case 0:
      return BigInt(readArgument(r, info));
    case 1:
      return -1n - BigInt(readArgument(r, info));
    case 2:
      return info === 31 ? readChunks(r, 2) : readBytes(r, info);
    case 3:
      return info === 31 ? utf8OfChunks(r) : readText(r, info);
    case 4:
      return readArray(r, info, enter(r, depth, start));
    case 5:
      return readMap(r, info, enter(r, depth, start));
    case 6:
      return readTag(r, info, enter(r, depth, start));
    default:
      return readSimpleOrFloat(r, info, start);
  }
}

function enter(r: Reader, depth: number, at: number): number {
  if (depth + 1 > r.maxDepth) {
    throw new CborError('too-deep', `nesting deeper than ${r.maxDepth}`, at);
  }
  return depth + 1;
}

function readBytes(r: Reader, info: number): Uint8Array {
  const n = readLength(r, info, 1);
  const out = r.bytes.slice(r.pos, r.pos + n);
  r.pos += n;
  return out;
}

function readText(r: Reader, info: number): string {
  const at = r.pos - 1;
  const raw = readBytes(r, info);
  try {
    return utf8Decoder.decode(raw);
  } catch {
    throw new CborError('invalid-utf8', 'text string is not valid UTF-8', at);
  }
}

/** Indefinite-length byte or text string: definite chunks of the same major type, then break. */
function readChunks(r: Reader, major: 2 | 3): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    need(r, 1);
    const initial = r.bytes[r.pos]!;
    if (initial === BREAK) {
      r.pos++;
      break;
    }
    if (initial >> 5 !== major || (initial & 0x1f) === 31) {
      throw new CborError('malformed', `bad chunk in an indefinite-length string`, r.pos);
    }
    r.pos++;
    const at = r.pos - 1;
    const chunk = readBytes(r, initial & 0x1f);
    if (major === 3 && !isUtf8(chunk)) {
      throw new CborError('invalid-utf8', 'text chunk is not valid UTF-8', at);
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function utf8OfChunks(r: Reader): string {
  return utf8Decoder.decode(readChunks(r, 3));
}

/** True (and consumes it) if the next byte is a break; only called inside indefinite items. */
function atBreak(r: Reader): boolean {
  need(r, 1);
  if (r.bytes[r.pos] !== BREAK) return false;
  r.pos++;
  return true;
}

function readArray(r: Reader, info: number, depth: number): CborValue[] {
  const out: CborValue[] = [];
  if (info === 31) {
    while (!atBreak(r)) out.push(readItem(r, depth));
    return out;
  }
  const n = readLength(r, info, 1);
  for (let i = 0; i < n; i++) out.push(readItem(r, depth));
  return out;
}

function readMap(r: Reader, info: number, depth: number): Map<CborMapKey, CborValue> {
  const out = new Map<CborMapKey, CborValue>();
  const entry = (): void => {
    const at = r.pos;
    const key = readItem(r, depth);
    if (typeof key !== 'string' && typeof key !== 'bigint') {
      throw new CborError('unsupported', 'map key is neither text nor an integer', at);
    }
    if (out.has(key)) {
      throw new CborError('duplicate-key', `duplicate map key ${JSON.stringify(String(key))}`, at);
    }
    out.set(key, readItem(r, depth));
  };
  if (info === 31) {
    while (!atBreak(r)) entry();
    return out;
  }
  const n = readLength(r, info, 2);
  for (let i = 0; i < n; i++) entry();
  return out;
}

function readTag(r: Reader, info: number, depth: number): CborValue {
  const tag = BigInt(readArgument(r, info));
  const contentAt = r.pos;
  const content = readItem(r, depth);
  if (tag === SELF_DESCRIBE_TAG) return content;
  if (tag === 2n || tag === 3n) {
    if (!(content instanceof Uint8Array)) {
      throw new CborError('unsupported', `bignum tag ${tag} must enclose a byte string`, contentAt);
    }
    let n = 0n;
    for (const b of content) n = (n << 8n) | BigInt(b);
    return tag === 2n ? n : -1n - n;
  }
  return new CborTagged(tag, content);
}

function readSimpleOrFloat(r: Reader, info: number, start: number): CborValue {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 24: {
      need(r, 1);
      const v = r.bytes[r.pos++]!;
      if (v < 32) throw new CborError('malformed', `two-byte simple value ${v} below 32`, start);
      return new CborSimple(v);
    }
    case 25:
      need(r, 2);
      r.pos += 2;
      return halfToNumber(r.view.getUint16(start + 1));
    case 26:
      need(r, 4);
      r.pos += 4;
      return r.view.getFloat32(start + 1);
    case 27:
      need(r, 8);
      r.pos += 8;
      return r.view.getFloat64(start + 1);
    case 31:
      throw new CborError('malformed', 'break outside an indefinite-length item', start);
  }
  return new CborSimple(info);
}

/** IEEE 754 binary16 → number (RFC 8949 Appendix D). */
export function halfToNumber(half: number): number {
  const exp = (half >> 10) & 0x1f;
  const mant = half & 0x3ff;
  let val: number;
  if (exp === 0) val = mant * 2 ** -24;
  else if (exp === 31) val = mant === 0 ? Infinity : NaN;
  else val = (mant + 1024) * 2 ** (exp - 25);
  return half & 0x8000 ? -val : val;
}
