// Verifying one signature with a DER public key of any kind a request may carry (interface
// spec, "Signatures"): Ed25519, ECDSA on P-256 or secp256k1 (SHA-256 prehash, 64-byte r‖s, high
// S accepted — WebCrypto does not normalize S), and canister signatures. WebAuthn keys are
// recognised and refused with a clear message (not implemented yet).
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { verifyCanisterSignature } from './canister_signature.ts';
import { OID, parseSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from './der.ts';

export interface SignatureContext {
  /** DER BLS root key; needed only for canister signatures. */
  readonly rootKeyDer?: Uint8Array;
}

/**
 * Check `signature` on `message` with a DER SubjectPublicKeyInfo key.
 * @returns true, or a message naming the problem. Never throws.
 */
export function verifyPublicKeySignature(
  derPublicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
  context: SignatureContext = {},
): true | string {
  let spki: SubjectPublicKeyInfo;
  try {
    spki = parseSubjectPublicKeyInfo(derPublicKey);
  } catch (e) {
    return `malformed public key: ${(e as Error).message}`;
  }
  const { algorithm, parameters, publicKey } = spki;
  switch (algorithm) {
    case OID.ed25519:
      if (parameters !== undefined) return 'Ed25519 key must not have algorithm parameters';
      if (publicKey.length !== 32) return `Ed25519 key must be 32 bytes, got ${publicKey.length}`;
      return signatureVerdict(signature.length === 64 && safely(() => ed25519.verify(signature, message, publicKey)), 'Ed25519');
    case OID.ecPublicKey:
      return verifyEcdsa(parameters, publicKey, signature, message);
    case OID.canisterSignature:
      if (parameters !== undefined) return 'canister signature key must not have algorithm parameters';
      return verifyCanisterSignature(publicKey, signature, message, context.rootKeyDer);
    case OID.webAuthnCose:
      return 'WebAuthn (COSE) public keys are not supported';
  }
  return `unsupported public key algorithm ${algorithm}`;
}

function verifyEcdsa(curve: string | undefined, key: Uint8Array, signature: Uint8Array, message: Uint8Array): true | string {
  const impl = curve === OID.p256 ? p256 : curve === OID.secp256k1 ? secp256k1 : undefined;
  if (impl === undefined) return `unsupported ECDSA curve ${curve ?? '(none)'}`;
  if (signature.length !== 64) return `ECDSA signature must be 64 bytes (r‖s), got ${signature.length}`;
  const name = curve === OID.p256 ? 'ECDSA P-256' : 'ECDSA secp256k1';
  return signatureVerdict(safely(() => impl.verify(signature, message, key, { lowS: false, prehash: true })), name);
}

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function signatureVerdict(ok: boolean, scheme: string): true | string {
  return ok ? true : `${scheme} signature does not verify`;
}
