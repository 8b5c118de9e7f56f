// The asset canister's batch, property and permission API as icp-cli's asset sync drives it
// (create_chunks, commit_batch with every operation, the proposal flow), with certified answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Actor, type ActorMethod, Ed25519KeyIdentity } from '../clients/agent3/index.ts';
import { type AssetsCanister, type Deployment, deployAssetCanister, type Operation, request, sha256, text, utf8, verified } from './_harness.ts';

describe('the asset canister batch API', () => {
  let deployment: Deployment;
  let assets: AssetsCanister;

  before(async () => {
    deployment = await deployAssetCanister();
    assets = deployment.assets;
  });
  after(() => deployment?.server.stop());

  const create = (key: string, contentType: string, extra: Partial<{ max_age: [bigint]; headers: [[string, string][]] }> = {}): Operation => ({
    CreateAsset: { key, content_type: contentType, max_age: [], headers: [], enable_aliasing: [], allow_raw_access: [], ...extra },
  });
  const content = (key: string, chunkIds: bigint[], bytes: Uint8Array): Operation => ({
    SetAssetContent: { key, content_encoding: 'identity', chunk_ids: chunkIds, last_chunk: [], sha256: [sha256(bytes)] },
  });

  async function upload(assetsActor: AssetsCanister, bytes: Uint8Array) {
    const { batch_id } = await assetsActor.create_batch({});
    const half = Math.floor(bytes.length / 2);
    const { chunk_ids } = await assetsActor.create_chunks({ batch_id, content: [bytes.subarray(0, half), bytes.subarray(half)] });
    return { batch_id, chunk_ids };
  }

  test('with no /index.html an unknown path is a certified 404', async () => {
    assert.equal(await assets.api_version(), 2);
    const req = request('/missing');
    const response = await assets.http_request(req);
    assert.equal(response.status_code, 404);
    const { result, body } = await verified(deployment, req, response);
    assert.equal(result.response?.statusCode, 404);
    assert.equal(text(body), 'not found');
  });

  test('create_chunks and commit_batch store an asset served at its alias with certified cache-control and custom headers', async () => {
    const page = utf8('<h1>About</h1>');
    const { batch_id, chunk_ids } = await upload(assets, page);
    await assets.commit_batch({
      batch_id,
      operations: [create('/about.html', 'text/html', { max_age: [3600n], headers: [[['Content-Security-Policy', "default-src 'self'"]]] }), content('/about.html', chunk_ids, page)],
    });
    for (const url of ['/about.html', '/about']) {
      const req = request(url);
      const { result, body } = await verified(deployment, req, await assets.http_request(req));
      assert.equal(text(body), '<h1>About</h1>', url);
      const headers = new Map(result.response!.headers);
      assert.equal(headers.get('cache-control'), 'max-age=3600', url);
      assert.equal(headers.get('content-security-policy'), "default-src 'self'", url);
    }
  });

  test('a folder index is served, certified, at /dir/, /dir and /dir/index; a path inside an unknown folder is a certified 404', async () => {
    const page = utf8('<h1>Docs</h1>');
    const { batch_id, chunk_ids } = await upload(assets, page);
    await assets.commit_batch({ batch_id, operations: [create('/docs/index.html', 'text/html'), content('/docs/index.html', chunk_ids, page)] });
    for (const url of ['/docs/', '/docs', '/docs/index', '/docs/index.html']) {
      const req = request(url);
      const { body } = await verified(deployment, req, await assets.http_request(req));
      assert.equal(text(body), '<h1>Docs</h1>', url);
    }
    const req = request('/docs/missing/page');
    const response = await assets.http_request(req);
    assert.equal(response.status_code, 404);
    await verified(deployment, req, response);
    await assets.delete_asset({ key: '/docs/index.html' });
  });

  test('a percent-encoded request path names the decoded key, and the answer verifies', async () => {
    const bytes = utf8('spaced');
    const { batch_id, chunk_ids } = await upload(assets, bytes);
    await assets.commit_batch({ batch_id, operations: [create('/a file é.txt', 'text/plain'), content('/a file é.txt', chunk_ids, bytes)] });
    const req = request('/a%20file%20%C3%A9.txt?v=1');
    const { body } = await verified(deployment, req, await assets.http_request(req));
    assert.equal(text(body), 'spaced');
    assert.equal((await assets.http_request(request('/bad%FF'))).status_code, 400);
    await assets.delete_asset({ key: '/a file é.txt' });
  });

  test('a streaming token stops working once its asset changes, so a body never mixes two versions', async () => {
    const first = utf8('first version, in two chunks');
    const one = await upload(assets, first);
    await assets.commit_batch({ batch_id: one.batch_id, operations: [create('/doc.txt', 'text/plain'), content('/doc.txt', one.chunk_ids, first)] });
    const response = await assets.http_request(request('/doc.txt'));
    const token = response.streaming_strategy[0]!.Callback.token;
    assert.equal(token.index, 1n);
    const rest = await assets.http_request_streaming_callback(token);
    assert.equal(text(response.body) + text(rest.body), 'first version, in two chunks');
    assert.deepEqual(rest.token, []);

    const second = utf8('second version, also two chunks');
    const two = await upload(assets, second);
    await assets.commit_batch({ batch_id: two.batch_id, operations: [content('/doc.txt', two.chunk_ids, second)] });
    await assert.rejects(assets.http_request_streaming_callback(token), /sha256 mismatch/);
    await assets.delete_asset({ key: '/doc.txt' });
  });

  test('SetAssetProperties in a batch replaces the headers that are served and certified', async () => {
    const { batch_id } = await assets.create_batch({});
    await assets.commit_batch({
      batch_id,
      operations: [{ SetAssetProperties: { key: '/about.html', max_age: [[]], headers: [[[['x-content-type-options', 'nosniff']]]], allow_raw_access: [], is_aliased: [] } }],
    });
    const properties = await assets.get_asset_properties('/about.html');
    assert.deepEqual(properties.max_age, []);
    assert.deepEqual(properties.headers, [[['x-content-type-options', 'nosniff']]]);
    const req = request('/about');
    const headers = new Map((await verified(deployment, req, await assets.http_request(req))).result.response!.headers);
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
    assert.equal(headers.get('cache-control'), undefined);
  });

  test('a batch whose content does not match its sha256 is rejected whole: nothing of it is applied', async () => {
    const bytes = utf8('body {}');
    const { batch_id, chunk_ids } = await upload(assets, bytes);
    const bad: Operation = { SetAssetContent: { key: '/b.css', content_encoding: 'identity', chunk_ids, last_chunk: [], sha256: [sha256(utf8('other'))] } };
    await assert.rejects(assets.commit_batch({ batch_id, operations: [{ DeleteAsset: { key: '/about.html' } }, create('/b.css', 'text/css'), bad] }), /sha256 mismatch/);
    assert.deepEqual((await assets.list({})).map((a) => a.key), ['/about.html']);
  });

  test('a Prepare-only principal uploads and proposes; a committer applies the proposal with its evidence', async () => {
    const preparer = Ed25519KeyIdentity.generate();
    await assets.grant_permission({ to_principal: preparer.getPrincipal(), permission: { Prepare: null } });
    const theirs = await deployment.assetsAs(preparer);
    const bytes = utf8('console.log(1)');
    const { batch_id, chunk_ids } = await upload(theirs, bytes);
    const operations = [create('/app.js', 'text/javascript'), content('/app.js', chunk_ids, bytes)];
    await assert.rejects(theirs.commit_batch({ batch_id, operations }), /Caller does not have Commit permission/);
    await theirs.propose_commit_batch({ batch_id, operations });
    const [evidence] = await theirs.compute_evidence({ batch_id, max_iterations: [] });
    await assert.rejects(assets.commit_proposed_batch({ batch_id, evidence: new Uint8Array(32) }), /evidence does not match/);
    await assets.commit_proposed_batch({ batch_id, evidence: evidence! });
    const req = request('/app.js');
    assert.equal(text((await verified(deployment, req, await assets.http_request(req))).body), 'console.log(1)');
  });

  test("icp-cli's staged commit works: operations committed under batch 0, small content in last_chunk, then the real batch committed empty", async () => {
    const { batch_id, chunk_ids } = await upload(assets, utf8('staged one'));
    const small = utf8('staged two');
    await assets.commit_batch({ batch_id: 0n, operations: [create('/one.txt', 'text/plain'), content('/one.txt', chunk_ids, utf8('staged one'))] });
    await assets.commit_batch({
      batch_id: 0n,
      operations: [
        create('/two.txt', 'text/plain'),
        { SetAssetContent: { key: '/two.txt', content_encoding: 'identity', chunk_ids: [], last_chunk: [small], sha256: [sha256(small)] } },
      ],
    });
    await assets.commit_batch({ batch_id, operations: [] });
    for (const [url, body] of [['/one.txt', 'staged one'], ['/two.txt', 'staged two']] as const) {
      const req = request(url);
      assert.equal(text((await verified(deployment, req, await assets.http_request(req))).body), body);
    }
    await assets.commit_batch({ batch_id: 0n, operations: [{ DeleteAsset: { key: '/one.txt' } }, { DeleteAsset: { key: '/two.txt' } }] });
  });

  test('list pages with start and length, and lists everything when given record {}', async () => {
    const paged = Actor.createActor<{ list: ActorMethod<[{ start: [] | [bigint]; length: [] | [bigint] }], Array<{ key: string }>> }>(
      ({ IDL }) => IDL.Service({ list: IDL.Func([IDL.Record({ start: IDL.Opt(IDL.Nat), length: IDL.Opt(IDL.Nat) })], [IDL.Vec(IDL.Record({ key: IDL.Text }))], ['query']) }),
      { agent: deployment.agent, canisterId: deployment.canisterId },
    );
    assert.deepEqual((await assets.list({})).map((a) => a.key), ['/about.html', '/app.js']);
    assert.deepEqual((await paged.list({ start: [1n], length: [] })).map((a) => a.key), ['/app.js']);
    assert.deepEqual((await paged.list({ start: [0n], length: [1n] })).map((a) => a.key), ['/about.html']);
    assert.deepEqual(await paged.list({ start: [2n], length: [] }), []);
  });

  test('only a controller may take ownership', async () => {
    const stranger = await deployment.assetsAs(Ed25519KeyIdentity.generate());
    await assert.rejects(stranger.take_ownership(), /not a controller/);
    await assets.take_ownership();
    assert.deepEqual((await assets.list_authorized()).map((p) => p.toText()), [deployment.owner.getPrincipal().toText()]);
  });

  test('delete_asset removes one asset and clear removes all', async () => {
    await assets.delete_asset({ key: '/app.js' });
    assert.deepEqual((await assets.list({})).map((a) => a.key), ['/about.html']);
    await assets.clear({});
    assert.deepEqual(await assets.list({}), []);
    const req = request('/about');
    assert.equal((await assets.http_request(req)).status_code, 404);
  });
});
