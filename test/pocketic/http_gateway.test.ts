// PocketIC's HTTP gateways on Capsule: pic-js `makeLive()` serves a canister's verified pages and the
// instance's IC HTTP interface (an agent's host) on the returned port, `stopLive()` closes it;
// `http_gateway_config` starts one with the instance; a taken port is a 502; HTTPS and custom
// domains; Chromium loads a page through the gateway.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PocketIc } from '@dfinity/pic';
import { Actor, type ActorMethod, HttpAgent } from '@icp-sdk/core/agent';
import type { IDL } from '@icp-sdk/core/candid';
import { decodeCbor, isCborMap } from '../../src/certification/index.ts';
import { type PocketIcServerHandle, startPocketIcServer } from '../../src/pocketic/index.ts';
import { parseJson, stringifyJson } from '../../src/pocketic/json.ts';
import { chromiumPath, NO_CHROMIUM } from '../examples/_browser.ts';
import { send, siteWasm } from '../gateway/_site.ts';
import { canisterSource, motoko } from '../support/build.ts';

const DEFAULT_CONFIG = { subnet_config_set: { application: [{ state_config: 'New', instruction_config: 'Production', cost_schedule: 'Normal' }] } };
const PAGE = /Hello from a certified canister/;
const chromium = chromiumPath();

let server: PocketIcServerHandle;
let wasm: Uint8Array;
const dirs: string[] = [];

/** pic-js brings its own agent library: its types, not the repository's, describe what it takes. */
type InterfaceFactory = Parameters<PocketIc['createActor']>[0];
const noMethods: InterfaceFactory = ({ IDL }) => IDL.Service({});

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, checked by each test
  body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    body: body === undefined ? undefined : stringifyJson(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? parseJson(text) : null };
}


async function refusesConnections(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/api/v2/status`);
    return false;
  } catch {
    return true;
  }
}

before(async () => {
  wasm = await siteWasm();
  server = await startPocketIcServer();
});

after(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-gateway-'));
  dirs.push(dir);
  return dir;
}

/** The id of the instance pic-js created last (pic-js does not expose it). */
async function lastInstance(): Promise<number> {
  return (await call('GET', '/instances')).body.length - 1;
}

test("makeLive serves the canister's verified page by <id>.localhost and ?canisterId=, and the instance's API, on the returned port", async () => {
  const pic = await PocketIc.create(server.url);
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    const port = await pic.makeLive();
    // Node's fetch sets Host from the URL and does not resolve *.localhost: node:http sends the Host a browser would.
    const byHost = await send(port, `${canisterId.toText()}.localhost:${port}`, '/');
    assert.equal(byHost.status, 200, byHost.text());
    assert.ok(byHost.headers['ic-certificate'], 'the page was served with its certificate, after verification');
    assert.equal(byHost.headers['x-ic-canister-id'], canisterId.toText());
    assert.match(byHost.text(), PAGE);
    const byQuery = await fetch(`http://127.0.0.1:${port}/?canisterId=${canisterId.toText()}`);
    assert.equal(byQuery.status, 200);
    assert.match(await byQuery.text(), PAGE);
    const status = decodeCbor(new Uint8Array(await (await fetch(`http://127.0.0.1:${port}/api/v2/status`)).arrayBuffer()));
    assert.ok(isCborMap(status) && status.get('root_key') instanceof Uint8Array, 'the status carries the root key');
    const topology = (await (await fetch(`http://127.0.0.1:${port}/_/topology`)).json()) as { subnet_configs: object };
    assert.equal(Object.keys(topology.subnet_configs).length, 1);
    assert.equal(await pic.makeLive(), port, 'a live instance keeps its gateway');
    const listed = await call('GET', '/http_gateway');
    assert.deepEqual(
      listed.body.map((gateway: { port: number }) => gateway.port),
      [port],
    );
    await pic.stopLive();
    assert.ok(await refusesConnections(port), 'stopLive closed the port');
    assert.deepEqual((await call('GET', '/http_gateway')).body, []);
    assert.equal((await call('GET', `/instances/${await lastInstance()}/auto_progress`)).body, false);
  } finally {
    await pic.tearDown();
  }
});

test('an agent whose host is the live gateway updates and queries a canister, verifying certificates against the fetched root key', async () => {
  const suite = (await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' })).wasm;
  const pic = await PocketIc.create(server.url);
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm: suite });
    const port = await pic.makeLive();
    const agent = await HttpAgent.create({ host: `http://127.0.0.1:${port}`, shouldFetchRootKey: true });
    const idl: IDL.InterfaceFactory = ({ IDL }) => IDL.Service({ set: IDL.Func([IDL.Text], [], []), get: IDL.Func([], [IDL.Text], ['query']) });
    const actor = Actor.createActor<{ set: ActorMethod<[string], undefined>; get: ActorMethod<[], string> }>(idl, { agent, canisterId: canisterId.toText() });
    await actor.set('through the gateway');
    assert.equal(await actor.get(), 'through the gateway');
    await pic.stopLive();
  } finally {
    await pic.tearDown();
  }
});

