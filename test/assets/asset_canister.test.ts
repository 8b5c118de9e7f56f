// The shipped asset canister, built from source, behind a real `capsule start`: @dfinity/assets
// uploads through @dfinity/agent, and every http_request answer is checked with the
// @dfinity/response-verification verifier against the server's root key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Actor, AssetManager, Ed25519KeyIdentity, type HttpAgent, type Principal } from '../clients/agent3/index.ts';
import {
  type AssetsCanister,
  assetsIdl,
  type Deployment,
  deployAssetCanister,
  EMPTY_ARG,
  type HttpRequest,
  type HttpResponse,
  request,
  sha256,
  text,
  utf8,
  verified,
} from './_harness.ts';

describe('the certified asset canister behind capsule start', () => {
  let deployment: Deployment;
  let agent: HttpAgent;
  let canisterId: Principal;
  let assets: AssetsCanister;
  const big = randomBytes(10 * 1024 * 1024);
  const appJs = utf8(`console.log(${JSON.stringify('x'.repeat(2000))});\n`);

  before(async () => {
    deployment = await deployAssetCanister();
    ({ agent, canisterId, assets } = deployment);
  });
  after(() => deployment?.server.stop());

  const verify = (req: HttpRequest, response: HttpResponse, minVersion = 2) => verified(deployment, req, response, minVersion);

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
    const { result, body } = await verify(req, response);
    assert.equal(result.verificationVersion, 2);
    assert.equal(text(body), 'body { color: red }');
    assert.deepEqual(result.response?.headers.find(([name]) => name === 'content-type'), ['content-type', 'text/css']);
  });

  test('legacy clients asking for no certificate version get a v1 certificate that verifies', async () => {
    const req = request('/index.html', [], 1);
    const response = await assets.http_request(req);
    const { result } = await verify(req, response, 1);
    assert.equal(result.verificationVersion, 1);
  });

  test('an unknown deep path gets /index.html, certified through the catch-all', async () => {
    for (const url of ['/app/settings/profile?tab=2', '/', '/index', '/nothing/here/']) {
      const req = request(url);
      const response = await assets.http_request(req);
      assert.equal(response.status_code, 200, url);
      const { result, body } = await verify(req, response);
      assert.equal(result.verificationVersion, 2, url);
      assert.match(text(body), /<title>Home<\/title>/, url);
    }
  });

  test('Accept-Encoding chooses the gzip encoding, certified with its content-encoding header', async () => {
    const req = request('/js/app.js', [['Accept-Encoding', 'gzip, deflate, br']]);
    const response = await assets.http_request(req);
    const { result, body } = await verify(req, response);
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
    const { result, body } = await verify(req, response);
    assert.equal(result.verificationVersion, 2);
    assert.deepEqual(sha256(body), sha256(big));
  });

  test('a principal without Commit permission cannot store, until it is authorized', async () => {
    const stranger = Ed25519KeyIdentity.generate();
    const theirs = Actor.createActor<AssetsCanister>(assetsIdl, { agent: await deployment.agentFor(stranger), canisterId });
    const args = { key: '/theirs.txt', content_type: 'text/plain', content_encoding: 'identity', content: utf8('hi'), sha256: [] as [] };
    await assert.rejects(theirs.store(args), /Caller does not have Commit permission/);
    await assets.authorize(stranger.getPrincipal());
    await theirs.store(args);
    const committers = (await assets.list_permitted({ permission: { Commit: null } })).map((p) => p.toText());
    assert.deepEqual(committers.sort(), [deployment.owner.getPrincipal().toText(), stranger.getPrincipal().toText()].sort());
  });

  test('the assets, their certification and the permissions survive an upgrade', async () => {
    await deployment.management(canisterId).install_code({ mode: { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }, canister_id: canisterId, wasm_module: deployment.wasm, arg: EMPTY_ARG });
    const req = request('/style.css');
    const { body } = await verify(req, await assets.http_request(req));
    assert.equal(text(body), 'body { color: red }');
    assert.equal((await assets.list_authorized()).length, 2);
  });
});
