// A self-describing binary encoding of the plain data the state is made of (documented in
// docs/storage-format.md, "Values"). It knows exactly the types the state uses — numbers, bigints,
// strings, bytes, arrays, plain objects, Maps, Sets and Principals — and refuses anything else with
// the path of the field, so that a new kind of field fails loudly instead of being lost. Object keys
// and Map entries keep their order: restored state iterates like the original (the state hash does).
import { Principal } from '../state/index.ts';
import { ByteSink, ByteSource, concatParts, TruncatedInput } from './_bytes.ts';
import { corrupt, PersistenceError } from './errors.ts';

export const TAG = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  float: 4,
  int: 5,
  bigint: 6,
  negativeBigint: 7,
  string: 8,
  bytes: 9,
  array: 10,
  object: 11,
  map: 12,
  set: 13,
  principal: 14,
} as const;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrincipal(value: object): value is Principal {
  return (value as { _isPrincipal?: unknown })._isPrincipal === true && typeof (value as Principal).toUint8Array === 'function';
}

function bigintBytes(magnitude: bigint): Uint8Array {
  let hex = magnitude.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function encodeNumber(sink: ByteSink, value: number): void {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    sink.u8(TAG.int);
    // zigzag, in arithmetic (values exceed 32 bits)
    sink.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
  } else {
    sink.u8(TAG.float);
    sink.f64(value);
  }
}

function encodeBytes(sink: ByteSink, tag: number, bytes: Uint8Array): void {
  sink.u8(tag);
  sink.varuint(bytes.length);
  sink.raw(bytes);
}

