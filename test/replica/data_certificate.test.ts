// A query's data certificate (interface spec, "Certified data"): the latest round's certificate
// revealing the canister's certified_data, built only when the canister reads it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { decodeCertificate, lookupPath, verifyCertificate } from '../../src/certification/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

let wasm: Uint8Array;

before(async () => {
  ({ wasm } = await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' }));
});

test('a query that reads its data certificate gets the latest round signed, revealing its certified data', async () => {
  const ic = await Capsule.create();
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const data = Uint8Array.of(7, 7, 7);
  await ic.updateCall({ canisterId, method: 'certify', arg: new Uint8Array(IDL.encode([IDL.Vec(IDL.Nat8)], [data])) });
  const reply = await ic.queryCall({ canisterId, method: 'certificate', arg: new Uint8Array(IDL.encode([], [])) });
  const [[certificate]] = IDL.decode([IDL.Opt(IDL.Vec(IDL.Nat8))], reply) as unknown as [[Uint8Array]];
  const bytes = new Uint8Array(certificate);
  const replica = replicaOf(ic);
  assert.ok(verifyCertificate(bytes, replica.state.config.rootKeyDer).ok);
  const found = lookupPath(['canister', canisterId.toUint8Array(), 'certified_data'], decodeCertificate(bytes).tree);
  assert.deepEqual(found.status === 'found' ? found.value : undefined, data);
  await ic.close();
});

test('a query that does not read its data certificate costs no signature', async () => {
  const ic = await Capsule.create();
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  await ic.updateCall({ canisterId, method: 'set', arg: new Uint8Array(IDL.encode([IDL.Text], ['x'])) });
  const stats = replicaOf(ic).certifier.stats;
  const before = stats.signatures;
  await ic.queryCall({ canisterId, method: 'get', arg: new Uint8Array(IDL.encode([], [])) });
  assert.equal(stats.signatures, before);
  await ic.queryCall({ canisterId, method: 'certificate', arg: new Uint8Array(IDL.encode([], [])) });
  assert.equal(stats.signatures, before + 1);
  await ic.close();
});
