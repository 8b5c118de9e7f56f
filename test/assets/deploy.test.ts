// `capsule deploy --assets DIR` against a real `capsule start`: the folder lands in a certified
// asset canister, .ic-assets.json headers are certified, a redeploy syncs only the changes, and
// without --wasm the module is built from its shipped source.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { Actor, HttpAgent, type ActorMethod } from '@icp-sdk/core/agent';
import type { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { assetCanisterCacheFile } from '../../src/cli/asset_canister.ts';
import { repoRoot } from '../support/build.ts';
import { startServer, type ServerProcess } from '../http/_server.ts';
import { assetCanisterWasm } from './_canister.ts';

const run = promisify(execFile);
type Header = [string, string];
type Request = { method: string; url: string; headers: Header[]; body: Uint8Array; certificate_version: [] | [number] };
type Response = { status_code: number; headers: Header[]; body: Uint8Array };
const httpIdl: IDL.InterfaceFactory = ({ IDL }) => {
  const header = IDL.Tuple(IDL.Text, IDL.Text);
  return IDL.Service({
    http_request: IDL.Func(
      [IDL.Record({ method: IDL.Text, url: IDL.Text, headers: IDL.Vec(header), body: IDL.Vec(IDL.Nat8), certificate_version: IDL.Opt(IDL.Nat16) })],
      [IDL.Record({ status_code: IDL.Nat16, headers: IDL.Vec(header), body: IDL.Vec(IDL.Nat8) })],
      ['query'],
    ),
  });
};

describe('capsule deploy --assets', () => {
  let server: ServerProcess;
  let work: string;
  let wasmFile: string;
  let site: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'capsule-deploy-'));
    site = join(work, 'site');
    mkdirSync(join(site, 'css'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Deployed</title>');
    writeFileSync(join(site, 'css', 'site.css'), 'p { color: blue } '.repeat(20));
    writeFileSync(join(site, 'old.txt'), 'to be removed');
    writeFileSync(join(site, '.ic-assets.json'), JSON.stringify([{ match: '**/*.css', headers: { 'X-Frame-Options': 'DENY' }, cache: { max_age: 60 } }]));
    wasmFile = join(work, 'assets.wasm');
    const [started, wasm] = await Promise.all([startServer(), assetCanisterWasm()]);
    server = started;
    writeFileSync(wasmFile, wasm);
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // The deploy's module cache is its default one, under XDG_CACHE_HOME, not the tests' shared cache.
  const { CAPSULE_MODULE_CACHE: _shared, ...environment } = process.env;
  const deploy = async (...extra: string[]) =>
    (await run(process.execPath, [join(repoRoot, 'src/cli/main.ts'), 'deploy', '--assets', site, '--url', server.url, ...extra], { env: { ...environment, XDG_CACHE_HOME: join(work, 'cache') } })).stdout;

  test('a missing folder, a broken .ic-assets.json or an unreachable replica is a clear error, the folder checked first', async () => {
    const fails = async (args: string[]) => {
      const error = await run(process.execPath, [join(repoRoot, 'src/cli/main.ts'), 'deploy', ...args]).then(
        () => assert.fail('deploy succeeded'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(error.code, 1);
      return error.stderr;
    };
    const closed = 'http://127.0.0.1:1';
    assert.match(await fails(['--assets', join(work, 'nowhere'), '--url', closed]), /nowhere is not a folder/);
    const broken = join(work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, '.ic-assets.json'), '{ not json');
    assert.match(await fails(['--assets', broken, '--url', closed]), /broken\/\.ic-assets\.json: .*JSON/);
    assert.match(await fails(['--assets', site, '--url', closed, '--wasm', wasmFile]), /cannot reach a replica at http:\/\/127\.0\.0\.1:1/);
  });

  test('uploads the folder with progress, prints the canister URL, and serves certified headers from .ic-assets.json', async () => {
    const output = await deploy('--wasm', wasmFile);
    assert.match(output, /\[\d\/3\] \/css\/site\.css \(text\/css; identity 360 B, gzip \d+ B, br \d+ B\)/);
    assert.match(output, /Committed: 3 uploaded, 0 unchanged, 0 deleted/);
    const id = /Canister id: (\S+)/.exec(output)![1]!;
    assert.match(output, new RegExp(`URL: http://${id}\\.localhost:${server.port}/`));

    const agent = await HttpAgent.create({ host: server.url, shouldFetchRootKey: true });
    const canister = Actor.createActor<{ http_request: ActorMethod<[Request], Response> }>(httpIdl, { agent, canisterId: Principal.fromText(id) });
    const request: Request = { method: 'GET', url: '/css/site.css', headers: [['accept-encoding', 'gzip']], body: new Uint8Array(), certificate_version: [2] };
    const response = await canister.http_request(request);
    const result = verifyRequestResponsePair(
      { ...request, certificate_version: 2 } as never,
      response,
      Principal.fromText(id).toUint8Array(),
      BigInt(Date.now()) * 1_000_000n,
      300_000_000_000n,
      new Uint8Array(agent.rootKey!),
      2,
    );
    const certified = new Map(result.response!.headers.map(([name, value]) => [name.toLowerCase(), value]));
    assert.equal(certified.get('x-frame-options'), 'DENY');
    assert.equal(certified.get('cache-control'), 'max-age=60');
    assert.equal(certified.get('content-encoding'), 'gzip');
    const brotli = await canister.http_request({ ...request, headers: [['accept-encoding', 'br, gzip']] });
    assert.equal(brotliDecompressSync(brotli.body).toString(), 'p { color: blue } '.repeat(20));

    rmSync(join(site, 'old.txt'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Deployed again</title>');
    // Without --wasm the module comes from Capsule's cache, keyed by the sources' hash and the compiler. It is
    // seeded with the tests' build of the same sources (a cold moc.js build of it costs half a minute of the suite).
    const cached = join(work, 'cache', 'capsule', basename(assetCanisterCacheFile()));
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, readFileSync(wasmFile));
    const again = await deploy('--canister-id', id);
    assert.doesNotMatch(again, /Building/);
    assert.match(again, new RegExp(`Upgraded the asset canister module \\(${readFileSync(wasmFile).length} bytes\\)`));
    assert.match(again, /Committed: 1 uploaded, 1 unchanged, 1 deleted/);
    const third = await deploy('--canister-id', id);
    assert.doesNotMatch(third, /Building/);
    assert.match(third, /Committed: 0 uploaded, 2 unchanged, 0 deleted/);
  });
});
