// A canonical, streaming encoding of plain state data into a hash: every value carries a type tag,
// every string, byte string and list its length, object keys and map keys are sorted, and a key
// holding `undefined` counts as absent. Two values that mean the same hash the same, whatever order
// they were built in (a state restored from disk hashes like the live one it came from). Byte strings
// are fed in slices, never copied, so a multi-GiB heap costs no extra memory.
import type { Hash } from 'node:crypto';
import { StableMemory } from './stable_memory.ts';

const TAG = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  number: 4,
  bigint: 5,
  string: 6,
  bytes: 7,
  array: 8,
  object: 9,
  map: 10,
  set: 11,
  principal: 12,
  stableMemory: 13,
} as const;

/** Bytes fed to the hash per update call. */
const SLICE = 1 << 20;
const utf8 = new TextEncoder();

function tag(hash: Hash, value: number): void {
  hash.update(Uint8Array.of(value));
}

function count(hash: Hash, value: number | bigint): void {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  hash.update(bytes);
}

/** A length, then the bytes in slices. */
export function hashBytes(hash: Hash, bytes: Uint8Array): void {
  count(hash, bytes.length);
  for (let offset = 0; offset < bytes.length; offset += SLICE) hash.update(bytes.subarray(offset, offset + SLICE));
}

function hashString(hash: Hash, text: string): void {
  hashBytes(hash, utf8.encode(text));
}

function isPrincipal(value: object): value is { toUint8Array(): Uint8Array } {
  return (value as { _isPrincipal?: unknown })._isPrincipal === true;
}

/** Order of map keys and set items: numbers and bigints by value, strings by code unit. */
function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(`map keys of types ${typeof a} and ${typeof b} have no canonical order`);
}

function hashStable(hash: Hash, stable: StableMemory): void {
  tag(hash, TAG.stableMemory);
  count(hash, stable.sizePages);
  count(hash, stable.pages.size);
  for (const index of [...stable.pages.keys()].sort((a, b) => a - b)) {
    count(hash, index);
    hashBytes(hash, stable.pages.get(index)!);
  }
}

/** Object fields in key order, `undefined` ones left out; `skip` names fields hashed by the caller. */
export function hashFields(hash: Hash, value: object, path: string, skip: ReadonlySet<string> = new Set()): void {
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined && !skip.has(key)).sort();
  tag(hash, TAG.object);
  count(hash, keys.length);
  for (const key of keys) {
    hashString(hash, key);
    hashValue(hash, record[key], `${path}.${key}`);
  }
}

function hashObject(hash: Hash, value: object, path: string): void {
  if (value instanceof Uint8Array) {
    tag(hash, TAG.bytes);
    return hashBytes(hash, value);
  }
  if (value instanceof StableMemory) return hashStable(hash, value);
  if (isPrincipal(value)) {
    tag(hash, TAG.principal);
    return hashBytes(hash, value.toUint8Array());
  }
  if (Array.isArray(value)) {
    tag(hash, TAG.array);
    count(hash, value.length);
    value.forEach((item, i) => {
      hashValue(hash, item, `${path}[${i}]`);
    });
    return;
  }
  if (value instanceof Map) {
    tag(hash, TAG.map);
    count(hash, value.size);
    for (const key of [...value.keys()].sort(compareKeys)) {
      hashValue(hash, key, `${path}.<key>`);
      hashValue(hash, value.get(key), `${path}[${String(key)}]`);
    }
    return;
  }
  if (value instanceof Set) {
    tag(hash, TAG.set);
    count(hash, value.size);
    for (const item of [...value].sort(compareKeys)) hashValue(hash, item, `${path}.<item>`);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path}: a ${value.constructor?.name ?? 'object'} is not plain state data`);
  hashFields(hash, value, path);
}

/** Feeds one value of plain state data; anything else (a function, a class instance) throws, naming `path`. */
export function hashValue(hash: Hash, value: unknown, path: string): void {
  switch (typeof value) {
    case 'undefined':
      return tag(hash, TAG.undefined);
    case 'boolean':
      return tag(hash, value ? TAG.true : TAG.false);
    case 'number': {
      tag(hash, TAG.number);
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value);
      hash.update(bytes);
      return;
    }
    case 'bigint':
      tag(hash, TAG.bigint);
      return hashString(hash, value.toString(16));
    case 'string':
      tag(hash, TAG.string);
      return hashString(hash, value);
    case 'object':
      if (value === null) return tag(hash, TAG.null);
      return hashObject(hash, value, path);
    default:
      throw new TypeError(`${path}: a ${typeof value} is not plain state data`);
  }
}
