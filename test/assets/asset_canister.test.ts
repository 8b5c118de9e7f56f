// The shipped asset canister, built from source, behind a real `capsule start`: @dfinity/assets
// uploads through @dfinity/agent, and every http_request answer is checked with the
// @dfinity/response-verification verifier against the server's root key.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { after, before, describe, test } from 'node:test';
import { Actor, AssetManager, Ed25519KeyIdentity, HttpAgent, IDL, Principal, type ActorMethod, type Identity } from '../clients/agent3/index.ts';
import { startServer, type ServerProcess } from '../http/_server.ts';
import { assetCanisterWasm } from './_canister.ts';

const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

type Header = [string, string];
interface HttpRequest {
  method: string;
  url: string;
  headers: Header[];
  body: Uint8Array;
  certificate_version: [] | [number];
}
interface Token {
  key: string;
  content_encoding: string;
  index: bigint;
  sha256: [] | [Uint8Array];
}
interface HttpResponse {
  status_code: number;
  headers: Header[];
  body: Uint8Array;
  streaming_strategy: [] | [{ Callback: { callback: unknown; token: Token } }];
}
interface AssetsCanister {
  http_request: ActorMethod<[HttpRequest], HttpResponse>;
  http_request_streaming_callback: ActorMethod<[Token], { body: Uint8Array; token: [] | [Token] }>;
  get_chunk: ActorMethod<[{ key: string; content_encoding: string; index: bigint; sha256: [] | [Uint8Array] }], { content: Uint8Array }>;
  store: ActorMethod<[{ key: string; content_type: string; content_encoding: string; content: Uint8Array; sha256: [] | [Uint8Array] }], undefined>;
  authorize: ActorMethod<[Principal], undefined>;
  list_authorized: ActorMethod<[], Principal[]>;
  list_permitted: ActorMethod<[{ permission: { Commit: null } | { Prepare: null } | { ManagePermissions: null } }], Principal[]>;
  api_version: ActorMethod<[], number>;
}
const assetsIdl: IDL.InterfaceFactory = ({ IDL }) => {
  const header = IDL.Tuple(IDL.Text, IDL.Text);
  const token = IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, index: IDL.Nat, sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) });
  const callbackResponse = IDL.Record({ body: IDL.Vec(IDL.Nat8), token: IDL.Opt(token) });
  const permission = IDL.Variant({ Commit: IDL.Null, Prepare: IDL.Null, ManagePermissions: IDL.Null });
  return IDL.Service({
    http_request: IDL.Func(
      [IDL.Record({ method: IDL.Text, url: IDL.Text, headers: IDL.Vec(header), body: IDL.Vec(IDL.Nat8), certificate_version: IDL.Opt(IDL.Nat16) })],
      [
        IDL.Record({
          status_code: IDL.Nat16,
          headers: IDL.Vec(header),
          body: IDL.Vec(IDL.Nat8),
          streaming_strategy: IDL.Opt(IDL.Variant({ Callback: IDL.Record({ callback: IDL.Func([token], [callbackResponse], ['query']), token }) })),
        }),
      ],
      ['query'],
    ),
    http_request_streaming_callback: IDL.Func([token], [callbackResponse], ['query']),
    get_chunk: IDL.Func([IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, index: IDL.Nat, sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) })], [IDL.Record({ content: IDL.Vec(IDL.Nat8) })], ['query']),
    store: IDL.Func(
      [IDL.Record({ key: IDL.Text, content_type: IDL.Text, content_encoding: IDL.Text, content: IDL.Vec(IDL.Nat8), sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) })],
      [],
      [],
    ),
    authorize: IDL.Func([IDL.Principal], [], []),
    list_authorized: IDL.Func([], [IDL.Vec(IDL.Principal)], ['query']),
    list_permitted: IDL.Func([IDL.Record({ permission })], [IDL.Vec(IDL.Principal)], ['query']),
    api_version: IDL.Func([], [IDL.Nat16], ['query']),
  });
};

