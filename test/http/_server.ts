// A real `capsule start` child process on loopback for the HTTP tests: `--port 0 --port-file`,
// a fresh state directory, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  readonly portFile: string;
  /** The process id (tests send it signals, e.g. SIGKILL). */
  readonly pid: number;
  /** What the process wrote to stderr so far (internal errors are logged there). */
  stderr(): string;
  /** What the process wrote to stdout so far (its URLs, the applications it deployed). */
  stdout(): string;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** Keep the state in this directory (not removed on stop) instead of a fresh one. */
  readonly stateDir?: string;
  /** Extra arguments of `capsule start`; without `--apps…` options the server starts with `--no-apps`. */
  readonly args?: readonly string[];
}

export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-http-'));
  const portFile = join(dir, 'port');
  const stateDir = options.stateDir ?? join(dir, 'state');
  const args = options.args ?? [];
  const apps = args.some((arg) => arg.startsWith('--apps') || arg === '--no-apps') ? [] : ['--no-apps'];
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'src/cli/main.ts'), 'start', '--port', '0', '--port-file', portFile, '--state-dir', stateDir, ...apps, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const port = await waitForPortFile(child, portFile, () => stderr);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stateDir,
    stderr: () => stderr,
    stdout: () => stdout,
    portFile,
    pid: child.pid!,
    stop: () => stop(child, dir),
  };
}

async function waitForPortFile(child: ChildProcess, portFile: string, stderr: () => string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`capsule exited with ${child.exitCode}: ${stderr()}`);
    try {
      const port = Number(readFileSync(portFile, 'utf8'));
      if (port > 0) return port;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`capsule did not write its port file within 20 s: ${stderr()}`);
}

async function stop(child: ChildProcess, dir: string): Promise<number | null> {
  if (child.exitCode === null) {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
  return child.exitCode;
}
