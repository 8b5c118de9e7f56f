// A real headless Chromium loads the example web app (examples/icp-assets) from Capsule's certified asset
// canister through the HTTP gateway of a real `capsule start`: HTML, the bundled script, the stylesheet and
// the image come through verification, a deep path falls back to index.html, and the page's script calls
// the Motoko backend with @icp-sdk/core and shows its answer, which the screenshot shows too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { type ManagementService, managementIdl } from '../../src/cli/assets_interface.ts';
import { assetCanisterWasm } from '../assets/_canister.ts';
import { startServer } from '../http/_server.ts';
import { motoko, repoRoot } from '../support/build.ts';
import { chromiumPath, NO_CHROMIUM, seePage } from './_browser.ts';

const run = promisify(execFile);
const EXAMPLE = join(repoRoot, 'examples', 'icp-assets');
const chromium = chromiumPath();

async function deployBackend(url: string): Promise<Principal> {
  const agent = await HttpAgent.create({ host: url, shouldFetchRootKey: true });
  const management = (effectiveCanisterId: Principal) =>
    Actor.createActor<ManagementService>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId });
  const { wasm } = await motoko(readFileSync(join(EXAMPLE, 'backend', 'main.mo'), 'utf8'));
  const { canister_id } = await management(Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai')).provisional_create_canister_with_cycles({ amount: [], settings: [], specified_id: [] });
  await management(canister_id).install_code({ mode: { install: null }, canister_id, wasm_module: wasm, arg: new Uint8Array(IDL.encode([], [])) });
  return canister_id;
}

test('Chromium shows the example app from the asset canister at a deep route, with its script, style and image, and the backend answer its script fetched', { skip: !chromium && NO_CHROMIUM, timeout: 90_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-browser-'));
  const project = join(scratch, 'project');
  cpSync(EXAMPLE, project, { recursive: true, filter: (path) => !/\/(dist|\.icp)$/.test(path) });
  const server = await startServer();
  try {
    // The example's own build step makes dist/ (the bundle and the copied files); the asset canister's module
    // comes from the tests' build cache (icp_assets.test.ts runs the step that builds it).
    const assetsWasm = join(scratch, 'assets.wasm');
    const { ICP_WASM_OUTPUT_PATH: _output, ...inherited } = process.env;
    const build = run('sh', ['scripts/capsule-node.sh', 'scripts/tasks.mjs', 'build-frontend'], { cwd: project, env: { ...inherited, CAPSULE_ROOT: repoRoot } });
    const [, backend, wasm] = await Promise.all([build, deployBackend(server.url), assetCanisterWasm()]);
    writeFileSync(assetsWasm, wasm);
    writeFileSync(join(project, 'dist', 'env.json'), JSON.stringify({ backend: backend.toText() }));
    const { stdout } = await run(join(repoRoot, 'bin', 'capsule'), ['deploy', '--assets', join(project, 'dist'), '--url', server.url, '--wasm', assetsWasm]);
    const frontend = /Canister id: (\S+)/.exec(stdout)?.[1];
    assert.ok(frontend, stdout);

    const seen = await seePage(`http://${frontend}.localhost:${server.port}/app/deep/route`, chromium!);
    assert.equal(seen.title, 'Capsule asset example');
    assert.equal(seen.route, '/app/deep/route');
    assert.equal(seen.greeting, 'Hello, browser, from a Motoko canister!');
    assert.equal(seen.greetingClass, 'ready');
    assert.equal(seen.visits, 'Visits: 1');
    assert.equal(seen.logoWidth, 96, 'the image loaded');
    assert.equal(seen.bodyBackground, 'rgb(244, 241, 234)', 'the stylesheet applied');
    // The screenshot is not blank: the logo's orange, green greeting text, the page's background.
    assert.deepEqual(seen.logoPixel, [232, 163, 61]);
    assert.ok(seen.greetingInk, 'the greeting is drawn in green');
    assert.deepEqual(seen.cornerPixel, [244, 241, 234]);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
