// Principal ids: the interface spec's examples (section 'Principals'), checked through @dfinity/principal's
// independent text encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Principal } from '@dfinity/principal';
import { fromHex, toHex } from '../../src/certification/_bytes.ts';
import {
  ANONYMOUS_ID,
  MANAGEMENT_CANISTER_ID,
  canisterIdFromIndex,
  canisterIndexOf,
  isAnonymous,
  isSelfAuthenticating,
  selfAuthenticatingId,
} from '../../src/certification/principal_ids.ts';
import { ED25519_DER_PREFIX } from '../../src/certification/ed25519_node_key.ts';

const text = (b: Uint8Array): string => Principal.fromUint8Array(b).toText();

test('fixed principals and canister ids from indices', () => {
  assert.equal(text(MANAGEMENT_CANISTER_ID), 'aaaaa-aa');
  assert.equal(text(ANONYMOUS_ID), '2vxsx-fae');
  assert.equal(text(fromHex('ABCD01')), 'em77e-bvlzu-aq');
  const cases: [bigint, string][] = [
    [0n, 'rwlgt-iiaaa-aaaaa-aaaaa-cai'],
    [1n, 'rrkah-fqaaa-aaaaa-aaaaq-cai'],
    [2n, 'ryjl3-tyaaa-aaaaa-aaaba-cai'],
    [4n, 'rkp4c-7iaaa-aaaaa-aaaca-cai'],
    [0x100000n, '5v3p4-iyaaa-aaaaa-qaaaa-cai'],
  ];
  for (const [index, expected] of cases) {
    const id = canisterIdFromIndex(index);
    assert.equal(text(id), expected);
    assert.equal(canisterIndexOf(id), index);
  }
  assert.equal(toHex(canisterIdFromIndex(2n ** 64n - 1n)), 'ffffffffffffffff0101');
  assert.throws(() => canisterIdFromIndex(2n ** 64n), /not a u64/);
  assert.throws(() => canisterIdFromIndex(-1n), /not a u64/);
  assert.equal(canisterIndexOf(ANONYMOUS_ID), undefined);
  assert.equal(canisterIndexOf(fromHex('00000000000000000102')), undefined);
  assert.equal(canisterIndexOf(Uint8Array.of(0xff, ...canisterIdFromIndex(7n)).subarray(1)), 7n); // non-zero byteOffset
});

test('self-authenticating ids: SHA-224 of the DER key, then 0x02', () => {
  const der = new Uint8Array([...ED25519_DER_PREFIX, ...new Uint8Array(32).fill(1)]);
  const id = selfAuthenticatingId(der);
  assert.equal(id.length, 29);
  assert.ok(isSelfAuthenticating(id));
  assert.equal(text(id), Principal.selfAuthenticating(der).toText());
  assert.ok(isAnonymous(ANONYMOUS_ID) && !isAnonymous(id));
  // The mainnet root subnet id is the self-authenticating id of the NNS subnet's key; check the
  // text form of the documented id parses to a 29-byte self-authenticating principal.
  const nns = Principal.fromText('tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe').toUint8Array();
  assert.ok(isSelfAuthenticating(nns));
});
