// Real canister HTTP outcalls: made between rounds to a loopback server, by the library in 'fetch'
// mode and by the round driver of a server front end; the transform, the limits and the timeout.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { RoundDriver } from '../../src/replica/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

let wasm: Uint8Array;
let server: Server;
let base: string;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

before(async () => {
  ({ wasm } = await motoko(canisterSource('outcall.mo'), { main: 'outcall.mo' }));
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    if (request.url === '/slow') return; // never answers
    if (request.url === '/big') {
      response.end('x'.repeat(5000));
      return;
    }
    response.setHeader('x-served', 'loopback');
    response.end(`served ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

async function deploy(ic: Capsule): Promise<Principal> {
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  return canisterId;
}

function fetchArg(url: string, maxResponseBytes: bigint | undefined, transformed: boolean): Uint8Array {
  const max: [] | [bigint] = maxResponseBytes === undefined ? [] : [maxResponseBytes];
  return new Uint8Array(IDL.encode([IDL.Text, IDL.Nat, IDL.Opt(IDL.Nat64), IDL.Bool], [url, 30_000_000_000n, max, transformed]));
}

async function fetchText(ic: Capsule, canisterId: Principal, url: string, maxResponseBytes?: bigint, transformed = true): Promise<string> {
  const reply = await ic.updateCall({ canisterId, method: 'fetch', arg: fetchArg(url, maxResponseBytes, transformed) });
  return IDL.decode([IDL.Text], reply)[0] as string;
}

describe('real HTTP outcalls', () => {
  test("the library in 'fetch' mode makes the outcall between rounds and the canister gets the transformed response", async () => {
    const ic = await Capsule.create({ httpOutcalls: 'fetch' });
    const canisterId = await deploy(ic);
    assert.equal(await fetchText(ic, canisterId, `${base}/hello`), '200 0 served /hello!');
    const request = seen.find((entry) => entry.url === '/hello');
    assert.equal(request?.headers['user-agent'], 'ic/1.0');
    assert.equal(request?.headers['x-test'], '1');
    // Without a transform the response headers reach the canister.
    assert.match(await fetchText(ic, canisterId, `${base}/raw`, undefined, false), /^200 [1-9]\d* served \/raw$/);
    await ic.close();
  });

  test('a response over max_response_bytes is cut off and rejected with SYS_FATAL', async () => {
    const ic = await Capsule.create({ httpOutcalls: 'fetch' });
    const canisterId = await deploy(ic);
    assert.equal(await fetchText(ic, canisterId, `${base}/big`, 1000n), 'reject #system_fatal Http body exceeds size limit of 1000 bytes.');
    await ic.close();
  });

  test('a server that does not answer in time gives SYS_TRANSIENT', async () => {
    const ic = await Capsule.create({ httpOutcalls: { timeoutMs: 300 } });
    const canisterId = await deploy(ic);
    assert.equal(await fetchText(ic, canisterId, `${base}/slow`), 'reject #system_transient Deadline Exceeded');
    await ic.close();
  });

  test('plain HTTP to another machine is refused, and a refused connection is transient', async () => {
    const ic = await Capsule.create({ httpOutcalls: 'fetch' });
    const canisterId = await deploy(ic);
    assert.equal(await fetchText(ic, canisterId, 'http://example.com/'), 'reject #system_fatal Url need to specify https scheme');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    assert.match(await fetchText(ic, canisterId, `http://127.0.0.1:${port}/`), /^reject #system_transient Connecting to 127\.0\.0\.1 failed/);
    await ic.close();
  });

  test('the round driver of a server front end fetches between rounds and answers in a later round', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const replica = replicaOf(ic);
    const driver = new RoundDriver({ replica, clock: () => replica.state.time + 1n, idleMs: Number.POSITIVE_INFINITY, onError: (e) => assert.fail(String(e)), fetchHttpOutcalls: { timeoutMs: 5_000 } });
    try {
      const messageId = replica.submit({ sender: canisterId, receiver: canisterId, method: 'fetch', arg: fetchArg(`${base}/driven`, undefined, true) });
      assert.equal(typeof messageId, 'string');
      driver.kick();
      assert.equal(await driver.waitFor(messageId as string, 10_000), 'done');
      const status = replica.ingressStatus(messageId as string);
      assert.equal(status?.status, 'replied');
      assert.equal(IDL.decode([IDL.Text], status?.status === 'replied' ? status.reply : new Uint8Array())[0], '200 0 served /driven!');
    } finally {
      driver.close();
      await ic.close();
    }
  });
});
