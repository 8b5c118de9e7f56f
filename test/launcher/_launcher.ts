// Starting bin/icp-cli-network-launcher as icp-cli 1.5 starts it (its argv, a fresh status directory) and
// waiting for status.json the way icp-cli does: the file exists and ends with a newline.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/build.ts';

export const LAUNCHER = join(repoRoot, 'bin', 'icp-cli-network-launcher');
/** icp-cli 1.5 as the npm package installs it. */
export const ICP = join(repoRoot, 'node_modules/@icp-sdk/icp-cli-linux-x64/bin/icp');

/** The counter both icp-cli tests deploy: one source, so one moc build serves both. */
export const ICP_COUNTER_SOURCE = `import Prim "mo:⛔";
persistent actor {
  var count : Nat = 0;
  public func inc() : async Nat { count += 1; Prim.debugPrint("count is " # debug_show count); count };
  public query func get() : async Nat { count };
  public query func greet(name : Text) : async Text { "Hello, " # name # "!" };
};`;

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Launched {
  readonly child: ChildProcess;
  readonly scratch: string;
  readonly statusDir: string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/** icp-cli's argv for its implicit `local` network, with `extra` flags appended. */
export function icpCliArgs(scratch: string, extra: readonly string[] = []): string[] {
  return ['--interface-version', '1.1.0', '--state-dir', join(scratch, 'state'), '--bind', '127.0.0.1', '--status-dir', join(scratch, 'status'), '--domain=127.0.0.1', ...extra];
}

export function launch(args: (scratch: string) => string[]): Launched {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-launcher-'));
  const child = spawn(LAUNCHER, args(scratch), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, scratch, statusDir: join(scratch, 'status'), stderr: () => stderr, exited };
}

/** The raw text of status.json once complete, or the launcher's exit first. */
export async function statusText(launched: Launched, timeoutMs = 30_000): Promise<string> {
  const file = join(launched.statusDir, 'status.json');
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void launched.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text;
    }
    if (exited) throw new Error(`the launcher exited before it was ready: ${launched.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('status.json did not appear');
}