function encodeObject(sink: ByteSink, value: object, path: string): void {
  if (value instanceof Uint8Array) return encodeBytes(sink, TAG.bytes, value);
  if (Array.isArray(value)) {
    sink.u8(TAG.array);
    sink.varuint(value.length);
    value.forEach((item, i) => {
      encodeValue(sink, item, `${path}[${i}]`);
    });
    return;
  }
  if (value instanceof Map) {
    sink.u8(TAG.map);
    sink.varuint(value.size);
    for (const [key, item] of value) {
      encodeValue(sink, key, `${path}.<key>`);
      encodeValue(sink, item, `${path}[${String(key)}]`);
    }
    return;
  }
  if (value instanceof Set) {
    sink.u8(TAG.set);
    sink.varuint(value.size);
    for (const item of value) encodeValue(sink, item, `${path}.<item>`);
    return;
  }
  if (isPrincipal(value)) return encodeBytes(sink, TAG.principal, value.toUint8Array());
  if (!isPlainObject(value)) {
    throw new PersistenceError({ kind: 'unencodable', field: path, found: value.constructor?.name ?? 'object' });
  }
  const keys = Object.keys(value);
  sink.u8(TAG.object);
  sink.varuint(keys.length);
  for (const key of keys) {
    encodeString(sink, key);
    encodeValue(sink, (value as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

/** Strings up to this long are checked for ASCII and copied char by char: most are field names, and a TextEncoder call costs more. */
const SHORT_STRING = 64;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

function encodeString(sink: ByteSink, text: string): void {
  if (text.length <= SHORT_STRING && isAscii(text)) {
    sink.varuint(text.length);
    return sink.ascii(text);
  }
  const bytes = utf8.encode(text);
  sink.varuint(bytes.length);
  sink.raw(bytes);
}

/** Appends `value`; `path` names it in errors (e.g. `canister.callContexts`). */
export function encodeValue(sink: ByteSink, value: unknown, path = 'value'): void {
  switch (typeof value) {
    case 'undefined':
      return sink.u8(TAG.undefined);
    case 'boolean':
      return sink.u8(value ? TAG.true : TAG.false);
    case 'number':
      return encodeNumber(sink, value);
    case 'bigint':
      return encodeBytes(sink, value < 0n ? TAG.negativeBigint : TAG.bigint, bigintBytes(value < 0n ? -value : value));
    case 'string':
      sink.u8(TAG.string);
      return encodeString(sink, value);
    case 'object':
      if (value === null) return sink.u8(TAG.null);
      return encodeObject(sink, value, path);
    default:
      throw new PersistenceError({ kind: 'unencodable', field: path, found: typeof value });
  }
}

export interface DecodeOptions {
  /** Copy byte strings out of the input (default) or return views into it (for data copied right away). */
  copyBytes?: boolean;
}

function decodeBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`);
}

function readString(source: ByteSource): string {
  const bytes = source.take(source.varuint());
  if (bytes.length > SHORT_STRING) return fromUtf8.decode(bytes);
  let text = '';
  for (const byte of bytes) {
    if (byte >= 0x80) return fromUtf8.decode(bytes);
    text += String.fromCharCode(byte);
  }
  return text;
}

function decodeContainer(source: ByteSource, tag: number, copy: boolean): unknown {
  const count = source.varuint();
  if (count > source.remaining) throw new TruncatedInput(`container of ${count} items with ${source.remaining} bytes left`);
  if (tag === TAG.array) {
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push(decodeAt(source, copy));
    return out;
  }
  if (tag === TAG.map) {
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < count; i++) out.set(decodeAt(source, copy), decodeAt(source, copy));
    return out;
  }
  if (tag === TAG.set) {
    const out = new Set<unknown>();
    for (let i = 0; i < count; i++) out.add(decodeAt(source, copy));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = readString(source);
    out[key] = decodeAt(source, copy);
  }
  return out;
}

function decodeAt(source: ByteSource, copy: boolean): unknown {
  const tag = source.u8();
  switch (tag) {
    case TAG.undefined:
      return undefined;
    case TAG.null:
      return null;
    case TAG.false:
      return false;
    case TAG.true:
      return true;
    case TAG.float:
      return source.f64();
    case TAG.int: {
      const zigzag = source.varuint();
      return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
    case TAG.bigint:
      return decodeBigint(source.take(source.varuint()));
    case TAG.negativeBigint:
      return -decodeBigint(source.take(source.varuint()));
    case TAG.string:
      return readString(source);
    case TAG.bytes: {
      const view = source.take(source.varuint());
      return copy ? view.slice() : view;
    }
    case TAG.principal:
      return Principal.fromUint8Array(source.take(source.varuint()).slice());
    case TAG.array:
    case TAG.object:
    case TAG.map:
    case TAG.set:
      return decodeContainer(source, tag, copy);
    default:
      throw new TruncatedInput(`unknown value tag ${tag} at offset ${source.offset - 1}`);
  }
}

/** Decodes one value at the source's offset; malformed input throws `TruncatedInput`. */
export function decodeValueFrom(source: ByteSource, options: DecodeOptions = {}): unknown {
  return decodeAt(source, options.copyBytes ?? true);
}

/**
 * Decodes the one value that fills the rest of `source`; malformed input or trailing bytes are a
 * `corrupt` failure of `path` (a file of `fileSize` bytes).
 */
export function decodeRemainingValue(source: ByteSource, path: string, fileSize: number, options: DecodeOptions = {}): unknown {
  try {
    const value = decodeValueFrom(source, options);
    if (source.remaining !== 0) throw new TruncatedInput(`${source.remaining} bytes after the value`);
    return value;
  } catch (error) {
    if (error instanceof TruncatedInput) throw corrupt(path, source.offset, fileSize, error.message);
    throw error;
  }
}

/** Decodes a whole byte string holding one value; malformed input is a `corrupt` failure of `path`. */
export function decodeValue(bytes: Uint8Array, path: string, options: DecodeOptions = {}): unknown {
  return decodeRemainingValue(new ByteSource(bytes), path, bytes.length, options);
}

/** `value` encoded into one contiguous byte array. */
export function encodeToBytes(value: unknown, path = 'value'): Uint8Array {
  const sink = new ByteSink();
  encodeValue(sink, value, path);
  return concatParts(sink.finish());
}
