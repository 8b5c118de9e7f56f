// BLS12-381 (minimal-signature-size): an external vector, the DST, DER form, rejections, timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { fromHex, toHex, utf8 } from '../../src/certification/_bytes.ts';
import {
  BLS_DER_PREFIX,
  BLS_DST,
  blsKeyFromSecret,
  blsKeyFromSeed,
  blsPublicKeyFromDer,
  blsPublicKeyToDer,
  blsSign,
  blsSignInJs,
  blsSignStateRoot,
  blsVerify,
  blsVerifyInJs,
  blsVerifyStateRoot,
} from '../../src/certification/bls.ts';
import { loadWasmBls, wasmBlsSign, wasmBlsVerify } from '../../src/certification/bls_wasm.ts';
import { OID, encodeSubjectPublicKeyInfo, parseSubjectPublicKeyInfo } from '../../src/certification/der.ts';

// Test vector from dfinity/agent-js packages/agent/src/utils/bls.test.ts (produced by the IC's
// BLS implementation): a public key, its signature over "hello".
const VECTOR_PK = fromHex(
  'a7623a93cdb56c4d23d99c14216afaab3dfd6d4f9eb3db23d038280b6d5cb2caaee2a19dd92c9df7001dede23bf036bc0f33982dfb41e8fa9b8e96b5dc3e83d55ca4dd146c7eb2e8b6859cb5a5db815db86810b8d12cee1588b5dbf34a4dc9a5',
);
const VECTOR_SIG = fromHex('b89e13a212c830586eaa9ad53946cd968718ebecc27eda849d9232673dcd4f440e8b5df39bf14a88048c15e16cbcaabe');

const seed = new Uint8Array(32).fill(7);

test('an IC-produced signature verifies; another message does not', () => {
  assert.equal(blsVerify(VECTOR_SIG, utf8('hello'), VECTOR_PK), true);
  assert.equal(blsVerify(VECTOR_SIG, utf8('hallo'), VECTOR_PK), false);
});

