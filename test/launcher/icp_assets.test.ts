// icp-cli 1.5 deploys the example web app (examples/icp-assets) offline on its Capsule network with a
// non-anonymous identity: the script build steps compile the Motoko backend and the certified asset
// canister, the script sync step uploads the frontend as that identity, and the frontend URL icp-cli
// prints serves the page through the verifying gateway; in Chromium the page shows the backend's answer.
// A second deploy upgrades both canisters, keeping the backend's state, and serves the changed page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { chromiumPath, seePage } from '../examples/_browser.ts';
import { send } from '../gateway/_site.ts';
import { repoRoot } from '../support/build.ts';
import { assetCanisterCacheFile } from '../../src/cli/asset_canister.ts';
import { assetCanisterWasm as testAssetCanisterWasm } from '../assets/_canister.ts';
import { ICP, isRunning } from './_launcher.ts';

const run = promisify(execFile);

test('icp deploy builds and uploads the example web app offline as a named identity, and the frontend URL it prints serves the page that calls the backend; a redeploy serves the change', { skip: !existsSync(ICP) && 'icp-cli is not installed', timeout: 180_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-icp-assets-'));
  const home = join(scratch, 'home');
  const bin = join(scratch, 'bin');
  const project = join(scratch, 'project');
  mkdirSync(home);
  mkdirSync(bin);
  // The project's steps call `icp` and find Capsule from `capsule`, both on PATH, as a user's shell has them.
  symlinkSync(ICP, join(bin, 'icp'));
  cpSync(join(repoRoot, 'examples', 'icp-assets'), project, { recursive: true, filter: (path) => !/\/(dist|\.icp)$/.test(path) });
  // Port 0: the launcher picks a free port, so parallel runs never collide.
  appendFileSync(join(project, 'icp.yaml'), 'networks:\n  - name: local\n    mode: managed\n    gateway:\n      port: 0\n');
  const { ICP_CLI_NETWORK_LAUNCHER_PATH: _launcher, XDG_DATA_HOME: _data, CAPSULE_ROOT: _root, ...inherited } = process.env;
  const env = {
    ...inherited,
    HOME: home,
    DO_NOT_TRACK: '1',
    PATH: `${bin}:${join(repoRoot, 'bin')}:${process.env.PATH}`,
    XDG_CACHE_HOME: join(scratch, 'cache'),
  };
  // The asset canister's module is cached by source hash: the user's Capsule cache is shared rather than
  // rebuilt; icp-cli's own cache (port descriptors) stays in the scratch folder.
  const capsuleCache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'capsule');
  mkdirSync(capsuleCache, { recursive: true });
  mkdirSync(env.XDG_CACHE_HOME);
  symlinkSync(capsuleCache, join(env.XDG_CACHE_HOME, 'capsule'));
  // The tests' build of the same sources with the same compiler: seed the cache with it, so a fresh
  // machine compiles the asset canister once, not once more here.
  const cacheFile = assetCanisterCacheFile();
  if (!existsSync(cacheFile)) writeFileSync(cacheFile, await testAssetCanisterWasm());
  const icp = async (...args: string[]) => (await run(ICP, args, { cwd: project, env, timeout: 120_000 })).stdout.trim();
  let pid: number | undefined;
  try {
    await run(join(repoRoot, 'bin', 'capsule'), ['install-icp-launcher'], { env });
    await icp('identity', 'new', 'dev', '--storage', 'plaintext');
    await icp('identity', 'default', 'dev');
    await icp('network', 'start', '-d');
    const descriptor = JSON.parse(readFileSync(join(project, '.icp/cache/networks/local/descriptor.json'), 'utf8'));
    pid = descriptor['child-locator'].pid as number;
    const port = descriptor.gateway.port as number;

    const deployed = await icp('deploy', '-y');
    const backend = /Created canister backend with ID ([a-z0-9-]+)/.exec(deployed)?.[1];
    const url = /frontend: (http:\/\/\S+)/.exec(deployed)?.[1];
    assert.ok(backend && url, deployed);
    assert.equal(url, `http://frontend.local.localhost:${port}/`);
    const host = new URL(url).host;
    // custom-domains.txt is polled by the gateway: the name resolves shortly after the deploy.
    let page = await send(port, host, '/');
    for (let attempt = 0; attempt < 20 && page.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await send(port, host, '/');
    }
    assert.equal(page.status, 200, page.text());
    assert.match(page.text(), /<title>Capsule asset example<\/title>/);
    assert.deepEqual(JSON.parse((await send(port, host, '/env.json')).text()), { backend });
    const script = await send(port, host, '/app.js');
    assert.equal(script.status, 200);
    assert.match(script.text(), /greet/);
    assert.equal((await send(port, host, '/images/logo.svg')).status, 200);
    assert.equal(await icp('canister', 'call', 'backend', 'greet', '("icp")'), '("Hello, icp, from a Motoko canister!")');

    const chromium = chromiumPath();
    if (chromium) {
      const seen = await seePage(url, chromium);
      assert.equal(seen.title, 'Capsule asset example');
      assert.equal(seen.greeting, 'Hello, browser, from a Motoko canister!');
      assert.equal(seen.visits, 'Visits: 1');
      assert.equal(seen.logoWidth, 96);
    }

    // A second deploy upgrades both canisters in place and syncs only what changed.
    const index = join(project, 'frontend', 'public', 'index.html');
    writeFileSync(index, readFileSync(index, 'utf8').replace('<title>Capsule asset example</title>', '<title>Capsule asset example, again</title>'));
    await icp('deploy', '-y');
    assert.match((await send(port, host, '/')).text(), /<title>Capsule asset example, again<\/title>/);
    assert.equal(await icp('canister', 'call', 'backend', 'visit', '()'), chromium ? '(2 : nat)' : '(1 : nat)');

    assert.match(await icp('network', 'stop'), /Network stopped successfully|^$/);
    assert.equal(isRunning(pid), false);
  } finally {
    if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
});