interface Management {
  provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: [] | [{ controllers: [] | [Principal[]] }]; specified_id: [] }], { canister_id: Principal }>;
  install_code: ActorMethod<[{ mode: { install: null } | { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
}
const managementIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)) })), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
    install_code: IDL.Func(
      [
        IDL.Record({
          mode: IDL.Variant({ install: IDL.Null, upgrade: IDL.Opt(IDL.Record({ wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })) })) }),
          canister_id: IDL.Principal,
          wasm_module: IDL.Vec(IDL.Nat8),
          arg: IDL.Vec(IDL.Nat8),
        }),
      ],
      [],
      [],
    ),
  });

const EMPTY_ARG = IDL.encode([], []);

describe('the certified asset canister behind capsule start', () => {
  let server: ServerProcess;
  let agent: HttpAgent;
  let canisterId: Principal;
  let wasm: Uint8Array;
  let assets: AssetsCanister;
  const owner = Ed25519KeyIdentity.generate();
  const big = randomBytes(10 * 1024 * 1024);
  const appJs = utf8(`console.log(${JSON.stringify('x'.repeat(2000))});\n`);

  const agentFor = (identity: Identity) => HttpAgent.create({ host: server.url, identity, shouldFetchRootKey: true });
  const management = (id: Principal) => Actor.createActor<Management>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: id });

  before(async () => {
    [server, wasm] = await Promise.all([startServer(), assetCanisterWasm()]);
    agent = await agentFor(owner);
    ({ canister_id: canisterId } = await management(IN_RANGE).provisional_create_canister_with_cycles({ amount: [10n ** 14n], settings: [], specified_id: [] }));
    await management(canisterId).install_code({ mode: { install: null }, canister_id: canisterId, wasm_module: wasm, arg: EMPTY_ARG });
    assets = Actor.createActor<AssetsCanister>(assetsIdl, { agent, canisterId });
  });
  after(() => server?.stop());

  function request(url: string, headers: Header[] = [], version: 1 | 2 = 2): HttpRequest {
    return { method: 'GET', url, headers, body: new Uint8Array(), certificate_version: version === 2 ? [2] : [] };
  }

  /** The full body, following the streaming callback to the end. */
  async function fullBody(response: HttpResponse): Promise<Uint8Array> {
    const parts = [response.body];
    let token = response.streaming_strategy[0]?.Callback.token;
    while (token) {
      const next = await assets.http_request_streaming_callback(token);
      parts.push(next.body);
      token = next.token[0];
    }
    return new Uint8Array(Buffer.concat(parts));
  }

  /** Verifies the response as a gateway does; returns the verified (certified) part. */
  async function verified(req: HttpRequest, response: HttpResponse, minVersion = 2) {
    const body = await fullBody(response);
    const result = verifyRequestResponsePair(
      { ...req, certificate_version: req.certificate_version.length ? req.certificate_version[0] : undefined } as never,
      { status_code: response.status_code, headers: response.headers, body },
      canisterId.toUint8Array(),
      BigInt(Date.now()) * 1_000_000n,
      300_000_000_000n,
      new Uint8Array(agent.rootKey!),
      minVersion,
    );
    return { result, body };
  }

  test('@dfinity/assets uploads a folder in one batch and a single file with store, and list/get return them', async () => {
    const manager = new AssetManager({ canisterId, agent });
    const batch = manager.batch();
    await batch.store(utf8('<!doctype html><title>Home</title>'), { fileName: 'index.html', contentType: 'text/html' });
    await batch.store(appJs, { fileName: 'app.js', path: '/js', contentType: 'text/javascript', sha256: sha256(appJs) });
    // Two encodings of one key in a batch need their sha256 given: @dfinity/assets hashes per key.
    const gzipped = new Uint8Array(gzipSync(appJs));
    await batch.store(gzipped, { fileName: 'app.js', path: '/js', contentType: 'text/javascript', contentEncoding: 'gzip', sha256: sha256(gzipped) });
    await batch.store(big, { fileName: 'big.bin', contentType: 'application/octet-stream' });
    await batch.commit();
    await manager.store(utf8('body { color: red }'), { fileName: 'style.css', contentType: 'text/css' });

    const keys = (await manager.list()).map((a) => a.key).sort();
    assert.deepEqual(keys, ['/big.bin', '/index.html', '/js/app.js', '/style.css']);
    const css = await manager.get('/style.css', ['identity']);
    assert.equal(text(await css.toUint8Array()), 'body { color: red }');
    assert.equal(await css.isCertified(), true);
  });

  test('http_request answers with a v2 certification that the response verifier accepts', async () => {
    const req = request('/style.css');
    const response = await assets.http_request(req);
    assert.equal(response.status_code, 200);
    const { result, body } = await verified(req, response);
    assert.equal(result.verificationVersion, 2);
    assert.equal(text(body), 'body { color: red }');
    assert.deepEqual(result.response?.headers.find(([name]) => name === 'content-type'), ['content-type', 'text/css']);
  });

  test('legacy clients asking for no certificate version get a v1 certificate that verifies', async () => {
    const req = request('/index.html', [], 1);
    const response = await assets.http_request(req);
    const { result } = await verified(req, response, 1);
    assert.equal(result.verificationVersion, 1);
  });

  test('an unknown deep path gets /index.html, certified through the catch-all', async () => {
    for (const url of ['/app/settings/profile?tab=2', '/', '/index', '/nothing/here/']) {
      const req = request(url);
      const response = await assets.http_request(req);
      assert.equal(response.status_code, 200, url);
      const { result, body } = await verified(req, response);
      assert.equal(result.verificationVersion, 2, url);
      assert.match(text(body), /<title>Home<\/title>/, url);
    }
  });

  test('Accept-Encoding chooses the gzip encoding, certified with its content-encoding header', async () => {
    const req = request('/js/app.js', [['Accept-Encoding', 'gzip, deflate, br']]);
    const response = await assets.http_request(req);
    const { result, body } = await verified(req, response);
    assert.deepEqual(result.response?.headers.find(([name]) => name === 'content-encoding'), ['content-encoding', 'gzip']);
    assert.deepEqual(new Uint8Array(gzipSync(appJs)), body);
    const identity = await assets.http_request(request('/js/app.js'));
    assert.deepEqual(identity.body, appJs);
    assert.equal(identity.headers.find(([name]) => name === 'content-encoding'), undefined);
  });

  test('a 10 MB asset reads back whole through get_chunk and through the streaming callback, and verifies', async () => {
    const manager = new AssetManager({ canisterId, agent });
    const asset = await manager.get('/big.bin', ['identity']);
    assert.equal(asset.length, big.length);
    assert.deepEqual(sha256(await asset.toUint8Array()), sha256(big));
    const first = await assets.get_chunk({ key: '/big.bin', content_encoding: 'identity', index: 1n, sha256: [sha256(big)] });
    assert.ok(first.content.length > 0);

    const req = request('/big.bin');
    const response = await assets.http_request(req);
    assert.equal(response.streaming_strategy.length, 1);
    const { result, body } = await verified(req, response);
    assert.equal(result.verificationVersion, 2);
    assert.deepEqual(sha256(body), sha256(big));
  });

  test('a principal without Commit permission cannot store, until it is authorized', async () => {
    const stranger = Ed25519KeyIdentity.generate();
    const theirs = Actor.createActor<AssetsCanister>(assetsIdl, { agent: await agentFor(stranger), canisterId });
    const args = { key: '/theirs.txt', content_type: 'text/plain', content_encoding: 'identity', content: utf8('hi'), sha256: [] as [] };
    await assert.rejects(theirs.store(args), /Caller does not have Commit permission/);
    await assets.authorize(stranger.getPrincipal());
    await theirs.store(args);
    const committers = (await assets.list_permitted({ permission: { Commit: null } })).map((p) => p.toText());
    assert.deepEqual(committers.sort(), [owner.getPrincipal().toText(), stranger.getPrincipal().toText()].sort());
  });

  test('the assets, their certification and the permissions survive an upgrade', async () => {
    await management(canisterId).install_code({ mode: { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }, canister_id: canisterId, wasm_module: wasm, arg: EMPTY_ARG });
    const req = request('/style.css');
    const { body } = await verified(req, await assets.http_request(req));
    assert.equal(text(body), 'body { color: red }');
    assert.equal((await assets.list_authorized()).length, 2);
  });
});
