// WebAuthn signatures (interface spec, "Signatures", Web Authentication): the public key is a COSE
// key in a DER wrapper (OID 1.3.6.1.4.1.56387.1.1), the signature a CBOR map of the authenticator's
// answer. Valid if the authenticator signed `authenticator_data ‖ SHA-256(client_data_json)` and the
// client data's `challenge` is the base64url of the signed message (domain separator included).
// The origin, type and authenticator flags are not checked: the IC accepts any relying party.
// Algorithms, as the replica: ECDSA P-256 with SHA-256 (DER signature), RSA PKCS#1 v1.5 with SHA-256
// (2048 to 8192-bit keys) and Ed25519.
import { createPublicKey, verify, type KeyObject, constants } from 'node:crypto';
import { bytesEqual, concatBytes, sha256, toHex } from './_bytes.ts';
import { decodeCbor } from './cbor_decode.ts';
import { isCborMap, type CborMap, type CborValue } from './cbor_value.ts';

/** COSE key parameters (RFC 9052/9053): kty, alg, and the curve/key parameters. */
const COSE = { kty: 1n, alg: 3n, crv: -1n, x: -2n, y: -3n, n: -1n, e: -2n } as const;
const KTY_OKP = 1n;
const KTY_EC2 = 2n;
const KTY_RSA = 3n;
const ALG_EDDSA = -8n;
const ALG_ES256 = -7n;
const ALG_RS256 = -257n;
const CRV_P256 = 1n;
const CRV_ED25519 = 6n;
const RSA_BITS = { min: 2048, max: 8192 } as const;

interface WebAuthnKey {
  readonly key: KeyObject;
  readonly algorithm: 'ECDSA P-256' | 'RSA PKCS#1 v1.5' | 'Ed25519';
}

