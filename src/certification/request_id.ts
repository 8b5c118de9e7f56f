// Representation-independent hashing (interface spec, "Request ids"): the request id is the
// hash of the decoded `content` map, so it does not depend on CBOR details such as key order
// or integer width. Also used for delegations and for query-response signatures.
//
// hash_of_map(m) = SHA-256( concat( sort( SHA-256(key) ‖ H(value) ) ) )
// H: blob → SHA-256(blob); text → SHA-256(UTF-8); nat → SHA-256(unsigned LEB128); negative int →
//    SHA-256(signed LEB128); array → SHA-256(concat of H(element)); map → hash_of_map(map) itself,
//    not hashed again (what the replica and agent-js do: nested maps are `reply` in signed query
//    responses and `sender_info` in requests).
// A decoded CBOR integer is a bigint (see cbor_value.ts); non-negative ones are nats, which is
// what the IC's request fields are. `undefined` values count as absent fields.
import { compareBytes, concatBytes, sha256, utf8 } from './_bytes.ts';
import { CborTagged, CborSimple, type CborValue } from './cbor_value.ts';
import { sleb128, uleb128 } from './leb128.ts';

/** A value that has a representation-independent hash. */
export type HashableValue =
  | bigint
  | number
  | string
  | Uint8Array
  | readonly HashableValue[]
  | HashableMap;

/** A map: a decoded CBOR map or a plain object (convenient for responses built in code). */
export type HashableMap =
  | ReadonlyMap<string | bigint, CborValue>
  | { readonly [key: string]: HashableValue | undefined };

/** The representation-independent hash of a map. @throws TypeError for unhashable values. */
export function hashOfMap(map: HashableMap): Uint8Array {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map);
  const pairs: Uint8Array[] = [];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (typeof key !== 'string') throw new TypeError(`map key ${String(key)} is not text`);
    pairs.push(concatBytes(hashOfText(key), hashValue(value as CborValue, key)));
  }
  pairs.sort(compareBytes);
  return sha256(...pairs);
}

/** The hash of one value (`H` above). */
export function hashOfValue(value: HashableValue): Uint8Array {
  return hashValue(value as CborValue, 'value');
}

/** Hashes of the short texts seen first — field names, request types, method names, statuses: a few dozen
 *  repeat on every request — kept for every later map (a key and a text value hash alike, as UTF-8). */
const TEXT_HASHES_KEPT = 512;
const TEXT_HASHED_MAX_LENGTH = 64;
const textHashes = new Map<string, Uint8Array>();

function hashValue(value: CborValue, where: string): Uint8Array {
  if (value instanceof Map) return hashOfMap(value);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return hashOfMap(value as HashableMap);
  }
  if (typeof value === 'string' && value.length <= TEXT_HASHED_MAX_LENGTH) return hashOfText(value);
  return sha256(encodeValue(value, where));
}

function hashOfText(text: string): Uint8Array {
  let hashed = textHashes.get(text);
  if (hashed) return hashed;
  hashed = sha256(utf8(text));
  if (textHashes.size < TEXT_HASHES_KEPT) textHashes.set(text, hashed);
  return hashed;
}

function encodeValue(value: CborValue, where: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  switch (typeof value) {
    case 'string':
      return utf8(value);
    case 'bigint':
      return value >= 0n ? uleb128(value) : sleb128(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`${where}: ${value} is not an integer`);
      return value >= 0 ? uleb128(value) : sleb128(value);
  }
  if (Array.isArray(value)) return concatBytes(...value.map((v: CborValue) => hashValue(v, where)));
  throw new TypeError(`${where}: a ${describe(value)} has no representation-independent hash`);
}

function describe(value: CborValue): string {
  if (value === null) return 'null';
  if (value instanceof CborTagged) return `tagged value (tag ${value.tag})`;
  if (value instanceof CborSimple) return `simple value ${value.value}`;
  return typeof value;
}

/** The request id of a request's decoded `content` map. */
export function requestIdOf(content: HashableMap): Uint8Array {
  return hashOfMap(content);
}
