// Motoko canisters shipped as source (our asset canister, the applications under apps/) are built on the
// user's machine and cached by compiler version and source hash, so each source is compiled once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type MotokoJob, type MotokoResult, motokoVersion } from './compile.ts';

/** Where built modules are kept: $CAPSULE_MODULE_CACHE, else capsule/ in the user's cache directory. */
export function moduleCacheDirectory(): string {
  return process.env.CAPSULE_MODULE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'capsule');
}

/** Every `.mo` file under `directory`, by path relative to it (with `/`), in a stable order. */
export function readMotokoSources(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.mo')) files[relative(directory, path).split(sep).join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(directory);
  return files;
}

/** The cache file of this job's module, `mo-<hash of compiler, main, persistence and files>.wasm`: canisters
 *  built from the same sources (two ledgers, say) share it. */
export function moduleCacheFile(job: MotokoJob): string {
  const files = Object.keys(job.files).sort().map((path) => [path, job.files[path]]);
  const key = createHash('sha256')
    .update(JSON.stringify({ compiler: motokoVersion(), main: job.main, persistence: job.persistence, files }))
    .digest('hex')
    .slice(0, 32);
  return join(moduleCacheDirectory(), `mo-${key}.wasm`);
}

function readCached(file: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    return undefined;
  }
}

function store(file: string, wasm: Uint8Array): void {
  mkdirSync(moduleCacheDirectory(), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, wasm);
  renameSync(temporary, file); // atomic: concurrent builds of the same source both leave a whole module
}

function moduleOf(name: string, result: MotokoResult): Uint8Array {
  if (result.ok) return result.wasm;
  throw new Error(`building ${name} failed: ${result.error}${result.diagnostics ? `\n${result.diagnostics}` : ''}`);
}

const LOCK_WAIT_MS = 300_000;

/** Whether the process that took a lock (its pid is written inside) has died, leaving the lock behind. */
function abandoned(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just taken, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Waits while another process builds the same module (its lock folder exists); true once this one may build. */
async function acquireLock(lock: string, file: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  mkdirSync(moduleCacheDirectory(), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return true;
    } catch {
      if (existsSync(file)) return false;
      if (abandoned(lock) || Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The module from the cache, or compiled now on a worker thread, so the caller's event loop keeps serving;
 *  concurrent processes building the same module wait for one compile. */
export async function buildMotoko(name: string, job: MotokoJob, log: (line: string) => void = () => {}): Promise<Uint8Array> {
  const file = moduleCacheFile(job);
  const lock = `${file}.lock`;
  const cached = readCached(file) ?? ((await acquireLock(lock, file)) ? undefined : readCached(file));
  if (cached) return cached;
  try {
    return await compileOnThread(name, job, file, log);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function compileOnThread(name: string, job: MotokoJob, file: string, log: (line: string) => void): Promise<Uint8Array> {
  log(`Building ${name} (moc ${motokoVersion()})…`);
  const worker = new Worker(new URL('./compile_worker.ts', import.meta.url), { workerData: job });
  const result = await new Promise<MotokoResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the Motoko compiler's thread exited with code ${code}`)));
  });
  void worker.terminate();
  const wasm = moduleOf(name, result);
  store(file, wasm);
  return wasm;
}
