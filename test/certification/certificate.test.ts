// Certificates: build and verify our own, delegations and their canister ranges, time checks,
// and a real mainnet certificate verified with the real IC root key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/certification/_bytes.ts';
import { blsKeyFromSeed } from '../../src/certification/bls.ts';
import { blsCertificateSigner } from '../../src/certification/signer.ts';
import { buildCertificate, decodeCertificate, verifyCertificate } from '../../src/certification/certificate.ts';
import { buildHashTree, labeledLeaf, labeledNode } from '../../src/certification/labeled_tree.ts';
import { pruneHashTree } from '../../src/certification/hash_tree_prune.ts';
import { lookupPath } from '../../src/certification/hash_tree_lookup.ts';
import { decodeUleb128, uleb128 } from '../../src/certification/leb128.ts';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/certification/cbor.ts';
import { hashTreeToCbor } from '../../src/certification/hash_tree.ts';

const rootKey = blsKeyFromSeed(new Uint8Array(32).fill(1));
const subnetKey = blsKeyFromSeed(new Uint8Array(32).fill(2));
const NOW = 1_700_000_000_000_000_000n;

function stateTree(extra: [string, ReturnType<typeof labeledLeaf>][] = []) {
  return buildHashTree(labeledNode([['time', labeledLeaf(uleb128(NOW))], ...extra]));
}

test('build → verify; the encoding is a tag-55799 map {tree, signature}', () => {
  const tree = stateTree([['x', labeledLeaf('y')]]);
  const bytes = buildCertificate({ tree: pruneHashTree(tree, [['time']]), signer: blsCertificateSigner(rootKey) });
  assert.equal(toHex(bytes.subarray(0, 3)), 'd9d9f7');
  const decoded = decodeCbor(bytes) as CborMap;
  assert.deepStrictEqual([...decoded.keys()], ['tree', 'signature']);
  const r = verifyCertificate(bytes, rootKey.publicKeyDer, { now: NOW });
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(decodeUleb128((lookupPath(['time'], r.certificate.tree) as { value: Uint8Array }).value), NOW);
  assert.equal(lookupPath(['x'], r.certificate.tree).status, 'unknown');
});

test('tampering, a wrong key or a stale time is rejected with a reason', () => {
  const bytes = buildCertificate({ tree: stateTree(), signer: blsCertificateSigner(rootKey) });
  const other = verifyCertificate(bytes, subnetKey.publicKeyDer);
  assert.deepStrictEqual(other, { ok: false, message: 'certificate signature does not verify' });
  const cert = decodeCertificate(bytes);
  const forged = encodeCbor({ tree: hashTreeToCbor(stateTree([['x', labeledLeaf('forged')]])), signature: cert.signature }, { selfDescribe: true });
  assert.equal(verifyCertificate(forged, rootKey.publicKeyDer).ok, false);
  const late = verifyCertificate(bytes, rootKey.publicKeyDer, { now: NOW + 6n * 60n * 10n ** 9n });
  assert.ok(!late.ok && /more than/.test(late.message));
  assert.ok(verifyCertificate(bytes, rootKey.publicKeyDer, { now: NOW + 4n * 60n * 10n ** 9n }).ok);
  const garbage = verifyCertificate(fromHex('a0'), rootKey.publicKeyDer);
  assert.ok(!garbage.ok && /invalid certificate/.test(garbage.message));
  const badKey = verifyCertificate(bytes, rootKey.publicKey);
  assert.ok(!badKey.ok && /not a DER BLS12-381/.test(badKey.message));
});

test('delegation: root subnet vouches for a subnet key and its canister ranges', () => {
  const subnetId = fromHex('aa01');
  const ranges = encodeCbor([[fromHex('00000000002000000101'), fromHex('00000000002fffff0101')]], { selfDescribe: true });
  const rootTree = buildHashTree(
    labeledNode([
      ['time', labeledLeaf(uleb128(NOW))],
      ['subnet', labeledNode([[subnetId, labeledNode([['public_key', labeledLeaf(subnetKey.publicKeyDer)], ['canister_ranges', labeledLeaf(ranges)]])]])],
    ]),
  );
  const delegationCert = buildCertificate({ tree: rootTree, signer: blsCertificateSigner(rootKey) });
  const cert = buildCertificate({ tree: stateTree(), signer: blsCertificateSigner(subnetKey), delegation: { subnetId, certificate: delegationCert } });
  assert.ok(verifyCertificate(cert, rootKey.publicKeyDer).ok);
  assert.ok(verifyCertificate(cert, rootKey.publicKeyDer, { canisterId: fromHex('00000000002000050101') }).ok);
  const outside = verifyCertificate(cert, rootKey.publicKeyDer, { canisterId: fromHex('00000000003000000101') });
  assert.ok(!outside.ok && /not authoritative/.test(outside.message));
  // The subnet key alone does not make a delegation: it must be signed by the root key.
  const selfVouched = buildCertificate({ tree: rootTree, signer: blsCertificateSigner(subnetKey) });
  const bad = buildCertificate({ tree: stateTree(), signer: blsCertificateSigner(subnetKey), delegation: { subnetId, certificate: selfVouched } });
  assert.deepStrictEqual(verifyCertificate(bad, rootKey.publicKeyDer), { ok: false, message: 'delegation certificate signature does not verify' });
  // Nested delegations are refused.
  const nested = buildCertificate({ tree: stateTree(), signer: blsCertificateSigner(subnetKey), delegation: { subnetId, certificate: cert } });
  assert.deepStrictEqual(verifyCertificate(nested, rootKey.publicKeyDer), { ok: false, message: 'delegation certificate has a delegation itself' });
  // A delegation for another subnet id does not reveal a key.
  const wrongId = buildCertificate({ tree: stateTree(), signer: blsCertificateSigner(subnetKey), delegation: { subnetId: fromHex('bb01'), certificate: delegationCert } });
  const r = verifyCertificate(wrongId, rootKey.publicKeyDer);
  assert.ok(!r.ok && /does not reveal the subnet public key \(absent\)/.test(r.message));
});

