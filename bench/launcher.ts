// icp-cli network launcher benchmark, printed as JSON (`node bench/launcher.ts`):
//   spawnToStatusMs     time from spawning bin/icp-cli-network-launcher to a complete status.json (median of 5)
//   icpNetworkStartMs   `icp network start -d` with one non-anonymous identity, until it returns: the
//                       launcher ready and the identity seeded with ICP and cycles (median of 3)
//   icpNetworkStopMs    `icp network stop`, until it returns (median of 3)
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../test/support/build.ts';

const LAUNCHER = join(repoRoot, 'bin', 'icp-cli-network-launcher');
const ICP = join(repoRoot, 'node_modules/@icp-sdk/icp-cli-linux-x64/bin/icp');
const run = promisify(execFile);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}

async function spawnToStatus(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-launcher-'));
  const file = join(dir, 'status', 'status.json');
  const started = performance.now();
  const child = spawn(LAUNCHER, ['--interface-version', '1.1.0', '--state-dir', join(dir, 'state'), '--status-dir', join(dir, 'status'), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  while (!(existsSync(file) && readFileSync(file, 'utf8').endsWith('\n'))) await new Promise((resolve) => setTimeout(resolve, 2));
  const elapsed = performance.now() - started;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

async function icpStartStop(): Promise<{ start: number; stop: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-icp-'));
  const project = join(dir, 'project');
  mkdirSync(join(dir, 'home'));
  mkdirSync(project);
  writeFileSync(join(project, 'icp.yaml'), 'networks:\n  - name: local\n    mode: managed\n    gateway:\n      port: 0\n');
  const env = { ...process.env, HOME: join(dir, 'home'), DO_NOT_TRACK: '1', ICP_CLI_NETWORK_LAUNCHER_PATH: LAUNCHER };
  const icp = (...args: string[]) => run(ICP, args, { cwd: project, env });
  await icp('identity', 'new', 'dev', '--storage', 'plaintext');
  await icp('identity', 'default', 'dev');
  let started = performance.now();
  await icp('network', 'start', '-d');
  const start = performance.now() - started;
  started = performance.now();
  await icp('network', 'stop');
  const stop = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  return { start, stop };
}

const spawns: number[] = [];
for (let i = 0; i < 5; i++) spawns.push(await spawnToStatus());
const starts: number[] = [];
const stops: number[] = [];
if (existsSync(ICP)) {
  for (let i = 0; i < 3; i++) {
    const { start, stop } = await icpStartStop();
    starts.push(start);
    stops.push(stop);
  }
}
console.log(
  JSON.stringify({
    spawnToStatusMs: median(spawns),
    icpNetworkStartMs: starts.length > 0 ? median(starts) : null,
    icpNetworkStopMs: stops.length > 0 ? median(stops) : null,
  }),
);
