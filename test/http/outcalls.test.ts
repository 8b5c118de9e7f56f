// The IC HTTP interface of `capsule start` makes canister HTTP outcalls for real: a v4 call to a
// canister whose update fetches from a loopback server replies with the transformed response.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { startHttpServer } from '../../src/http/index.ts';
import { deployMotoko, syncCall } from './_deploy.ts';
import { TestKey } from './_envelopes.ts';

test('a call whose canister makes an HTTP outcall replies with the response fetched between rounds', async () => {
  const origin = createServer((request, response) => response.end(`origin saw ${request.method} ${request.url}`));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const capsule = await Capsule.create();
  const server = await startHttpServer({ replica: replicaOf(capsule), port: 0, idleRoundMs: 50 });
  try {
    const key = new TestKey();
    const canisterId = await deployMotoko(server.url, key, 'outcall.mo');
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/quote`;
    const arg = new Uint8Array(IDL.encode([IDL.Text, IDL.Nat, IDL.Opt(IDL.Nat64), IDL.Bool], [url, 30_000_000_000n, [], true]));
    const result = await syncCall(server.url, key, canisterId, canisterId.toUint8Array(), 'fetch', arg);
    assert.equal(result.status, 'replied');
    assert.equal(IDL.decode([IDL.Text], result.reply!)[0], '200 0 origin saw GET /quote!');
  } finally {
    await server.close();
    await capsule.close();
    origin.close();
  }
});