// A mainnet certificate with a delegation (2022-02-23), recorded by agent-rs and reused in
// dfinity/agent-js packages/agent/src/certificate.test.ts; verified here with the real root key.
const IC_ROOT_KEY = fromHex(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae',
);
const MAINNET_CERT = fromHex(
  'd9d9f7a364747265658301830182045820250f5e26868d9c1ea7ab29cbe9c15bf1c47c0d7605e803e39e375a7fe09c6ebb830183024e726571756573745f7374617475738301820458204b268227774ec77ff2b37ecb12157329d54cf376694bdd59ded7803efd82386f83025820edad510eaaa08ed2acd4781324e6446269da6753ec17760f206bbe81c465ff528301830183024b72656a6563745f636f64658203410383024e72656a6563745f6d6573736167658203584443616e69737465722069766733372d71696161612d61616161622d61616167612d63616920686173206e6f20757064617465206d6574686f64202772656769737465722783024673746174757382034872656a65637465648204582097232f31f6ab7ca4fe53eb6568fc3e02bc22fe94ab31d010e5fb3c642301f1608301820458203a48d1fc213d49307103104f7d72c2b5930edba8787b90631f343b3aa68a5f0a83024474696d65820349e2dc939091c696eb16697369676e6174757265583089a2be21b5fa8ac9fab1527e041327ce899d7da971436a1f2165393947b4d942365bfe5488710e61a619ba48388a21b16a64656c65676174696f6ea2697375626e65745f6964581dd77b2a2f7199b9a8aec93fe6fb588661358cf12223e9a3af7b4ebac4026b6365727469666963617465590231d9d9f7a26474726565830182045820ae023f28c3b9d966c8fb09f9ed755c828aadb5152e00aaf700b18c9c067294b483018302467375626e6574830182045820e83bb025f6574c8f31233dc0fe289ff546dfa1e49bd6116dd6e8896d90a4946e830182045820e782619092d69d5bebf0924138bd4116b0156b5a95e25c358ea8cf7e7161a661830183018204582062513fa926c9a9ef803ac284d620f303189588e1d3904349ab63b6470856fc4883018204582060e9a344ced2c9c4a96a0197fd585f2d259dbd193e4eada56239cac26087f9c58302581dd77b2a2f7199b9a8aec93fe6fb588661358cf12223e9a3af7b4ebac402830183024f63616e69737465725f72616e6765738203581bd9d9f781824a000000000020000001014a00000000002fffff010183024a7075626c69635f6b657982035885308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c050302010361009933e1f89e8a3c4d7fdcccdbd518089e2bd4d8180a261f18d9c247a52768ebce98dc7328a39814a8f911086a1dd50cbe015e2a53b7bf78b55288893daa15c346640e8831d72a12bdedd979d28470c34823b8d1c3f4795d9c3984a247132e94fe82045820996f17bb926be3315745dea7282005a793b58e76afeb5d43d1a28ce29d2d158583024474696d6582034995b8aac0e4eda2ea16697369676e61747572655830ace9fcdd9bc977e05d6328f889dc4e7c99114c737a494653cb27a1f55c06f4555e0f160980af5ead098acc195010b2f7',
);

test('a real mainnet certificate verifies with the IC root key (BLS, tree, CBOR, delegation)', () => {
  const inRange = verifyCertificate(MAINNET_CERT, IC_ROOT_KEY, { canisterId: fromHex('000000000020000c0101') });
  assert.ok(inRange.ok, inRange.ok ? '' : inRange.message);
  const status = lookupPath(['request_status', fromHex('edad510eaaa08ed2acd4781324e6446269da6753ec17760f206bbe81c465ff52'), 'status'], inRange.certificate.tree);
  assert.deepStrictEqual(status, { status: 'found', value: utf8('rejected') });
  assert.equal(verifyCertificate(MAINNET_CERT, IC_ROOT_KEY, { canisterId: fromHex('00000000003000020101') }).ok, false);
  const tampered = Uint8Array.from(MAINNET_CERT);
  tampered[tampered.length - 1]! ^= 1;
  assert.equal(verifyCertificate(tampered, IC_ROOT_KEY).ok, false);
});
