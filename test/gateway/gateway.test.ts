// The HTTP gateway end to end: a canister's pages through the server's port, verified before they are
// served, and 503 with the reason for anything that does not verify.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeCbor } from '../../src/certification/index.ts';
import { wallClockNanos } from '../../src/replica/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { type Reply, type Site, send, startSite } from './_site.ts';

const OTHER = 'ryjl3-tyaaa-aaaaa-aaaba-cai';

let site: Site;
let host: string;
const get = (path: string, hostName = host, headers: Record<string, string> = {}): Promise<Reply> => send(site.server.port, hostName, path, { headers });

before(async () => {
  site = await startSite();
  host = `${site.canisterId.toText()}.localhost:${site.server.port}`;
});
after(() => site.close());

function assertRefused(reply: Reply, reason: RegExp, servedText: string): void {
  assert.equal(reply.status, 503, reply.text());
  assert.match(reply.text(), /Response verification failed/);
  assert.match(reply.text(), reason);
  assert.ok(!reply.text().includes(servedText), 'the unverified body must not be served');
}

test('a certified page is served verified, with its certified headers and the canister id', async () => {
  const reply = await get('/');
  assert.equal(reply.status, 200, reply.text());
  assert.match(reply.text(), /Hello from a certified canister/);
  assert.equal(reply.headers['content-type'], 'text/html');
  assert.ok(reply.headers['ic-certificate'], 'the certificate header is passed on');
  assert.equal(reply.headers['x-ic-canister-id'], site.canisterId.toText());
  assert.match(String(reply.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.equal(reply.headers['content-length'], String(reply.body.length));
});

test('a certified 1 MB body is served whole', async () => {
  const reply = await get('/large');
  assert.equal(reply.status, 200, reply.text().slice(0, 200));
  assert.equal(reply.body.length, 1_000_000);
  assert.equal(reply.body[1000], 1000 % 251);
});

test('a certificate whose signature was tampered with is refused with 503', async () => {
  const reply = await get('/bad-certificate');
  assertRefused(reply, /Certificate verification failed/, 'Hello');
  assert.doesNotMatch(reply.text(), /time/, 'a fresh certificate is not called stale');
});

test('a body that does not match its certification is refused with 503', async () => {
  assertRefused(await get('/forged'), /hash/i, 'a forged body');
});

test('a response with no certificate at all is refused with 503', async () => {
  assertRefused(await get('/uncertified'), /not found|missing/i, 'nobody vouches');
});

test('a stale certificate (the replica far in the past) is refused with 503', async () => {
  const hourAgo = wallClockNanos() - 3_600_000_000_000n;
  const stale = await startSite({ clock: () => hourAgo });
  try {
    const reply = await send(stale.server.port, `${stale.canisterId.toText()}.localhost`, '/');
    assertRefused(reply, /the certificate's time is 3[56]\d\d s behind the gateway's clock/, 'Hello');
  } finally {
    await stale.close();
  }
});

test('a raw host serves the canister unverified', async () => {
  const reply = await get('/uncertified', `${site.canisterId.toText()}.raw.localhost:${site.server.port}`);
  assert.equal(reply.status, 200);
  assert.equal(reply.text(), 'nobody vouches for this');
});

test('the canister gets the URL as sent, lower-case header names, identity among the encodings and no x-request-id', async () => {
  const reply = await get('/headers?q=1&canisterId=x', `${site.canisterId.toText()}.raw.localhost:${site.server.port}`, {
    'Accept-Encoding': 'gzip, br',
    'X-Request-Id': 'mine',
    'X-Custom': 'Kept As Is',
  });
  assert.equal(reply.status, 200, reply.text());
  const [requestLine, ...headers] = reply.text().split('\n');
  assert.equal(requestLine, 'GET /headers?q=1&canisterId=x');
  assert.ok(headers.includes('accept-encoding: gzip, br, identity'), reply.text());
  assert.ok(headers.includes('x-custom: Kept As Is'), reply.text());
  assert.ok(headers.includes(`host: ${site.canisterId.toText()}.raw.localhost:${site.server.port}`), reply.text());
  assert.ok(!headers.some((h) => h.startsWith('x-request-id')), reply.text());
});

test('a version 1 certification of the http_assets tree verifies', async () => {
  const reply = await get('/legacy');
  assert.equal(reply.status, 200, reply.text());
  assert.equal(reply.text(), 'certified the old way');
});

test('?canisterId= finds the canister on 127.0.0.1 and localhost, and the Referer finds it for sub-resources', async () => {
  const id = site.canisterId.toText();
  for (const base of ['127.0.0.1', 'localhost']) {
    const reply = await get(`/?canisterId=${id}`, `${base}:${site.server.port}`);
    assert.equal(reply.status, 200, `${base}: ${reply.text()}`);
    assert.match(reply.text(), /Hello/);
  }
  const referred = await get('/index.html', `localhost:${site.server.port}`, { referer: `http://localhost:${site.server.port}/?canisterId=${id}` });
  assert.equal(referred.status, 200, referred.text());
  assert.match(referred.text(), /Hello/);
  const prefixed = await get('/', `shop--${id}.localhost:${site.server.port}`);
  assert.equal(prefixed.status, 200, prefixed.text());
});

test('a malformed canister id is a 400; a request naming no canister keeps the 404', async () => {
  assert.equal((await get('/', `not-a-principal.localhost:${site.server.port}`)).status, 400);
  assert.equal((await get('/?canisterId=nope', `127.0.0.1:${site.server.port}`)).status, 400);
  assert.equal((await get('/', `127.0.0.1:${site.server.port}`)).status, 404);
});

test('a canister that does not exist, or serves no http_request, is a 404', async () => {
  const missing = await get('/', `${OTHER}.localhost:${site.server.port}`);
  assert.equal(missing.status, 404, missing.text());
  const counter = await site.capsule.createCanister();
  await site.capsule.installCode({ canisterId: counter, wasm: (await motoko(canisterSource('general.mo'))).wasm });
  const noHttp = await get('/', `${counter.toText()}.localhost:${site.server.port}`);
  assert.equal(noHttp.status, 404, noHttp.text());
  assert.match(noHttp.text(), /http_request/);
  assert.ok(noHttp.headers['x-ic-canister-id']);
});

test('a canister that asks for an upgrade gets the request as an update call, which changes its state', async () => {
  const first = await send(site.server.port, host, '/counter', { method: 'POST', body: 'x' });
  assert.equal(first.status, 200, first.text());
  assert.equal(first.text(), 'POST /counter update 1');
  const second = await send(site.server.port, host, '/counter', { method: 'PUT' });
  assert.equal(second.text(), 'PUT /counter update 2');
});

test('a streamed body is assembled from every callback and verified whole', async () => {
  const reply = await get('/streamed');
  assert.equal(reply.status, 200, reply.text().slice(0, 200));
  const chunk = (text: string): string => text.repeat(Math.ceil(40_000 / text.length)).slice(0, 40_000);
  assert.equal(reply.text(), chunk('first|') + chunk('second|') + chunk('third|'));
});

test('a range request gets the canister verified 206; without Range the ranges are stitched into a 200', async () => {
  const ranged = await get('/range', host, { range: 'bytes=8-' });
  assert.equal(ranged.status, 206, ranged.text());
  assert.equal(ranged.text(), '89abcdef');
  assert.equal(ranged.headers['content-range'], 'bytes 8-15/20');
  const whole = await get('/range');
  assert.equal(whole.status, 200, whole.text());
  assert.equal(whole.text(), '0123456789abcdefghij');
  assert.equal(whole.headers['content-range'], undefined);
});

test('/api/v2/status answers on a canister host, and the API allows cross-origin calls', async () => {
  const status = await get('/api/v2/status');
  assert.equal(status.status, 200);
  assert.ok(decodeCbor(new Uint8Array(status.body)));
  assert.equal(status.headers['access-control-allow-origin'], '*');
  const preflight = await send(site.server.port, `localhost:${site.server.port}`, '/api/v3/canister/aaaaa-aa/call', {
    method: 'OPTIONS',
    headers: { origin: `http://${host}`, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
  assert.match(String(preflight.headers['access-control-allow-headers']), /content-type/);
});
