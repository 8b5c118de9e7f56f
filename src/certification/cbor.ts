// Capsule's CBOR codec: the public entry point (types in cbor_value.ts, engines beside it).
export {
  CborError,
  CborEncoded,
  CborSimple,
  CborTagged,
  SELF_DESCRIBE_TAG,
  isCborMap,
  type CborErrorKind,
  type CborMap,
  type CborMapKey,
  type CborValue,
} from './cbor_value.ts';
export { decodeCbor, type DecodeCborOptions } from './cbor_decode.ts';
export { encodeCbor, type CborEncodable, type EncodeCborOptions } from './cbor_encode.ts';
