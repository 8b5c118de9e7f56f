// CBOR encoder (RFC 8949) producing preferred serialization: shortest heads, definite lengths,
// shortest exact float width. Map entries keep their insertion order (the IC does not require
// canonical key order; request ids are computed from decoded values, not from bytes).
import { CborEncoded, CborError, CborSimple, CborTagged, SELF_DESCRIBE_TAG, type CborValue } from './cbor_value.ts';

/**
 * What `encodeCbor` accepts: every decoded `CborValue`, plus JS conveniences:
 * * `number`: a safe integer (and not -0) is written as an integer, anything else as a float;
 * * plain objects (`{...}`) are written as maps with text keys; properties whose value is
 *   `undefined` are skipped, which is how optional IC fields are left out;
 * * `Map` keys may be text, bigint or integral numbers;
 * * `CborEncoded`: an item encoded already, written as is.
 */
export type CborEncodable =
  | CborValue
  | CborEncoded
  | readonly CborEncodable[]
  | ReadonlyMap<string | bigint | number, CborEncodable>
  | { readonly [key: string]: CborEncodable };

export interface EncodeCborOptions {
  /** Prefix the item with the self-describe tag 55799 (IC envelopes and certificates). */
  readonly selfDescribe?: boolean;
}

const MAX_ENCODE_DEPTH = 256;
const utf8Encoder = new TextEncoder();

class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #reserve(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  byte(b: number): void {
    const at = this.#reserve(1);
    this.#buf[at] = b;
  }

  bytes(data: Uint8Array): void {
    const at = this.#reserve(data.length);
    this.#buf.set(data, at);
  }

  /** A head: major type and argument in the shortest form. */
  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (arg < 24) return this.byte(m | Number(arg));
    if (arg <= 0xff) {
      this.byte(m | 24);
      return this.byte(Number(arg));
    }
    // Reserve before touching #view: reserving may replace the buffer and its view.
    if (arg <= 0xffff) {
      this.byte(m | 25);
      const at = this.#reserve(2);
      return this.#view.setUint16(at, Number(arg));
    }
    if (arg <= 0xffffffff) {
      this.byte(m | 26);
      const at = this.#reserve(4);
      return this.#view.setUint32(at, Number(arg));
    }
    this.byte(m | 27);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt(arg));
  }

  /** A float head (additional information 25, 26 or 27) and its payload. */
  float(info: 25 | 26 | 27, value: number, halfBits: number): void {
    this.byte(0xe0 | info);
    const at = this.#reserve(info === 25 ? 2 : info === 26 ? 4 : 8);
    if (info === 25) this.#view.setUint16(at, halfBits);
    else if (info === 26) this.#view.setFloat32(at, value);
    else this.#view.setFloat64(at, value);
  }

  result(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/**
 * Encode `value` as one CBOR data item.
 * @throws CborError (`unencodable`) for values with no CBOR form (functions, symbols, class
 *   instances other than Uint8Array/Map/CborTagged/CborSimple, lone surrogates in strings).
 * @example toHex(encodeCbor({ a: 1n })) // 'a1616101'
 */
export function encodeCbor(value: CborEncodable, options: EncodeCborOptions = {}): Uint8Array {
  const w = new Writer();
  if (options.selfDescribe) w.head(6, SELF_DESCRIBE_TAG);
  writeItem(w, value, 0);
  return w.result();
}

function writeItem(w: Writer, v: CborEncodable, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) {
    throw new CborError('too-deep', `value nested deeper than ${MAX_ENCODE_DEPTH} (a cycle?)`);
  }
  switch (typeof v) {
    case 'bigint':
      return writeInteger(w, v);
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? writeInteger(w, BigInt(v)) : writeFloat(w, v);
    case 'string':
      return writeText(w, v);
    case 'boolean':
      return w.byte(v ? 0xf5 : 0xf4);
    case 'undefined':
      return w.byte(0xf7);
    case 'object':
      return writeObject(w, v, depth);
  }
  throw new CborError('unencodable', `cannot encode a value of type ${typeof v}`);
}

function writeObject(w: Writer, v: object | null, depth: number): void {
  if (v === null) return w.byte(0xf6);
  if (v instanceof Uint8Array) {
    w.head(2, v.length);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const item of v as readonly CborEncodable[]) writeItem(w, item, depth + 1);
    return;
  }
  if (v instanceof Map) return writeEntries(w, [...v], depth);
  if (v instanceof CborEncoded) return w.bytes(v.bytes);
  if (v instanceof CborTagged) {
    w.head(6, v.tag);
    return writeItem(w, v.value, depth + 1);
  }
  if (v instanceof CborSimple) {
    if (v.value >= 24) w.byte(0xf8);
    return w.byte(v.value < 24 ? 0xe0 | v.value : v.value);
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const entries = Object.entries(v as Record<string, CborEncodable>).filter(([, x]) => x !== undefined);
    return writeEntries(w, entries, depth);
  }
  throw new CborError('unencodable', `cannot encode an instance of ${proto?.constructor?.name ?? 'unknown'}`);
}

function writeEntries(w: Writer, entries: readonly (readonly [unknown, CborEncodable])[], depth: number): void {
  w.head(5, entries.length);
  for (const [key, value] of entries) {
    if (typeof key !== 'string' && typeof key !== 'bigint' && !(typeof key === 'number' && Number.isSafeInteger(key))) {
      throw new CborError('unencodable', `map key of type ${typeof key} is not supported`);
    }
    writeItem(w, key as string | bigint | number, depth + 1);
    writeItem(w, value, depth + 1);
  }
}

const TWO_64 = 1n << 64n;

function writeInteger(w: Writer, n: bigint): void {
  if (n >= 0n && n < TWO_64) return w.head(0, n < 24n ? Number(n) : n);
  if (n < 0n && n >= -TWO_64) {
    const m = -1n - n;
    return w.head(1, m < 24n ? Number(m) : m);
  }
  // Bignum (tags 2/3): big-endian magnitude without leading zeros.
  const magnitude = n >= 0n ? n : -1n - n;
  let hex = magnitude.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  w.head(6, n >= 0n ? 2 : 3);
  w.head(2, bytes.length);
  w.bytes(bytes);
}

function writeText(w: Writer, s: string): void {
  if (!s.isWellFormed()) throw new CborError('unencodable', 'string contains a lone surrogate');
  const bytes = utf8Encoder.encode(s);
  w.head(3, bytes.length);
  w.bytes(bytes);
}

/** Shortest of binary16/32/64 that represents `x` exactly; NaN is written as the half 0x7e00. */
function writeFloat(w: Writer, x: number): void {
  const half = exactHalf(x);
  if (half !== undefined) return w.float(25, x, half);
  if (Math.fround(x) === x) return w.float(26, x, 0);
  w.float(27, x, 0);
}

/** The binary16 bits of `x` if it is exactly representable, else undefined. */
export function exactHalf(x: number): number | undefined {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a > 65504 || a < 2 ** -24) return undefined;
  // a = m · 2^e with m an odd integer; binary16 needs m < 2^11 and e ≥ -24.
  let m = a;
  let e = 0;
  for (; !Number.isInteger(m); e--) m *= 2;
  for (; m % 2 === 0; e++) m /= 2;
  if (m >= 2048 || e < -24) return undefined;
  const msb = 31 - Math.clz32(m);
  const exp = e + msb; // a = 1.f · 2^exp
  if (exp < -14) return sign | (m * 2 ** (e + 24)); // subnormal: a = k · 2^-24, k < 1024
  return sign | ((exp + 15) << 10) | (m * 2 ** (10 - msb) - 1024);
}
