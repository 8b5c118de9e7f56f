// Request authentication: each key type signs and verifies, tampering is rejected, delegation
// chains obey the spec's rules, and canister signatures verify against a root key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concatBytes, fromHex, sha256, utf8 } from '../../src/certification/_bytes.ts';
import { OID, encodeSubjectPublicKeyInfo, parseSubjectPublicKeyInfo, DerError } from '../../src/certification/der.ts';
import { IC_REQUEST, IC_REQUEST_AUTH_DELEGATION } from '../../src/certification/domain_separators.ts';
import { ANONYMOUS_ID, canisterIdFromIndex, selfAuthenticatingId } from '../../src/certification/principal_ids.ts';
import { hashOfMap } from '../../src/certification/request_id.ts';
import { verifyPublicKeySignature } from '../../src/certification/public_key_signatures.ts';
import { targetsAllow, verifyRequestAuth, type RequestAuthInput } from '../../src/certification/signatures.ts';
import { blsKeyFromSeed } from '../../src/certification/bls.ts';
import { blsCertificateSigner } from '../../src/certification/signer.ts';
import { buildCertificate } from '../../src/certification/certificate.ts';
import { buildHashTree, labeledLeaf, labeledNode } from '../../src/certification/labeled_tree.ts';
import { hashTreeToCbor, reconstruct } from '../../src/certification/hash_tree.ts';
import { encodeCbor, type CborValue } from '../../src/certification/cbor.ts';

