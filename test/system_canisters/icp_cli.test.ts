// icp-cli (npm @icp-sdk/icp-cli-linux-x64, a native binary) against `capsule start`: `icp deploy` of a
// Motoko project asks the CMC for the default subnets, creates its canisters through the cycles ledger,
// installs and upgrades them, and `icp canister call` / `status` and `icp cycles balance` work. The
// project names a `mode: connected` network with the replica's root key; the Motoko wasm is prebuilt by
// moc.js (icp-cli's `script` step running moc.js works too, but the test reuses the compile cache).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { decodeCbor, type CborMap } from '../../src/certification/index.ts';
import { LOCAL_INITIAL_BALANCE } from '../../src/system_canisters/index.ts';
import { startServer } from '../http/_server.ts';
import { motoko } from '../support/build.ts';
import { ICP, ICP_COUNTER_SOURCE } from '../launcher/_launcher.ts';

const run = promisify(execFile);


async function rootKeyHex(url: string): Promise<string> {
  const status = decodeCbor(new Uint8Array(await (await fetch(`${url}/api/v2/status`)).arrayBuffer())) as CborMap;
  return Buffer.from(status.get('root_key') as Uint8Array).toString('hex');
}

function projectYaml(url: string, rootKey: string, wasmSha256: string): string {
  const canister = (name: string) => `  - name: ${name}\n    build:\n      steps:\n        - type: pre-built\n          path: dist/counter.wasm\n          sha256: ${wasmSha256}\n`;
  return `canisters:\n${canister('counter')}${canister('second')}networks:\n  - name: capsule\n    mode: connected\n    url: ${url}\n    root-key: ${rootKey}\nenvironments:\n  - name: local\n    network: capsule\n`;
}

/** Groups digits by thousands, as icp-cli prints amounts. */
const grouped = (n: bigint): string => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '_');

test('icp deploy, canister call, canister status and cycles balance against capsule start', { skip: !existsSync(ICP) && 'icp-cli is not installed', timeout: 240_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-icp-cli-'));
  const server = await startServer();
  try {
    const home = join(scratch, 'home');
    const project = join(scratch, 'project');
    mkdirSync(home);
    mkdirSync(join(project, 'dist'), { recursive: true });
    const { wasm } = await motoko(ICP_COUNTER_SOURCE);
    writeFileSync(join(project, 'dist', 'counter.wasm'), wasm);
    const sha = createHash('sha256').update(wasm).digest('hex');
    writeFileSync(join(project, 'icp.yaml'), projectYaml(server.url, await rootKeyHex(server.url), sha));
    const env = { ...process.env, HOME: home, DO_NOT_TRACK: '1' };
    const icp = async (...args: string[]) => (await run(ICP, args, { cwd: project, env, timeout: 120_000 })).stdout.trim();

    await icp('identity', 'new', 'dev', '--storage', 'plaintext');
    await icp('identity', 'default', 'dev');
    const principal = await icp('identity', 'principal');

    // One canister first, then the project: the second creation happens next to an existing canister.
    assert.match(await icp('deploy', 'counter', '-y'), /Created canister counter with ID 5v3p4-iyaaa-aaaaa-qaaaa-cai/);
    assert.match(await icp('deploy', '-y'), /Created canister second with ID 5s2ji-faaaa-aaaaa-qaaaq-cai/);
    assert.equal(await icp('canister', 'call', 'counter', 'inc', '()'), '(1 : nat)');
    assert.equal(await icp('canister', 'call', 'counter', 'inc', '()'), '(2 : nat)');
    assert.equal(await icp('canister', 'call', 'counter', 'get', '()', '--query'), '(2 : nat)');
    assert.equal(await icp('canister', 'call', 'second', 'greet', '("Capsule")'), '("Hello, Capsule!")');

    const status = await icp('canister', 'status', 'counter');
    assert.match(status, /Status: Running/);
    assert.match(status, new RegExp(`controller: ${principal}`));
    assert.match(status, /Module hash: 0x[0-9a-f]{64}/);

    // Two creations at the default 2 T cycles, each plus the ledger fee of 100 M.
    const spent = 2n * (2_000_000_000_000n + 100_000_000n);
    assert.equal(await icp('cycles', 'balance'), `Balance: ${grouped(LOCAL_INITIAL_BALANCE - spent)} cycles`);

    // Deploying again upgrades in place and keeps the counter.
    await icp('deploy', '-y');
    assert.equal(await icp('canister', 'call', 'counter', 'get', '()'), '(2 : nat)');
  } finally {
    assert.equal(await server.stop(), 0, server.stderr());
    rmSync(scratch, { recursive: true, force: true });
  }
});
