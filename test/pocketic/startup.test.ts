// The start-up contract of bin/pocket-ic, as PocketIC clients rely on it: `--version`, an exclusive
// port file written once the server listens and removed on exit, an idle TTL, and a prompt exit on
// SIGTERM leaving no process and no port file behind.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../support/build.ts';

const BIN = join(repoRoot, 'bin', 'pocket-ic');
const dir = mkdtempSync(join(tmpdir(), 'capsule-pocketic-start-'));

const children: ChildProcess[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): ChildProcess {
  const child = spawn(BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The port once the file holds a whole line, as clients read it. */
async function portOf(file: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.endsWith('\n')) return Number(text.trim());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no port in ${file}`);
}

test('--version names the PocketIC server version whose API is served, from any directory through a symlink', () => {
  const link = join(dir, 'pocket-ic');
  symlinkSync(BIN, link);
  assert.equal(execFileSync(link, ['--version'], { cwd: '/', encoding: 'utf8' }), 'pocket-ic-server 14.0.0\n');
});

test('the port file is written after listening; a second server finds it taken and idles; SIGTERM cleans up', async () => {
  const file = join(dir, 'shared.port');
  const owner = start(['--port-file', file, '--ttl', '60']);
  const port = await portOf(file);
  assert.equal((await fetch(`http://127.0.0.1:${port}/status`)).status, 200);
  const second = start(['--port-file', file]);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(second.exitCode, null, 'the second server stays until SIGTERM');
  assert.equal(readFileSync(file, 'utf8'), `${port}\n`);
  second.kill('SIGTERM');
  assert.equal(await exited(second), 0);
  assert.ok(existsSync(file), "the second server leaves the owner's file");
  const started = performance.now();
  owner.kill('SIGTERM');
  assert.equal(await exited(owner), 0);
  assert.ok(performance.now() - started < 3000, 'exits promptly');
  assert.equal(existsSync(file), false);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/status`));
});

test('an idle TTL ends the server and removes its port file; legacy --pid names the port file', async () => {
  const pid = `capsule${process.pid}`;
  const file = join(tmpdir(), `pocket_ic_${pid}.port`);
  const child = start(['--pid', pid, '--ttl', '1']);
  await portOf(file);
  assert.equal(await exited(child), 0);
  assert.equal(existsSync(file), false);
});

test('a flag it does not know is a usage error, not a silent start', () => {
  assert.throws(() => execFileSync(BIN, ['--no-such-flag'], { stdio: 'pipe' }), (e: { status: number; stderr: Buffer }) => e.status === 2 && /Unknown option/.test(String(e.stderr)));
});
