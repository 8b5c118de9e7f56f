// The data model of Capsule's CBOR codec (RFC 8949), shared by the encoder and the decoder.
//
// Decoded representation (chosen so that nothing is lost and nothing is ambiguous):
// * major 0/1 integers and bignums (tags 2/3) → `bigint`, always: IC request fields such as
//   `ingress_expiry` are u64, and a `number` would silently round above 2^53;
// * floats (major 7, 16/32/64 bit) → `number`, so a float never masquerades as an integer;
// * byte strings → `Uint8Array`, text → `string`, arrays → `CborValue[]`;
// * maps → `Map` with `string` or `bigint` keys: keeps key order, has no prototype to pollute
//   (`__proto__` is an ordinary key), and compares keys by value so duplicates are detectable;
// * false/true/null/undefined → themselves, other simple values → `CborSimple`;
// * tags other than 2, 3 and 55799 → `CborTagged`. Tag 55799 (self-describe) is transparent.

/** A value the codec can represent. */
export type CborValue =
  | bigint
  | number
  | Uint8Array
  | string
  | boolean
  | null
  | undefined
  | readonly CborValue[]
  | CborMap
  | CborTagged
  | CborSimple;

/** Map keys the decoder accepts: text (what the IC uses) and integers (RFC 8949 examples). */
export type CborMapKey = string | bigint;

export type CborMap = ReadonlyMap<CborMapKey, CborValue>;

/** A tagged data item whose tag has no built-in meaning here. */
export class CborTagged {
  readonly tag: bigint;
  readonly value: CborValue;
  constructor(tag: bigint, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/** A data item encoded already (e.g. a hash tree by its own writer): the encoder writes its bytes as they are. */
export class CborEncoded {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** A simple value (major 7) other than false, true, null and undefined. */
export class CborSimple {
  readonly value: number;
  constructor(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 255 || (value >= 20 && value <= 31)) {
      throw new RangeError(`invalid CBOR simple value ${value}`);
    }
    this.value = value;
  }
}

/** What went wrong, for callers that map errors (the HTTP layer answers 400 for all of them). */
export type CborErrorKind =
  | 'truncated' // input ends inside a data item
  | 'trailing' // bytes after the top-level item
  | 'malformed' // reserved additional info, misplaced break, bad indefinite chunk, bad simple value
  | 'invalid-utf8'
  | 'duplicate-key'
  | 'unsupported' // a well-formed item this codec refuses (key type, tag content)
  | 'too-deep'
  | 'too-large'
  | 'unencodable'; // encoder: a JS value with no CBOR form

/** Raised by `decodeCbor` and `encodeCbor`; `offset` is the byte position where decoding failed. */
export class CborError extends Error {
  readonly kind: CborErrorKind;
  readonly offset: number | undefined;
  constructor(kind: CborErrorKind, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'CborError';
    this.kind = kind;
    this.offset = offset;
  }
}

/** The self-describe tag (RFC 8949 §3.4.6); the IC puts it on envelopes and certificates. */
export const SELF_DESCRIBE_TAG = 55799n;

/** Type guard for decoded maps. */
export function isCborMap(value: CborValue): value is CborMap {
  return value instanceof Map;
}