test('an update through the gateway (an upgraded request) runs in the live instance and its reply is served', async () => {
  const pic = await PocketIc.create(server.url);
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    const port = await pic.makeLive();
    const host = `${canisterId.toText()}.localhost:${port}`;
    const first = await send(port, host, '/count', { method: 'POST', body: 'x' });
    const second = await send(port, host, '/count', { method: 'POST', body: 'x' });
    assert.equal(first.status, 200, first.text());
    assert.equal(first.text(), 'POST /count update 1');
    assert.equal(second.text(), 'POST /count update 2');
    await pic.stopLive();
  } finally {
    await pic.tearDown();
  }
});

test('http_gateway_config starts a gateway with the instance, named in http_gateway_info; deleting the instance stops it', async () => {
  const created = await call('POST', '/instances', { ...DEFAULT_CONFIG, http_gateway_config: { ip_addr: '127.0.0.1', port: null, domains: ['localhost'] } });
  assert.equal(created.status, 201);
  const { instance_id: instanceId, http_gateway_info: info } = created.body.Created;
  assert.equal(typeof info.instance_id, 'number');
  const port = Number(info.port);
  assert.ok(port > 0);
  const status = await fetch(`http://127.0.0.1:${port}/api/v2/status`);
  assert.equal(status.status, 200);
  assert.equal(status.headers.get('content-type'), 'application/cbor');
  assert.equal((await call('DELETE', `/instances/${instanceId}`)).status, 200);
  assert.ok(await refusesConnections(port), 'the gateway stopped with its instance');
  assert.deepEqual((await call('GET', '/http_gateway')).body, []);
  const instances = (await call('GET', '/instances')).body.length;
  const badPort = await call('POST', '/instances', { ...DEFAULT_CONFIG, http_gateway_config: { port: 70000 } });
  assert.equal(badPort.status, 400);
  assert.match(badPort.body.Error.message, /`port` must be a u16/);
  assert.equal((await call('GET', '/instances')).body.length, instances, 'no instance was created');
});

test('a gateway on a port in use is a 502 with the reason, and the instance keeps serving', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const created = await call('POST', '/instances', DEFAULT_CONFIG);
    const instanceId = created.body.Created.instance_id;
    const refused = await call('POST', '/http_gateway', { forward_to: { PocketIcInstance: instanceId }, port });
    assert.equal(refused.status, 502);
    assert.match(refused.body.Error.message, /Address already in use/);
    const atCreation = await call('POST', '/instances', { ...DEFAULT_CONFIG, http_gateway_config: { port } });
    assert.equal(atCreation.status, 502);
    assert.match(atCreation.body.Error.message, /Address already in use/);
    assert.equal((await call('GET', `/instances/${instanceId}/read/get_time`)).status, 200);
    await call('DELETE', `/instances/${instanceId}`);
  } finally {
    taken.close();
  }
});

test("a Replica URL naming this server's instance is served like the instance; an unreachable replica is a 502, a malformed configuration a 400", async () => {
  const instanceId = (await call('POST', '/instances', DEFAULT_CONFIG)).body.Created.instance_id;
  try {
    const started = await call('POST', '/http_gateway', { forward_to: { Replica: `${server.url}/instances/${instanceId}/` } });
    assert.equal(started.status, 201);
    assert.equal((await fetch(`http://127.0.0.1:${started.body.Created.port}/api/v2/status`)).status, 200);
    assert.deepEqual((await call('GET', '/http_gateway')).body[0].forward_to, { Replica: `${server.url}/instances/${instanceId}/` });
    const unreachable = await call('POST', '/http_gateway', { forward_to: { Replica: 'http://127.0.0.1:1/instances/0' } });
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.body.Error.message, /^Upstream error: the root key of http:\/\/127\.0\.0\.1:1\/instances\/0 could not be fetched/);
    const incomplete = await call('POST', '/http_gateway', { forward_to: { PocketIcInstance: instanceId }, https_config: { cert_path: '/cert.pem' } });
    assert.equal(incomplete.status, 400);
    assert.match(incomplete.body.Error.message, /Missing field `key_path`/);
    assert.equal((await call('POST', `/http_gateway/${started.body.Created.instance_id}/stop`)).body, null);
  } finally {
    await call('DELETE', `/instances/${instanceId}`);
  }
});

