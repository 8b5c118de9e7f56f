// Deterministic time slicing over HTTP: while one canister's long update runs slice by slice, the server
// keeps answering `/api/v2/status` within 50 ms (nine requests in ten on a loaded machine), and queries
// to other canisters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { startHttpServer } from '../../src/http/index.ts';
import { wat } from '../support/build.ts';
import { LONG_WAT } from '../replica/_long_canister.ts';
import { anonymous, callContent, EMPTY_ARG, envelope, post } from './_envelopes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the server answers status within 50 ms and queries while a long update runs in slices', async () => {
  const capsule = await Capsule.create({ instructionLimits: { slice: 20_000_000n } });
  const wasm = await wat(LONG_WAT);
  const [busy, other] = [await capsule.createCanister(), await capsule.createCanister()];
  for (const canisterId of [busy, other]) await capsule.installCode({ canisterId, wasm });
  const replica = replicaOf(capsule);
  const versionBefore = replica.canister(busy)!.version;
  const server = await startHttpServer({ replica, port: 0 });
  try {
    const query = envelope(callContent('query', other.toUint8Array(), 'heap', EMPTY_ARG, anonymous()));
    // Warm: the first status and query compile their code paths and sign the first certification.
    await (await fetch(`${server.url}/api/v2/status`)).arrayBuffer();
    await post(server.url, `/api/v3/canister/${other.toText()}/query`, query);
    const call = await post(server.url, `/api/v2/canister/${busy.toText()}/call`, envelope(callContent('call', busy.toUint8Array(), 'very_long', EMPTY_ARG, anonymous())));
    assert.equal(call.status, 202);
    const latencies: number[] = [];
    for (let i = 0; i < 2000 && replica.canister(busy)!.version === versionBefore; i++) {
      const paused = replica.hasPausedExecutions();
      const start = performance.now();
      const status = await fetch(`${server.url}/api/v2/status`);
      await status.arrayBuffer();
      if (paused) latencies.push(performance.now() - start);
      const answer = await post(server.url, `/api/v3/canister/${other.toText()}/query`, query);
      assert.equal(status.status, 200);
      assert.equal(answer.cbor().get('status'), 'replied');
      await sleep(5);
    }
    assert.notEqual(replica.canister(busy)!.version, versionBefore, 'the long update ended');
    assert.ok(latencies.length >= 5, `${latencies.length} requests while the update was paused`);
    // A loaded CI machine may stall any one request (GC, the scheduler); unsliced, each would wait ~1 s.
    const sorted = [...latencies].sort((a, b) => a - b);
    const typical = sorted[Math.floor(sorted.length * 0.9)]!;
    assert.ok(typical < 50, `status took up to ${typical.toFixed(1)} ms for 90% of requests`);
    assert.ok(sorted.at(-1)! < 500, `status took up to ${sorted.at(-1)!.toFixed(1)} ms`);
  } finally {
    await server.close();
  }
  const reply = await capsule.queryCall({ canisterId: busy, method: 'heap', arg: new Uint8Array(IDL.encode([], [])) });
  assert.notEqual(Buffer.from(reply).readBigUInt64LE(0), 0n);
});
