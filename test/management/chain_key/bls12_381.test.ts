// vetKD key arithmetic without a canister: determinism, one master key per name, inputs of any size,
// and which transport public keys are points.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { EncryptedVetKey, MasterPublicKey, TransportSecretKey } from '@dfinity/vetkeys';
import { derivedPublicKey, encryptedKey, isValidTransportPublicKey, masterKey, masterPublicKeyBytes } from '../../../src/management/chain_key/bls12_381.ts';

const canisterId = new Uint8Array([0, 0, 0, 0, 0, 0x10, 0, 1, 1, 1]);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('vetKD keys', () => {
  test('each key name has its own master key', () => {
    assert.notEqual(hex(masterPublicKeyBytes('key_1')), hex(masterPublicKeyBytes('test_key_1')));
    assert.equal(hex(masterKey('key_1').publicKey.toBytes(true)), hex(masterPublicKeyBytes('key_1')));
  });

  test('the same request gets the same encrypted key, which decrypts for an empty context and a large input', () => {
    const master = masterKey('test_key_1');
    const transport = TransportSecretKey.random();
    const input = new Uint8Array(256 * 1024).map((_, i) => i % 251);
    const first = encryptedKey(master, canisterId, new Uint8Array(), input, transport.publicKeyBytes());
    assert.equal(hex(encryptedKey(master, canisterId, new Uint8Array(), input, transport.publicKeyBytes())), hex(first));
    const derived = MasterPublicKey.deserialize(master.publicKey.toBytes(true)).deriveCanisterKey(canisterId);
    assert.equal(hex(derivedPublicKey(master, canisterId, new Uint8Array())), hex(derived.publicKeyBytes()));
    EncryptedVetKey.deserialize(first).decryptAndVerify(transport, derived, input);
  });

  test('a transport public key is a compressed G1 point of the subgroup, the identity included', () => {
    assert.ok(isValidTransportPublicKey(TransportSecretKey.random().publicKeyBytes()));
    assert.ok(isValidTransportPublicKey(bls12_381.G1.Point.ZERO.toBytes(true)));
    assert.ok(!isValidTransportPublicKey(new Uint8Array(48).fill(1)));
    assert.ok(!isValidTransportPublicKey(bls12_381.G1.Point.BASE.toBytes(false)));
    assert.ok(!isValidTransportPublicKey(bls12_381.G2.Point.BASE.toBytes(true)));
  });
});
