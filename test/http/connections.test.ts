// Connection hygiene of the HTTP server: API requests must be CBOR, idle and silent connections are
// closed, the number of connections is bounded, and a client that goes away mid-body is a debug
// event, not an internal error — the server keeps serving throughout.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';

let server: HttpServerHandle;
const logged: string[] = [];
const debugged: string[] = [];

before(async () => {
  const capsule = await Capsule.create({ time: 1_700_000_000_000_000_000n });
  server = await startHttpServer({
    replica: replicaOf(capsule),
    port: 0,
    idleRoundMs: Number.POSITIVE_INFINITY,
    limits: { idleTimeoutMs: 300, headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 4 },
    log: (line) => logged.push(line),
    debug: (line) => debugged.push(line),
  });
});
after(() => server.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server closes the socket, or 'open' after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    socket.on('error', () => {});
    socket.resume(); // read what the server sends (a 408), so its closing is seen
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

async function statusOk(): Promise<void> {
  const response = await fetch(`${server.url}/api/v2/status`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
}

test('a request is routed by its URL path: a query string and dot segments are parsed away, percent-encoding is kept', async () => {
  for (const path of ['/api/v2/status', '/api/v2/status?probe=1', '/api/v2/./status', '/api/x/../v2/status']) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, 200, path);
    await response.arrayBuffer();
  }
  const unknown = await fetch(`${server.url}/api/v2/st%61tus`);
  assert.equal(unknown.status, 404, 'the path is matched as sent, percent-encoded');
  await unknown.arrayBuffer();
});

test('an API request that is not CBOR is refused with 400', async () => {
  const response = await fetch(`${server.url}/api/v3/canister/aaaaa-aa/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /application\/cbor/);
  const missing = await fetch(`${server.url}/api/v2/canister/aaaaa-aa/query`, { method: 'POST', body: new Uint8Array([0xa0]) });
  assert.equal(missing.status, 400);
  await missing.text();
});

test('an idle keep-alive connection is closed after the idle timeout', async () => {
  const socket = await open();
  socket.write(`GET /api/v2/status HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  await new Promise((resolve) => socket.once('data', resolve));
  assert.equal(await closedWithin(socket, 3_000), 'closed');
});

test('a connection that sends no complete headers is closed', async () => {
  const socket = await open();
  socket.write('GET /api/v2/status HTTP/1.1\r\nHost: loc');
  assert.equal(await closedWithin(socket, 3_000), 'closed');
});

test('connections beyond the maximum are refused; the server keeps serving', async () => {
  const sockets = await Promise.all([open(), open(), open(), open()]);
  const extra = await open();
  assert.equal(await closedWithin(extra, 150), 'closed', 'refused at once, before any timeout could close it');
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await statusOk();
});

test('a client that disconnects mid-body is a debug event, never an internal error', async () => {
  const socket = await open();
  socket.write('POST /api/v3/canister/aaaaa-aa/call HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/cbor\r\nContent-Length: 1000\r\n\r\n0123456789');
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(logged, []);
  assert.ok(debugged.some((line) => line.includes('aborted')), debugged.join('\n'));
  await statusOk();
});
