// The master keys are PocketIC's, byte for byte: the threshold keys as @dfinity/ic-pub-key ships
// them (`forPocketIcKey`), the vetKD keys as DFINITY's vetKeys libraries publish them. Keys then
// depend on nothing a Capsule is configured with, so every subnet of every Capsule holds them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secp256k1 as icSecp256k1 } from '@dfinity/ic-pub-key/ecdsa';
import { bip340secp256k1 as icBip340, ed25519 as icEd25519 } from '@dfinity/ic-pub-key/schnorr';
import { type ChainKeyScheme, thresholdMasterPublicKey, vetkdMasterPublicKey } from '../../../src/management/index.ts';
import { POCKETIC_VETKD_KEYS } from './_pocketic_keys.ts';

const KEY_NAMES = ['dfx_test_key', 'key_1', 'test_key_1'] as const;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function thresholdMaster(scheme: ChainKeyScheme, name: string): { public_key: string; chain_code: string } {
  const key = thresholdMasterPublicKey({ scheme, name });
  return { public_key: hex(key.public_key), chain_code: hex(key.chain_code) };
}

describe("PocketIC's master keys", () => {
  for (const name of KEY_NAMES) {
    test(`${name}: the ECDSA secp256k1, BIP340 and Ed25519 master keys are the ones @dfinity/ic-pub-key ships for PocketIC`, () => {
      assert.deepEqual(thresholdMaster('ecdsa:Secp256k1', name), icSecp256k1.PublicKeyWithChainCode.forPocketIcKey(name).toHex());
      assert.deepEqual(thresholdMaster('schnorr:Bip340Secp256k1', name), icBip340.PublicKeyWithChainCode.forPocketIcKey(name).toHex());
      const ed = icEd25519.PublicKeyWithChainCode.forPocketIcKey(name);
      assert.deepEqual(thresholdMaster('schnorr:Ed25519', name), { public_key: ed.public_key.toHex(), chain_code: ed.chain_code.toHex() });
    });

    test(`${name}: the vetKD master public key is PocketIC's published one`, () => {
      assert.equal(hex(vetkdMasterPublicKey(name)), POCKETIC_VETKD_KEYS[name]);
    });
  }
});