test("a gateway forwarding to another server's replica serves its verified pages, its upgraded requests and its API; stopping that server closes its own gateways", async () => {
  const other = await startPocketIcServer();
  const pic = await PocketIc.create(other.url);
  let otherGateway = 0;
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    // The replica's certificates and expiries follow the wall clock, as a replica's do.
    otherGateway = await pic.makeLive();
    const replica = `${other.url}/instances/0`;
    const started = await call('POST', '/http_gateway', { forward_to: { Replica: replica } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const port = started.body.Created.port;
    const host = `${canisterId.toText()}.localhost:${port}`;
    const page = await send(port, host, '/');
    assert.equal(page.status, 200, page.text());
    assert.ok(page.headers['ic-certificate'], 'verified against the fetched root key before it was served');
    assert.match(page.text(), PAGE);
    const forged = await send(port, host, '/forged');
    assert.equal(forged.status, 503, 'a body that does not match its certification is refused');
    assert.equal((await send(port, host, '/count', { method: 'POST', body: 'x' })).text(), 'POST /count update 1');
    assert.equal((await send(port, host, '/count', { method: 'POST', body: 'x' })).text(), 'POST /count update 2');
    const status = await fetch(`http://127.0.0.1:${port}/api/v2/status`);
    assert.equal(status.status, 200);
    assert.equal(status.headers.get('access-control-allow-origin'), '*');
    const rootKey = decodeCbor(new Uint8Array(await status.arrayBuffer()));
    assert.ok(isCborMap(rootKey) && rootKey.get('root_key') instanceof Uint8Array);
    await call('POST', `/http_gateway/${started.body.Created.instance_id}/stop`);
  } finally {
    await other.close();
  }
  assert.ok(await refusesConnections(otherGateway), "the other server's gateway closed with it");
});

test('Chromium loads a canister page through the live gateway', { skip: !chromium && NO_CHROMIUM, timeout: 90_000 }, async () => {
  const { chromium: browserType } = await import('playwright-core');
  const pic = await PocketIc.create(server.url);
  const browser = await browserType.launch({ executablePath: chromium!, args: ['--no-sandbox'] });
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    const port = await pic.makeLive();
    const tab = await browser.newPage();
    const response = await tab.goto(`http://${canisterId.toText()}.localhost:${port}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await tab.title(), 'Capsule');
    assert.equal(await tab.textContent('h1'), 'Hello from a certified canister');
    await pic.stopLive();
  } finally {
    await browser.close();
    await pic.tearDown();
  }
});

test('with https_config the gateway serves HTTPS with the given certificate; a key that is not PEM is a 502', async () => {
  const dir = tempDir();
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  const pic = await PocketIc.create(server.url);
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    const instance = await lastInstance();
    const started = await call('POST', '/http_gateway', { forward_to: { PocketIcInstance: instance }, https_config: { cert_path: cert, key_path: key } });
    assert.equal(started.status, 201);
    const port = started.body.Created.port;
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path: '/', servername: 'localhost', ca: readFileSync(cert), headers: { host: `${canisterId.toText()}.localhost:${port}` } };
      httpsRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(reply.status, 200);
    assert.match(reply.text, PAGE);
    assert.equal((await call('GET', '/http_gateway')).body[0].https_config.cert_path, cert);
    await call('POST', `/http_gateway/${started.body.Created.instance_id}/stop`);
    writeFileSync(key, 'not a key');
    const refused = await call('POST', '/http_gateway', { forward_to: { PocketIcInstance: instance }, https_config: { cert_path: cert, key_path: key } });
    assert.equal(refused.status, 502);
    assert.match(refused.body.Error.message, /^TLS config could not be created/);
  } finally {
    await pic.tearDown();
  }
});

test('domain_custom_provider_local_file serves each host:canister-id line of the file as a custom domain', async () => {
  const file = join(tempDir(), 'custom-domains.txt');
  const pic = await PocketIc.create(server.url);
  try {
    const { canisterId } = await pic.setupCanister({ idlFactory: noMethods, wasm });
    writeFileSync(file, `shop.example:${canisterId.toText()}\n`);
    const started = await call('POST', '/http_gateway', { forward_to: { PocketIcInstance: await lastInstance() }, domain_custom_provider_local_file: file });
    assert.equal(started.status, 201);
    const port = started.body.Created.port;
    const reply = await send(port, `shop.example:${port}`, '/');
    assert.equal(reply.status, 200, reply.text());
    assert.match(reply.text(), PAGE);
    assert.equal((await send(port, `other.example:${port}`, '/')).status, 404, 'a host the file does not name serves nothing');
  } finally {
    await pic.tearDown();
  }
});
