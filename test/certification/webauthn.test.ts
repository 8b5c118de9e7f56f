// WebAuthn request signatures (interface spec, "Signatures"): a software authenticator with a
// P-256, RSA or Ed25519 key signs like a browser; the signature verifies whatever the origin, also as the
// first key of a delegation chain, and a tampered signature, challenge or key is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromHex, sha256, utf8 } from '../../src/certification/_bytes.ts';
import { encodeCbor, type CborValue } from '../../src/certification/cbor.ts';
import { encodeSubjectPublicKeyInfo, OID } from '../../src/certification/der.ts';
import { IC_REQUEST, IC_REQUEST_AUTH_DELEGATION } from '../../src/certification/domain_separators.ts';
import { selfAuthenticatingId } from '../../src/certification/principal_ids.ts';
import { verifyPublicKeySignature } from '../../src/certification/public_key_signatures.ts';
import { hashOfMap } from '../../src/certification/request_id.ts';
import { verifyRequestAuth } from '../../src/certification/signatures.ts';
import { encodeAnswer, SoftwareAuthenticator } from './_webauthn_authenticator.ts';

const message = concatBytes(IC_REQUEST, sha256(utf8('a request')));
const p256 = new SoftwareAuthenticator('p256');
const rsa = new SoftwareAuthenticator('rsa');
const ed = new SoftwareAuthenticator('ed25519');

for (const [name, authenticator] of [['ECDSA P-256', p256], ['RSA PKCS#1 v1.5', rsa], ['Ed25519', ed]] as const) {
  test(`${name}: a WebAuthn signature over the domain-separated request id verifies`, () => {
    assert.equal(verifyPublicKeySignature(authenticator.der, authenticator.sign(message), message), true);
  });

  test(`${name}: a WebAuthn signature with a flipped signature bit is refused`, () => {
    const answer = authenticator.answer(message);
    const signature = answer.signature.slice();
    signature[signature.length - 5]! ^= 1;
    assert.match(verifyPublicKeySignature(authenticator.der, encodeAnswer({ ...answer, signature }), message) as string, /WebAuthn signature failed/);
  });
}

test('a WebAuthn signature whose challenge is another message is refused with the challenge named', () => {
  const other = concatBytes(IC_REQUEST, sha256(utf8('another request')));
  const verdict = verifyPublicKeySignature(p256.der, p256.sign(other), message);
  assert.equal(verdict, `Challenge in webauthn is 0x${Buffer.from(other).toString('hex')} while it is expected to be 0x${Buffer.from(message).toString('hex')}`);
});

test('a WebAuthn signature verifies whatever the origin and relying party', () => {
  const elsewhere = new SoftwareAuthenticator('p256', 'http://localhost:8080');
  assert.equal(verifyPublicKeySignature(elsewhere.der, elsewhere.sign(message), message), true);
});

test('changed authenticator data or client data breaks the signature', () => {
  const answer = p256.answer(message);
  const data = answer.authenticatorData.slice();
  data[32] = 0x01;
  assert.match(verifyPublicKeySignature(p256.der, encodeAnswer({ ...answer, authenticatorData: data }), message) as string, /failed/);
  const json = answer.clientDataJson.replace('webauthn.get', 'webauthn.create');
  assert.match(verifyPublicKeySignature(p256.der, encodeAnswer({ ...answer, clientDataJson: json }), message) as string, /failed/);
});

test('malformed WebAuthn keys and signatures give clear messages', () => {
  const cose = (entries: [bigint, CborValue][]) => encodeSubjectPublicKeyInfo(OID.webAuthnCose, undefined, encodeCbor(new Map(entries)));
  const signature = p256.sign(message);
  assert.match(verifyPublicKeySignature(cose([[1n, 2n], [3n, -35n]]), signature, message) as string, /Only ECDSA on curve P-256, RSA PKCS #1 v1.5 and Ed25519 are supported/);
  assert.match(verifyPublicKeySignature(cose([[1n, 3n], [3n, -257n], [-1n, new Uint8Array(128).fill(0xff)], [-2n, Uint8Array.of(1, 0, 1)]]), signature, message) as string, /RSA key of 1024 bits is outside 2048 to 8192 bits/);
  assert.match(verifyPublicKeySignature(cose([[1n, 2n], [3n, -7n], [-1n, 2n]]), signature, message) as string, /unsupported COSE curve 2/);
  assert.match(verifyPublicKeySignature(cose([[1n, 2n], [3n, -7n], [-1n, 1n], [-2n, new Uint8Array(32)], [-3n, new Uint8Array(32)]]), signature, message) as string, /invalid ECDSA P-256 COSE key/);
  assert.match(verifyPublicKeySignature(encodeSubjectPublicKeyInfo(OID.webAuthnCose, undefined, fromHex('ff')), signature, message) as string, /malformed COSE key/);
  assert.match(verifyPublicKeySignature(p256.der, encodeCbor({ authenticator_data: new Uint8Array(37) }), message) as string, /needs authenticator_data, client_data_json and signature/);
  const noOrigin = p256.answer(message, { type: 'webauthn.get', challenge: Buffer.from(message).toString('base64url') });
  assert.match(verifyPublicKeySignature(p256.der, encodeAnswer(noOrigin), message) as string, /client_data_json needs string fields type, challenge and origin/);
  const padded = p256.answer(message, { type: 'webauthn.get', challenge: `${Buffer.from(message).toString('base64url')}=`, origin: 'x' });
  assert.match(verifyPublicKeySignature(p256.der, encodeAnswer(padded), message) as string, /not unpadded base64url/);
});

test('a WebAuthn key starts a delegation chain to a session key (Internet Identity style)', () => {
  const NOW = 1_700_000_000_000_000_000n;
  const sessionSecret = new Uint8Array(32).fill(9);
  const sessionDer = concatBytes(fromHex('302a300506032b6570032100'), ed25519.getPublicKey(sessionSecret));
  const delegation = new Map<string, CborValue>([['pubkey', sessionDer], ['expiration', NOW + 10n ** 12n]]);
  const requestId = sha256(utf8('delegated request'));
  const input = {
    requestType: 'call' as const,
    sender: selfAuthenticatingId(p256.der),
    requestId,
    senderPubkey: p256.der,
    senderSig: ed25519.sign(concatBytes(IC_REQUEST, requestId), sessionSecret),
    now: NOW,
  };
  const chain = (signature: Uint8Array) => [new Map<string, CborValue>([['delegation', delegation], ['signature', signature]])];
  const signedDelegation = p256.sign(concatBytes(IC_REQUEST_AUTH_DELEGATION, hashOfMap(delegation)));
  assert.deepEqual(verifyRequestAuth({ ...input, senderDelegation: chain(signedDelegation) }), { ok: true, sender: input.sender, targets: null });
  const wrongChallenge = p256.sign(concatBytes(IC_REQUEST, hashOfMap(delegation)));
  const refused = verifyRequestAuth({ ...input, senderDelegation: chain(wrongChallenge) });
  assert.equal(refused.ok, false);
  assert.match((refused as { message: string }).message, /^delegation 0: Challenge in webauthn is/);
});