interface TestKey {
  readonly name: string;
  readonly der: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

function ed25519Key(fill: number): TestKey {
  const sk = new Uint8Array(32).fill(fill);
  return {
    name: 'Ed25519',
    der: concatBytes(fromHex('302a300506032b6570032100'), ed25519.getPublicKey(sk)),
    sign: (m) => ed25519.sign(m, sk),
  };
}

function ecdsaKey(curve: typeof p256 | typeof secp256k1, curveOid: string, fill: number): TestKey {
  const sk = new Uint8Array(32).fill(fill);
  return {
    name: curveOid === OID.p256 ? 'P-256' : 'secp256k1',
    der: encodeSubjectPublicKeyInfo(OID.ecPublicKey, curveOid, curve.getPublicKey(sk, false)),
    sign: (m) => curve.sign(m, sk), // SHA-256 prehash, 64-byte r‖s
  };
}

const keys = [ed25519Key(1), ecdsaKey(p256, OID.p256, 2), ecdsaKey(secp256k1, OID.secp256k1, 3)];
const requestId = sha256(utf8('some request'));
const NOW = 1_700_000_000_000_000_000n;
const FUTURE = NOW + 60n * 10n ** 9n;

function signedRequest(key: TestKey, extra: Partial<RequestAuthInput> = {}): RequestAuthInput {
  return {
    requestType: 'call',
    sender: selfAuthenticatingId(key.der),
    requestId,
    senderPubkey: key.der,
    senderSig: key.sign(concatBytes(IC_REQUEST, requestId)),
    now: NOW,
    ...extra,
  };
}

function delegate(from: TestKey, to: TestKey, fields: Record<string, CborValue> = {}): CborValue {
  const delegation = new Map<string, CborValue>([['pubkey', to.der], ['expiration', FUTURE], ...Object.entries(fields)]);
  return new Map<string, CborValue>([
    ['delegation', delegation],
    ['signature', from.sign(concatBytes(IC_REQUEST_AUTH_DELEGATION, hashOfMap(delegation)))],
  ]);
}

test('each key type signs a request that verifies; tampering is rejected', () => {
  for (const key of keys) {
    const ok = verifyRequestAuth(signedRequest(key));
    assert.ok(ok.ok && ok.targets === null, `${key.name}: ${ok.ok ? '' : ok.message}`);
    const sig = Uint8Array.from(signedRequest(key).senderSig!);
    sig[10]! ^= 1;
    const bad = verifyRequestAuth(signedRequest(key, { senderSig: sig }));
    assert.ok(!bad.ok && bad.message.includes('signature does not verify'), key.name);
    const otherId = verifyRequestAuth(signedRequest(key, { requestId: sha256(utf8('other')) }));
    assert.equal(otherId.ok, false, key.name);
    const wrongSender = verifyRequestAuth(signedRequest(key, { sender: selfAuthenticatingId(keys[(keys.indexOf(key) + 1) % 3]!.der) }));
    assert.ok(!wrongSender.ok && /self-authenticating/.test(wrongSender.message));
  }
});

test('ECDSA: high-S signatures (as WebCrypto makes them) are accepted; DER signatures are not', () => {
  const sk = new Uint8Array(32).fill(2);
  const message = concatBytes(IC_REQUEST, requestId);
  const sig = p256.Signature.fromBytes(p256.sign(message, sk));
  const high = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact');
  const der = keys[1]!.der;
  assert.equal(verifyPublicKeySignature(der, high, message), true);
  const asDer = sig.toBytes('der');
  assert.match(verifyPublicKeySignature(der, asDer, message) as string, /64 bytes/);
});

test('anonymous requests: no keys or signatures allowed', () => {
  assert.deepStrictEqual(verifyRequestAuth({ requestType: 'query', sender: ANONYMOUS_ID, requestId, now: NOW }), {
    ok: true,
    sender: ANONYMOUS_ID,
    targets: null,
  });
  const r = verifyRequestAuth({ requestType: 'call', sender: ANONYMOUS_ID, requestId, now: NOW, senderPubkey: keys[0]!.der });
  assert.ok(!r.ok && /anonymous/.test(r.message));
  const missing = verifyRequestAuth({ requestType: 'call', sender: selfAuthenticatingId(keys[0]!.der), requestId, now: NOW });
  assert.ok(!missing.ok && /required/.test(missing.message));
});

test('delegation chains across key types, with targets intersected', () => {
  const [a, b, c] = keys as [TestKey, TestKey, TestKey];
  const t1 = canisterIdFromIndex(1n);
  const t2 = canisterIdFromIndex(2n);
  const t3 = canisterIdFromIndex(3n);
  const chain = [delegate(a, b, { targets: [t1, t2] }), delegate(b, c, { targets: [t2, t3] })];
  const input = { ...signedRequest(a), senderSig: c.sign(concatBytes(IC_REQUEST, requestId)), senderDelegation: chain };
  const r = verifyRequestAuth(input);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.deepStrictEqual(r.targets, [t2]);
  assert.ok(targetsAllow(r.targets, t2) && !targetsAllow(r.targets, t1) && targetsAllow(null, t1));
  // Signed by the first key instead of the last: rejected.
  assert.equal(verifyRequestAuth({ ...input, senderSig: a.sign(concatBytes(IC_REQUEST, requestId)) }).ok, false);
});

test('delegation rules: expiry, permissions, repeated keys, length, shape, signer', () => {
  const [a, b, c] = keys as [TestKey, TestKey, TestKey];
  const sigBy = (k: TestKey): Uint8Array => k.sign(concatBytes(IC_REQUEST, requestId));
  const run = (chain: CborValue[], signer: TestKey, requestType: RequestAuthInput['requestType'] = 'call') =>
    verifyRequestAuth({ ...signedRequest(a), requestType, senderSig: sigBy(signer), senderDelegation: chain });
  const message = (r: ReturnType<typeof verifyRequestAuth>): string => (r.ok ? 'ok' : r.message);

  assert.match(message(run([delegate(a, b, { expiration: NOW - 1n })], b)), /delegation 0 expired/);
  assert.equal(message(run([delegate(a, b, { expiration: NOW })], b)), 'ok');
  assert.match(message(run([delegate(a, b, { permissions: 'queries' })], b)), /only permits queries/);
  assert.equal(message(run([delegate(a, b, { permissions: 'queries' })], b, 'query')), 'ok');
  assert.equal(message(run([delegate(a, b, { permissions: 'all' })], b)), 'ok');
  assert.match(message(run([delegate(a, b, { permissions: 'everything' })], b)), /unknown permissions/);
  assert.match(message(run([delegate(a, b), delegate(b, a)], a)), /delegation 1 repeats a public key/);
  assert.match(message(run([delegate(a, a)], a)), /delegation 0 repeats a public key/);
  assert.match(message(run([delegate(c, b)], b)), /delegation 0: .*does not verify/);
  assert.match(message(run(Array.from({ length: 21 }, () => delegate(a, b)), b)), /more than 20 delegations/);
  assert.match(message(run([new Map([['signature', new Uint8Array(64)]])], b)), /missing delegation map/);
  assert.match(message(run([delegate(a, b, { expiration: 'soon' })], b)), /expiration is not a natural number/);
  assert.match(message(run([delegate(a, b, { targets: [new Uint8Array(30)] })], b)), /not a principal/);
  // A chain of 20 distinct keys is fine.
  const many = Array.from({ length: 21 }, (_, i) => ed25519Key(100 + i));
  const long = many.slice(1).map((k, i) => delegate(many[i]!, k));
  const r = verifyRequestAuth({ ...signedRequest(many[0]!), senderSig: sigBy(many[20]!), senderDelegation: long });
  assert.ok(r.ok, message(r));
});

test('canister signatures: a certified /sig tree signs a delegation (Internet Identity style)', () => {
  const root = blsKeyFromSeed(new Uint8Array(32).fill(9));
  const canisterId = canisterIdFromIndex(7n);
  const seed = utf8('user anchor 10000');
  const der = encodeSubjectPublicKeyInfo(OID.canisterSignature, undefined, concatBytes(Uint8Array.of(canisterId.length), canisterId, seed));
  const canisterKey: TestKey = {
    name: 'canister',
    der,
    sign(message) {
      const sigTree = buildHashTree(labeledNode([['sig', labeledNode([[sha256(seed), labeledNode([[sha256(message), labeledLeaf(new Uint8Array())]])]])]]));
      const stateTree = buildHashTree(labeledNode([
        ['canister', labeledNode([[canisterId, labeledNode([['certified_data', labeledLeaf(reconstruct(sigTree))]])]])],
        ['time', labeledLeaf(Uint8Array.of(1))],
      ]));
      const certificate = buildCertificate({ tree: stateTree, signer: blsCertificateSigner(root) });
      return encodeCbor({ certificate, tree: hashTreeToCbor(sigTree) }, { selfDescribe: true });
    },
  };
  const session = keys[0]!;
  const input: RequestAuthInput = {
    ...signedRequest(canisterKey),
    senderSig: session.sign(concatBytes(IC_REQUEST, requestId)),
    senderDelegation: [delegate(canisterKey, session)],
    rootKeyDer: root.publicKeyDer,
  };
  const r = verifyRequestAuth(input);
  assert.ok(r.ok, r.ok ? '' : r.message);
  // Without the root key, or with another root key, it fails.
  const noRoot = verifyRequestAuth({ ...input, rootKeyDer: undefined });
  assert.ok(!noRoot.ok && /need the root key/.test(noRoot.message));
  const otherRoot = verifyRequestAuth({ ...input, rootKeyDer: blsKeyFromSeed(new Uint8Array(32).fill(8)).publicKeyDer });
  assert.ok(!otherRoot.ok && /certificate signature does not verify/.test(otherRoot.message));
  // A signature for another message does not carry over.
  const direct = canisterKey.sign(utf8('message one'));
  assert.equal(verifyPublicKeySignature(der, direct, utf8('message one'), { rootKeyDer: root.publicKeyDer }), true);
  assert.match(verifyPublicKeySignature(der, direct, utf8('message two'), { rootKeyDer: root.publicKeyDer }) as string, /does not contain the message/);
});

test('a canister signature that verified is accepted again at once, and only for the same key, message and root key', () => {
  const root = blsKeyFromSeed(new Uint8Array(32).fill(11));
  const canisterId = canisterIdFromIndex(9n);
  const seed = utf8('user anchor 10001');
  const der = encodeSubjectPublicKeyInfo(OID.canisterSignature, undefined, concatBytes(Uint8Array.of(canisterId.length), canisterId, seed));
  const message = utf8('a session delegation');
  const sigTree = buildHashTree(labeledNode([['sig', labeledNode([[sha256(seed), labeledNode([[sha256(message), labeledLeaf(new Uint8Array())]])]])]]));
  const stateTree = buildHashTree(labeledNode([['canister', labeledNode([[canisterId, labeledNode([['certified_data', labeledLeaf(reconstruct(sigTree))]])]])]]));
  const signature = encodeCbor({ certificate: buildCertificate({ tree: stateTree, signer: blsCertificateSigner(root) }), tree: hashTreeToCbor(sigTree) }, { selfDescribe: true });
  const timed = (rootKeyDer: Uint8Array, signed = message) => {
    const t0 = performance.now();
    const verdict = verifyPublicKeySignature(der, signature, signed, { rootKeyDer });
    return { verdict, ms: performance.now() - t0 };
  };
  const first = timed(root.publicKeyDer);
  assert.equal(first.verdict, true);
  const again = timed(root.publicKeyDer);
  assert.equal(again.verdict, true);
  // The first check pairs BLS points (tens of milliseconds); the second finds the verdict.
  assert.ok(again.ms < first.ms / 5, `first ${first.ms.toFixed(2)} ms, again ${again.ms.toFixed(2)} ms`);
  assert.match(timed(blsKeyFromSeed(new Uint8Array(32).fill(12)).publicKeyDer).verdict as string, /certificate signature does not verify/);
  assert.match(timed(root.publicKeyDer, utf8('another delegation')).verdict as string, /does not contain the message/);
});

test('public keys: unsupported algorithms and malformed DER give clear messages', () => {
  const m = utf8('m');
  const s = new Uint8Array(64);
  assert.match(verifyPublicKeySignature(encodeSubjectPublicKeyInfo(OID.webAuthnCose, undefined, new Uint8Array(10)), s, m) as string, /malformed COSE key/);
  assert.match(verifyPublicKeySignature(encodeSubjectPublicKeyInfo('1.2.3.4', undefined, new Uint8Array(10)), s, m) as string, /unsupported public key algorithm 1.2.3.4/);
  assert.match(verifyPublicKeySignature(encodeSubjectPublicKeyInfo(OID.ecPublicKey, '1.3.132.0.34', new Uint8Array(97)), s, m) as string, /unsupported ECDSA curve 1.3.132.0.34/);
  assert.match(verifyPublicKeySignature(encodeSubjectPublicKeyInfo(OID.ed25519, 'null', new Uint8Array(32)), s, m) as string, /must not have algorithm parameters/);
  assert.match(verifyPublicKeySignature(fromHex('302a300506032b6570032100'), s, m) as string, /malformed public key/);
  assert.match(verifyPublicKeySignature(concatBytes(keys[0]!.der, Uint8Array.of(0)), s, m) as string, /trailing bytes/);
  assert.throws(() => parseSubjectPublicKeyInfo(fromHex('30812a300506032b6570032100' + '00'.repeat(32))), (e: unknown) => e instanceof DerError && /not minimal/.test(e.message));
  assert.throws(() => parseSubjectPublicKeyInfo(fromHex('302a300506032b6570032101' + '00'.repeat(32))), /0 unused bits/);
  const spki = parseSubjectPublicKeyInfo(keys[2]!.der);
  assert.deepStrictEqual([spki.algorithm, spki.parameters, spki.publicKey.length], [OID.ecPublicKey, OID.secp256k1, 65]);
});