test("noble's default G1 hash-to-curve DST is the IC ciphersuite's", () => {
  const s = bls12_381.shortSignatures;
  assert.equal(BLS_DST, 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_');
  assert.ok(s.hash(utf8('m')).equals(s.hash(utf8('m'), BLS_DST)));
});

test('KeyGen matches EIP-2333 test case 0 (same HKDF_mod_r as the BLS draft KeyGen)', () => {
  const ikm = fromHex('c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04');
  const sk = BigInt('0x' + toHex(blsKeyFromSeed(ikm).secretKey));
  assert.equal(sk, 6083874454709270928345386274498605044986640685124978867557563392430687146096n);
});

test('keys are deterministic in the seed; sign/verify round trip; sizes', () => {
  const k = blsKeyFromSeed(seed);
  assert.deepStrictEqual(blsKeyFromSeed(seed), k);
  assert.notDeepStrictEqual(blsKeyFromSeed(new Uint8Array(32).fill(8)).publicKey, k.publicKey);
  assert.equal(k.secretKey.length, 32);
  assert.equal(k.publicKey.length, 96);
  assert.equal(k.publicKeyDer.length, 133);
  const sig = blsSign(k.secretKey, utf8('message'));
  assert.equal(sig.length, 48);
  assert.deepStrictEqual(blsSign(k.secretKey, utf8('message')), sig); // BLS signing is deterministic
  assert.ok(blsVerify(sig, utf8('message'), k.publicKey));
  assert.ok(!blsVerify(sig, utf8('messagE'), k.publicKey));
  assert.ok(!blsVerify(sig, utf8('message'), blsKeyFromSeed(new Uint8Array(32).fill(9)).publicKey));
  assert.deepStrictEqual(blsKeyFromSecret(k.secretKey), k);
  assert.throws(() => blsKeyFromSeed(new Uint8Array(31)), /at least 32 bytes/);
  assert.throws(() => blsKeyFromSecret(new Uint8Array(32)), /zero/);
  assert.throws(() => blsKeyFromSecret(new Uint8Array(32).fill(0xff)), /below the group order/);
});

test("signatures are the ciphersuite's constant-time signatures, bit for bit", () => {
  for (const fill of [1, 7, 42]) {
    const k = blsKeyFromSeed(new Uint8Array(32).fill(fill));
    for (const message of [utf8(''), utf8('message'), new Uint8Array(45).fill(fill)]) {
      const reference = bls12_381.shortSignatures.sign(bls12_381.shortSignatures.hash(message, BLS_DST), k.secretKey);
      assert.equal(toHex(blsSign(k.secretKey, message)), toHex(bls12_381.shortSignatures.Signature.toBytes(reference)));
    }
  }
});

test("the wasm signer's signatures are the ciphersuite's, bit for bit, and blsSign uses it once loaded", async () => {
  assert.equal(await loadWasmBls(), true);
  const long = Uint8Array.from({ length: 300 }, (_, i) => i);
  for (const fill of [1, 7, 42, 0xfe]) {
    const k = blsKeyFromSeed(new Uint8Array(32).fill(fill));
    for (const message of [utf8(''), utf8('message'), new Uint8Array(45).fill(fill), long]) {
      const reference = bls12_381.shortSignatures.sign(bls12_381.shortSignatures.hash(message, BLS_DST), k.secretKey);
      const expected = toHex(bls12_381.shortSignatures.Signature.toBytes(reference));
      assert.equal(toHex(wasmBlsSign(k.secretKey, message, BLS_DST)!), expected);
      assert.equal(toHex(blsSignInJs(k.secretKey, message)), expected);
      assert.equal(toHex(blsSign(k.secretKey, message)), expected);
    }
  }
  // The tag is the caller's: another one gives another hash, hence another signature.
  const k = blsKeyFromSeed(seed);
  assert.notEqual(toHex(wasmBlsSign(k.secretKey, utf8('m'), 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_')!), toHex(blsSign(k.secretKey, utf8('m'))));
});

test('the wasm verifier accepts and refuses what the JS verifier does', async () => {
  assert.equal(await loadWasmBls(), true);
  const k = blsKeyFromSeed(seed);
  const other = blsKeyFromSeed(new Uint8Array(32).fill(9));
  const sig = blsSign(k.secretKey, utf8('m'));
  const flipped = Uint8Array.from(sig);
  flipped[47]! ^= 1;
  const g1Infinity = new Uint8Array(48);
  g1Infinity[0] = 0xc0;
  const g2Infinity = new Uint8Array(96);
  g2Infinity[0] = 0xc0;
  const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [
    ['valid', sig, utf8('m'), k.publicKey],
    ['IC vector', VECTOR_SIG, utf8('hello'), VECTOR_PK],
    ['another message', sig, utf8('n'), k.publicKey],
    ['another key', sig, utf8('m'), other.publicKey],
    ['a flipped bit', flipped, utf8('m'), k.publicKey],
    ['identities', g1Infinity, utf8('m'), g2Infinity],
    ['identity signature', g1Infinity, utf8('m'), k.publicKey],
    ['identity key', sig, utf8('m'), g2Infinity],
    ['all ones', new Uint8Array(48).fill(0xff), utf8('m'), k.publicKey],
    ['uncompressed flag', Uint8Array.from(sig, (b, i) => (i === 0 ? b & 0x7f : b)), utf8('m'), k.publicKey],
    ['on the curve, outside the subgroup', pointOutsideG1(), utf8('m'), k.publicKey],
  ];
  for (const [name, signature, message, key] of cases) {
    const expected = blsVerifyInJs(signature, message, key);
    assert.equal(wasmBlsVerify(signature, message, key, BLS_DST), expected, name);
    assert.equal(blsVerify(signature, message, key), expected, name);
  }
  assert.equal(blsVerifyInJs(sig, utf8('m'), k.publicKey), true);
  assert.equal(blsVerifyInJs(pointOutsideG1(), utf8('m'), k.publicKey), false);
});

/** A compressed point of the curve y² = x³ + 4 over Fp that is not in G1 (the curve's order is a multiple of G1's). */
function pointOutsideG1(): Uint8Array {
  const Fp = bls12_381.fields.Fp;
  for (let x = 1n; ; x++) {
    let y: bigint;
    try {
      y = Fp.sqrt(Fp.add(Fp.mul(Fp.mul(x, x), x), 4n));
    } catch {
      continue;
    }
    try {
      bls12_381.G1.Point.fromAffine({ x, y }).assertValidity();
    } catch {
      const bytes = Fp.toBytes(x);
      bytes[0]! |= 0x80;
      if (y * 2n > Fp.ORDER) bytes[0]! |= 0x20;
      return bytes;
    }
  }
}

test('state-root signatures carry the ic-state-root domain separator', () => {
  const k = blsKeyFromSeed(seed);
  const root = new Uint8Array(32).fill(1);
  const sig = blsSignStateRoot(k.secretKey, root);
  assert.ok(blsVerifyStateRoot(sig, root, k.publicKey));
  assert.ok(blsVerify(sig, Uint8Array.of(0x0d, ...utf8('ic-state-root'), ...root), k.publicKey));
  assert.ok(!blsVerify(sig, root, k.publicKey));
});

test('malformed input and the identity point never verify', () => {
  const k = blsKeyFromSeed(seed);
  const sig = blsSign(k.secretKey, utf8('m'));
  const flipped = Uint8Array.from(sig);
  flipped[47]! ^= 1;
  assert.equal(blsVerify(flipped, utf8('m'), k.publicKey), false);
  assert.equal(blsVerify(sig.subarray(1), utf8('m'), k.publicKey), false);
  assert.equal(blsVerify(sig, utf8('m'), k.publicKey.subarray(1)), false);
  const g1Infinity = new Uint8Array(48);
  g1Infinity[0] = 0xc0;
  const g2Infinity = new Uint8Array(96);
  g2Infinity[0] = 0xc0;
  assert.equal(blsVerify(g1Infinity, utf8('anything'), g2Infinity), false);
  assert.equal(blsVerify(new Uint8Array(48).fill(0xff), utf8('m'), k.publicKey), false);
});

test('DER: 37-byte IC prefix, 133 bytes, consistent with a generic SubjectPublicKeyInfo', () => {
  const k = blsKeyFromSeed(seed);
  assert.equal(BLS_DER_PREFIX.length, 37);
  assert.deepStrictEqual(blsPublicKeyToDer(k.publicKey), k.publicKeyDer);
  assert.deepStrictEqual(blsPublicKeyFromDer(k.publicKeyDer), k.publicKey);
  assert.deepStrictEqual(encodeSubjectPublicKeyInfo(OID.blsAlgorithm, OID.blsCurve, k.publicKey), k.publicKeyDer);
  const spki = parseSubjectPublicKeyInfo(k.publicKeyDer);
  assert.equal(spki.algorithm, OID.blsAlgorithm);
  assert.equal(spki.parameters, OID.blsCurve);
  assert.throws(() => blsPublicKeyFromDer(k.publicKeyDer.subarray(1)), /not a DER BLS12-381 public key/);
  const wrongPrefix = Uint8Array.from(k.publicKeyDer);
  wrongPrefix[5]! ^= 1;
  assert.throws(() => blsPublicKeyFromDer(wrongPrefix), /not a DER/);
  assert.throws(() => blsPublicKeyToDer(new Uint8Array(48)), /96 bytes/);
});

test('timing of sign and verify (printed for the report)', async (t) => {
  await loadWasmBls();
  const k = blsKeyFromSeed(seed);
  const msg = new Uint8Array(45).fill(3);
  blsVerify(blsSign(k.secretKey, msg), msg, k.publicKey); // warm up
  blsSignInJs(k.secretKey, msg);
  const n = 20;
  let t0 = performance.now();
  let sig: Uint8Array = new Uint8Array();
  for (let i = 0; i < n; i++) sig = blsSign(k.secretKey, Uint8Array.of(i, ...msg));
  const signMs = (performance.now() - t0) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) blsSignInJs(k.secretKey, Uint8Array.of(i, ...msg));
  const jsSignMs = (performance.now() - t0) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) blsVerify(sig, Uint8Array.of(n - 1, ...msg), k.publicKey);
  const verifyMs = (performance.now() - t0) / n;
  t.diagnostic(`BLS sign ${signMs.toFixed(2)} ms (wasm; ${jsSignMs.toFixed(2)} ms in JS), verify ${verifyMs.toFixed(2)} ms (mean of ${n})`);
  assert.ok(toHex(sig).length === 96);
});
