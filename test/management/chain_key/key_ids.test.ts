// One list of the keys held and one reject for a key not held, for all six chain-key methods: the
// replica's router wording, its reject code and every key of the network sorted by display form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../src/execution/index.ts';
import { heldKey } from '../../../src/management/chain_key/key_ids.ts';

const EXISTING =
  '[ecdsa:Secp256k1:dfx_test_key, ecdsa:Secp256k1:key_1, ecdsa:Secp256k1:test_key_1, ' +
  'schnorr:Bip340Secp256k1:dfx_test_key, schnorr:Bip340Secp256k1:key_1, schnorr:Bip340Secp256k1:test_key_1, ' +
  'schnorr:Ed25519:dfx_test_key, schnorr:Ed25519:key_1, schnorr:Ed25519:test_key_1, ' +
  'vetkd:Bls12_381_G2:dfx_test_key, vetkd:Bls12_381_G2:key_1, vetkd:Bls12_381_G2:test_key_1]';

describe('chain keys held', () => {
  test('every scheme holds dfx_test_key, key_1 and test_key_1', () => {
    for (const scheme of ['ecdsa:Secp256k1', 'schnorr:Bip340Secp256k1', 'schnorr:Ed25519', 'vetkd:Bls12_381_G2']) {
      for (const name of ['dfx_test_key', 'key_1', 'test_key_1']) assert.deepEqual(heldKey('ecdsa_public_key', scheme, name), { scheme, name });
    }
  });

  test('a key not held is refused with DESTINATION_INVALID, public key methods listing the keys held and the others the keys enabled', () => {
    const cases = [
      ['ecdsa_public_key', 'ecdsa:Secp256r1', 'key_1', 'Requested unknown threshold key: ecdsa:Secp256r1:key_1, existing keys'],
      ['schnorr_public_key', 'schnorr:Ed25519', 'key_2', 'Requested unknown threshold key: schnorr:Ed25519:key_2, existing keys'],
      ['vetkd_public_key', 'vetkd:Bls12_381_G2', '', 'Requested unknown threshold key: vetkd:Bls12_381_G2:, existing keys'],
      ['sign_with_ecdsa', 'ecdsa:Secp256k1', 'KEY_1', 'Requested unknown or disabled threshold key: ecdsa:Secp256k1:KEY_1, existing enabled keys'],
      ['sign_with_schnorr', 'schnorr:Bip340Secp256k1', 'x', 'Requested unknown or disabled threshold key: schnorr:Bip340Secp256k1:x, existing enabled keys'],
      ['vetkd_derive_key', 'vetkd:Bls12_381_G2', 'a\nb', 'Requested unknown or disabled threshold key: vetkd:Bls12_381_G2:a\\nb, existing enabled keys'],
    ] as const;
    for (const [method, scheme, name, problem] of cases) {
      const error = heldKey(method, scheme, name);
      assert.ok(error instanceof UserError);
      assert.equal(error.rejectCode, 3);
      assert.equal(error.message, `Unable to route management canister request ${method}: ChainKeyError("${problem}: ${EXISTING}")`);
    }
  });
});