interface WebAuthnSignature {
  readonly authenticatorData: Uint8Array;
  readonly clientDataJson: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Check a WebAuthn `signature` on `message` with the COSE key `coseKey` (the DER wrapper's bit string).
 * @returns true, or a message naming the problem. Never throws.
 */
export function verifyWebAuthnSignature(coseKey: Uint8Array, signature: Uint8Array, message: Uint8Array): true | string {
  const key = parseCoseKey(coseKey);
  if (typeof key === 'string') return key;
  const parsed = parseSignature(signature);
  if (typeof parsed === 'string') return parsed;
  const signed = concatBytes(parsed.authenticatorData, sha256(parsed.clientDataJson));
  if (!verifies(key, signed, parsed.signature)) return `Verifying ${key.algorithm} WebAuthn signature failed`;
  const challenge = challengeOf(parsed.clientDataJson);
  if (typeof challenge === 'string') return challenge;
  if (!bytesEqual(challenge, message)) {
    return `Challenge in webauthn is 0x${toHex(challenge)} while it is expected to be 0x${toHex(message)}`;
  }
  return true;
}

function verifies(key: WebAuthnKey, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.algorithm === 'ECDSA P-256') return verify('sha256', signed, { key: key.key, dsaEncoding: 'der' }, signature);
    if (key.algorithm === 'Ed25519') return signature.length === 64 && verify(null, signed, key.key, signature);
    return verify('sha256', signed, { key: key.key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

function parseCoseKey(bytes: Uint8Array): WebAuthnKey | string {
  let map: CborValue;
  try {
    map = decodeCbor(bytes);
  } catch (e) {
    return `malformed COSE key: ${(e as Error).message}`;
  }
  if (!isCborMap(map)) return 'COSE key is not a CBOR map';
  const kty = map.get(COSE.kty);
  const alg = map.get(COSE.alg);
  if (kty === KTY_EC2 && alg === ALG_ES256) return ecKey(map);
  if (kty === KTY_RSA && alg === ALG_RS256) return rsaKey(map);
  if (kty === KTY_OKP && alg === ALG_EDDSA) return okpKey(map);
  return `Only ECDSA on curve P-256, RSA PKCS #1 v1.5 and Ed25519 are supported for WebAuthn, given COSE key type ${String(kty)} and algorithm ${String(alg)}`;
}

function ecKey(map: CborMap): WebAuthnKey | string {
  const x = map.get(COSE.x);
  const y = map.get(COSE.y);
  if (map.get(COSE.crv) !== CRV_P256) return `unsupported COSE curve ${String(map.get(COSE.crv))}`;
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) {
    return 'COSE EC2 key needs 32-byte x and y coordinates';
  }
  return jwkKey({ kty: 'EC', crv: 'P-256', x: base64url(x), y: base64url(y) }, 'ECDSA P-256');
}

function rsaKey(map: CborMap): WebAuthnKey | string {
  const n = map.get(COSE.n);
  const e = map.get(COSE.e);
  if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array)) return 'COSE RSA key needs byte-string n and e';
  const bits = modulusBits(n);
  if (bits < RSA_BITS.min || bits > RSA_BITS.max) return `RSA key of ${bits} bits is outside ${RSA_BITS.min} to ${RSA_BITS.max} bits`;
  return jwkKey({ kty: 'RSA', n: base64url(n), e: base64url(e) }, 'RSA PKCS#1 v1.5');
}

function modulusBits(n: Uint8Array): number {
  const first = n.findIndex((byte) => byte !== 0);
  return first < 0 ? 0 : (n.length - first - 1) * 8 + (32 - Math.clz32(n[first]!));
}

function okpKey(map: CborMap): WebAuthnKey | string {
  const x = map.get(COSE.x);
  if (map.get(COSE.crv) !== CRV_ED25519) return `unsupported COSE curve ${String(map.get(COSE.crv))}`;
  if (!(x instanceof Uint8Array) || x.length !== 32) return 'COSE OKP key needs a 32-byte x';
  return jwkKey({ kty: 'OKP', crv: 'Ed25519', x: base64url(x) }, 'Ed25519');
}

function jwkKey(jwk: Record<string, string>, algorithm: WebAuthnKey['algorithm']): WebAuthnKey | string {
  try {
    return { key: createPublicKey({ key: jwk, format: 'jwk' }), algorithm };
  } catch (e) {
    return `invalid ${algorithm} COSE key: ${(e as Error).message}`;
  }
}

function parseSignature(bytes: Uint8Array): WebAuthnSignature | string {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
  } catch (e) {
    return `malformed WebAuthn signature: ${(e as Error).message}`;
  }
  if (!isCborMap(value)) return 'WebAuthn signature is not a CBOR map';
  const authenticatorData = value.get('authenticator_data');
  const clientData = value.get('client_data_json');
  const signature = value.get('signature');
  // Clients send client_data_json as text (Internet Identity) or bytes; both carry the same JSON.
  const clientDataJson = typeof clientData === 'string' ? new TextEncoder().encode(clientData) : clientData;
  if (!(authenticatorData instanceof Uint8Array) || !(clientDataJson instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return 'WebAuthn signature needs authenticator_data, client_data_json and signature';
  }
  return { authenticatorData, clientDataJson, signature };
}

/** The client data's challenge, base64url-decoded; the replica also requires `type` and `origin` strings. */
function challengeOf(clientDataJson: Uint8Array): Uint8Array | string {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(clientDataJson));
  } catch (e) {
    return `WebAuthn envelope creation failed: client_data_json is not JSON: ${(e as Error).message}`;
  }
  const fields = data as Record<string, unknown> | null;
  if (typeof fields !== 'object' || fields === null || typeof fields.challenge !== 'string' || typeof fields.type !== 'string' || typeof fields.origin !== 'string') {
    return 'WebAuthn envelope creation failed: client_data_json needs string fields type, challenge and origin';
  }
  if (!/^[A-Za-z0-9_-]*$/.test(fields.challenge)) return 'WebAuthn envelope creation failed: the challenge is not unpadded base64url';
  return new Uint8Array(Buffer.from(fields.challenge, 'base64url'));
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
