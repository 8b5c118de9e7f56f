// icp-cli 1.5 runs its local network on Capsule with no environment variable: `capsule install-icp-launcher`
// enters Capsule in icp-cli's package cache, then, with a non-anonymous identity as the default, `icp
// network start` seeds the identity from the anonymous principal's ICP and cycles, `icp deploy` installs
// a Motoko backend, `canister call`, `canister logs`, `cycles balance`, `token balance`, `token
// transfer` and `cycles mint` work, and `icp network stop` ends the launcher and removes its status
// directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { send } from '../gateway/_site.ts';
import { motoko, repoRoot } from '../support/build.ts';
import { ICP, ICP_COUNTER_SOURCE, isRunning } from './_launcher.ts';

const CAPSULE = join(repoRoot, 'bin', 'capsule');
const run = promisify(execFile);


function projectYaml(wasmSha256: string): string {
  // Port 0: the launcher picks a free port (icp-cli then omits --gateway-port), so parallel runs never collide.
  const canister = '  - name: counter\n    build:\n      steps:\n        - type: pre-built\n          path: dist/counter.wasm\n';
  return `canisters:\n${canister}          sha256: ${wasmSha256}\nnetworks:\n  - name: local\n    mode: managed\n    gateway:\n      port: 0\n`;
}

test('icp-cli 1.5 starts its network on Capsule from its package cache, deploys, calls, reads and moves ICP and cycles, and stops it', { skip: !existsSync(ICP) && 'icp-cli is not installed', timeout: 120_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-icp-network-'));
  const home = join(scratch, 'home');
  const project = join(scratch, 'project');
  mkdirSync(home);
  mkdirSync(join(project, 'dist'), { recursive: true });
  const { ICP_CLI_NETWORK_LAUNCHER_PATH: _launcher, XDG_DATA_HOME: _data, ...inherited } = process.env;
  const env = { ...inherited, HOME: home, DO_NOT_TRACK: '1' };
  const icp = async (...args: string[]) => (await run(ICP, args, { cwd: project, env, timeout: 60_000 })).stdout.trim();
  let pid: number | undefined;
  try {
    const { wasm } = await motoko(ICP_COUNTER_SOURCE);
    writeFileSync(join(project, 'dist', 'counter.wasm'), wasm);
    writeFileSync(join(project, 'icp.yaml'), projectYaml(createHash('sha256').update(wasm).digest('hex')));
    await run(CAPSULE, ['install-icp-launcher'], { env });
    await icp('identity', 'new', 'dev', '--storage', 'plaintext');
    await icp('identity', 'default', 'dev');

    await icp('network', 'start', '-d');
    const descriptor = JSON.parse(readFileSync(join(project, '.icp/cache/networks/local/descriptor.json'), 'utf8'));
    pid = descriptor['child-locator'].pid as number;
    // icp-cli seeded the identity: 1,000,000 ICP and 1000 T cycles, and nothing more (no lazy funding).
    assert.equal(await icp('token', 'balance'), 'Balance: 1000000.00000000 ICP');
    assert.equal(await icp('cycles', 'balance'), 'Balance: 1_000_000_000_000_000 cycles');

    const deployed = await icp('deploy', '-y');
    const counterId = /Created canister counter with ID ([a-z0-9-]+)/.exec(deployed)?.[1];
    assert.ok(counterId, deployed);
    // icp-cli maps counter.local.localhost in the status directory's custom-domains.txt; the gateway follows it.
    const routed = new RegExp(`${counterId}.*has no query method 'http_request'`);
    let page = '';
    for (let attempt = 0; attempt < 20 && !routed.test(page); attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100)); // the file is polled
      page = (await send(descriptor.gateway.port, `counter.local.localhost:${descriptor.gateway.port}`, '/')).text();
    }
    assert.match(page, routed);
    assert.equal(await icp('canister', 'call', 'counter', 'inc', '()'), '(1 : nat)');
    assert.match(await icp('canister', 'logs', 'counter'), /count is 1/);
    // The creation took 2 T cycles plus the cycles ledger's fee.
    assert.equal(await icp('cycles', 'balance'), 'Balance: 997_999_900_000_000 cycles');

    assert.match(await icp('token', 'transfer', '1.5', 'aaaaa-aa'), /Transferred 1\.50000000 ICP to aaaaa-aa in block \d+/);
    assert.equal(await icp('token', 'balance'), 'Balance: 999998.49990000 ICP');

    // ICP to cycles through the CMC at 5 T cycles per ICP.
    assert.match(await icp('cycles', 'mint', '--icp', '1'), /Minted [\d_]+ cycles to your account/);
    assert.equal(await icp('cycles', 'balance'), 'Balance: 1_002_999_900_000_000 cycles');

    assert.match(await icp('network', 'stop'), /Network stopped successfully|^$/);
    assert.equal(isRunning(pid), false);
    assert.equal(existsSync(descriptor['status-dir']), false);
  } finally {
    if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
});
