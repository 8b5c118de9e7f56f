// An Azle (TypeScript) canister built at test time: init with arguments, updates, queries,
// certified data. A ~3.5 MB module with 40+ ic0 imports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { lookupPath, verifyCertificate } from '../../src/certification/index.ts';
import { azle, canistersDir } from '../support/build.ts';
import { replicaOf } from '../../src/api/testing.ts';

const none = new Uint8Array(IDL.encode([], []));
const source = readFileSync(join(canistersDir, 'azle_counter', 'index.ts.txt'), 'utf8');

test('an Azle canister initializes, updates, queries and certifies data', async () => {
  const { wasm } = await azle(source);
  assert.ok(wasm.length > 2_000_000, `a large module (${wasm.length} bytes)`);
  const ic = await Capsule.create();
  const controller = Principal.selfAuthenticating(new Uint8Array(44).fill(3));
  const canisterId = await ic.createCanister({ sender: controller });
  await ic.installCode({ canisterId, wasm, sender: controller, arg: new Uint8Array(IDL.encode([IDL.Text, IDL.Nat], ['hello', 41n])) });

  const nat = (bytes: Uint8Array) => IDL.decode([IDL.Nat], bytes)[0];
  assert.equal(nat(await ic.updateCall({ canisterId, method: 'inc', arg: none })), 42n);
  assert.equal(nat(await ic.updateCall({ canisterId, method: 'add', arg: new Uint8Array(IDL.encode([IDL.Nat], [8n])) })), 50n);
  assert.equal(nat(await ic.queryCall({ canisterId, method: 'get', arg: none })), 50n);
  assert.equal(IDL.decode([IDL.Text], await ic.queryCall({ canisterId, method: 'greet', arg: none }))[0], 'hello (count 50)');
  assert.equal(IDL.decode([IDL.Text], await ic.queryCall({ canisterId, method: 'whoInitialized', arg: none }))[0], controller.toText());
  assert.equal(IDL.decode([IDL.Nat64], await ic.queryCall({ canisterId, method: 'now', arg: none }))[0], await ic.getTime());

  const data = new Uint8Array(32).map((_, i) => i);
  await ic.updateCall({ canisterId, method: 'certify', arg: new Uint8Array(IDL.encode([IDL.Vec(IDL.Nat8)], [data])) });
  assert.deepEqual(replicaOf(ic).canister(canisterId)?.certifiedData, data);
  // A library query's target gets the latest certificate, as over HTTP: it verifies and reveals the data.
  const [certificate] = IDL.decode([IDL.Opt(IDL.Vec(IDL.Nat8))], await ic.queryCall({ canisterId, method: 'certificate', arg: none }))[0] as unknown as [Uint8Array];
  const verified = verifyCertificate(certificate, ic.rootKey);
  assert.ok(verified.ok, verified.ok ? '' : verified.message);
  const found = lookupPath(['canister', canisterId.toUint8Array(), 'certified_data'], verified.certificate.tree);
  assert.deepEqual(found, { status: 'found', value: data });
  await assert.rejects(
    ic.updateCall({ canisterId, method: 'certify', arg: new Uint8Array(IDL.encode([IDL.Vec(IDL.Nat8)], [new Uint8Array(33)])) }),
    (error: { rejectCode: number; rejectMessage: string }) => error.rejectCode === 5 && /too large|33/.test(error.rejectMessage),
  );
  assert.deepEqual(replicaOf(ic).canister(canisterId)?.certifiedData, data, 'a failed certify leaves the data as it was');
});
