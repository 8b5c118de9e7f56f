// Auto-progress: the server runs rounds by itself, so time follows the wall clock and canister
// timers fire without any traffic; a v3/v4 call still running after the sync timeout answers 202
// and completes later (polled through read_state).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { decodeUleb128, hashOfMap } from '../../src/certification/index.ts';
import { startHttpServer } from '../../src/http/index.ts';
import { anonymous, callContent, certifiedValue, EMPTY_ARG, envelope, post, readStateContent, TestKey } from './_envelopes.ts';
import { deployMotoko, syncCall } from './_deploy.ts';
import { startServer, type ServerProcess } from './_server.ts';
import { replicaOf } from '../../src/api/testing.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function certifiedTime(url: string, canisterId: Principal): Promise<bigint> {
  const answer = await post(url, `/api/v3/canister/${canisterId.toText()}/read_state`, envelope(readStateContent([['time']], anonymous())));
  return decodeUleb128(certifiedValue(answer, ['time'])!);
}

describe('auto-progress of capsule start', () => {
  let server: ServerProcess;
  const owner = new TestKey();
  let timers: Principal;
  before(async () => {
    server = await startServer();
    timers = await deployMotoko(server.url, owner, 'timers.mo');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  test('certified time follows the wall clock without traffic', async () => {
    const first = await certifiedTime(server.url, timers);
    await sleep(400);
    const second = await certifiedTime(server.url, timers);
    assert.ok(second - first >= 200_000_000n, `time advanced by ${second - first} ns`);
    const wall = BigInt(Date.now()) * 1_000_000n;
    assert.ok(wall - second < 2_000_000_000n && second - wall < 2_000_000_000n, 'certified time is close to the wall clock');
  });

  test('a canister timer fires with no further calls', async () => {
    const set = await syncCall(server.url, owner, timers, timers.toUint8Array(), 'after', IDL.encode([IDL.Nat], [1n]));
    assert.equal(set.status, 'replied');
    const query = envelope(callContent('query', timers.toUint8Array(), 'get', EMPTY_ARG, anonymous()));
    let fired = 0n;
    for (let i = 0; i < 50 && fired === 0n; i++) {
      await sleep(100);
      const answer = await post(server.url, `/api/v3/canister/${timers.toText()}/query`, query);
      fired = IDL.decode([IDL.Nat], (answer.cbor().get('reply') as Map<string, Uint8Array>).get('arg')!)[0] as bigint;
    }
    assert.equal(fired, 1n);
  });
});

test('a sync call still running at the timeout answers 202 and completes later (in-process server)', async () => {
  // A self-call takes several rounds when each round runs one inner round (a round instruction limit
  // of 1); with a zero timeout the answer is 202 after the first one.
  const capsule = await Capsule.create({ instructionLimits: { round: 1n } });
  const trapper = await capsule.createCanister();
  await capsule.installCode({ canisterId: trapper, wasm: (await motoko(canisterSource('general.mo'), { persistence: 'enhanced' })).wasm });
  const replica = replicaOf(capsule);
  const server = await startHttpServer({ replica, port: 0, limits: { syncCallTimeoutMs: 0 } });
  try {
    const key = new TestKey();
    const content = callContent('call', trapper.toUint8Array(), 'callSelfBoom', EMPTY_ARG, key.principal);
    const answer = await post(server.url, `/api/v4/canister/${trapper.toText()}/call`, envelope(content, key));
    assert.equal(answer.status, 202);
    const rid = hashOfMap(content);
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'replied'; i++) {
      await sleep(10);
      const read = await post(server.url, `/api/v3/canister/${trapper.toText()}/read_state`, envelope(readStateContent([['request_status', rid]], key.principal), key));
      const value = certifiedValue(read, ['request_status', rid, 'status']);
      status = value && new TextDecoder().decode(value);
    }
    assert.equal(status, 'replied');
  } finally {
    await server.close();
  }
  const rounds = replica.state.round;
  await sleep(300);
  assert.equal(replica.state.round, rounds, 'no rounds after close()');
});
