// The start-up contract of bin/pocket-ic, as PocketIC clients rely on it: `--version`, an exclusive
// port file written once the server listens and removed on exit, an idle TTL, and a prompt exit on
// SIGTERM leaving no process and no port file behind.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { candid } from '../../src/management/index.ts';
import { canisterSource, motoko, repoRoot } from '../support/build.ts';

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
  const second = spawn(BIN, ['--port-file', file], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(second);
  await new Promise<void>((resolve) => second.stdout!.on('data', (chunk: Buffer) => /Idle until SIGTERM/.test(String(chunk)) && resolve()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(second.exitCode, null, 'the second server stays until SIGTERM');
  assert.equal(readFileSync(file, 'utf8'), `${port}\n`);
  second.kill('SIGTERM');
  assert.equal(await exited(second), 0);
  assert.ok(existsSync(file), "the second server leaves the owner's file");
  const started = performance.now();
  owner.kill('SIGTERM');
  assert.equal(await exited(owner), 0);
  assert.ok(performance.now() - started < 5000, 'exits promptly');
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

test('without --ttl the server ends when the process that started it exits, removing its port file', async () => {
  const file = join(dir, 'orphan.port');
  const shell = spawn('sh', ['-c', `"${BIN}" --port-file "${file}" >/dev/null 2>&1 & echo $!; sleep 2`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  shell.stdout!.on('data', (chunk: Buffer) => void (output += chunk));
  await portOf(file);
  await exited(shell);
  const pid = Number(output.trim());
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 300 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const ended = !alive();
  if (!ended) process.kill(pid, 'SIGKILL');
  assert.ok(ended, 'the orphaned server exits by itself');
  assert.equal(existsSync(file), false);
});

/** An ingress call through submit + await; the reply's bytes. */
async function ingress(url: string, canisterId: Uint8Array, method: string, arg: Uint8Array): Promise<Uint8Array> {
  const post = async (path: string, body: unknown) => (await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const call = { sender: b64(Uint8Array.of(4)), canister_id: b64(canisterId), method, payload: b64(arg), effective_principal: 'None' };
  const submitted = await post('/instances/0/update/submit_ingress_message', call);
  const done = await post('/instances/0/update/await_ingress_message', submitted.Ok);
  return new Uint8Array(Buffer.from(done.Ok, 'base64'));
}

test("canister logs go to stderr, tagged with the canister's id, and server logs to stdout", async () => {
  const file = join(dir, 'logs.port');
  const child = spawn(BIN, ['--port-file', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => void (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk));
  const url = `http://127.0.0.1:${await portOf(file)}`;
  const config = { subnet_config_set: { application: [{ state_config: 'New', instruction_config: 'Production', cost_schedule: 'Normal' }] } };
  assert.equal((await fetch(`${url}/instances`, { method: 'POST', body: JSON.stringify(config) })).status, 201);
  const empty = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
  const created = await ingress(url, new Uint8Array(0), 'provisional_create_canister_with_cycles', empty);
  const canisterId = candid.decodeManagementResult('provisional_create_canister_with_cycles', created).canister_id;
  const { wasm } = await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' });
  const install = candid.encodeManagementArg('install_code', {
    mode: { install: null },
    canister_id: canisterId,
    wasm_module: wasm,
    arg: new Uint8Array(IDL.encode([], [])),
    sender_canister_version: [],
  });
  await ingress(url, new Uint8Array(0), 'install_code', install);
  await ingress(url, canisterId.toUint8Array(), 'log', new Uint8Array(IDL.encode([IDL.Text], ['hello from the canister'])));
  child.kill('SIGTERM');
  await exited(child);
  assert.match(stderr, new RegExp(`\\[Canister ${canisterId.toText()}\\] hello from the canister`));
  assert.doesNotMatch(stdout, /hello from the canister/);
  assert.match(stdout, /created instance 0/);
});

test('a flag it does not know is a usage error, not a silent start', () => {
  assert.throws(() => execFileSync(BIN, ['--no-such-flag'], { stdio: 'pipe' }), (e: { status: number; stderr: Buffer }) => e.status === 2 && /Unknown option/.test(String(e.stderr)));
});
