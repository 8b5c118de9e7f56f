// Build side of the tests: real canisters compiled by real compilers at test
// time, cached by source hash.
//
//   motoko(source, { persistence?, main? }) -> { wasm, candid }   (moc.js in a child process, disk cache)
//   wat(source, features?)                  -> Uint8Array          (wabt, in-memory cache)
//   azle(source, { candid? })               -> { wasm, candid }    (azle 0.33 CLI, disk cache)
//   canisterSource(...names)                -> sources from test/canisters/
//
// Disk cache: <repo>/.cache/wasm/ (gitignored), keyed by SHA-256 of (compiler
// version, mode, sources); files written atomically (tmp + rename) and guarded
// by a per-key lock folder, so parallel test processes share builds. Delete the
// folder to force a rebuild. CAPSULE_WASM_CACHE=<dir> uses another folder (a cold
// run); CAPSULE_BUILD_LOG=<file> records every build with its time and test file. Modules the CLI builds
// (src/cli/motoko) are cached in its modules/ subfolder.
import { createHash, randomBytes } from 'node:crypto';
import { fork, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import type { MotokoJob, MotokoResult } from '../../src/cli/motoko/index.ts';

export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));
export const cacheDir: string = process.env.CAPSULE_WASM_CACHE ?? join(repoRoot, '.cache', 'wasm');
export const canistersDir: string = join(repoRoot, 'test', 'canisters');
// The modules `capsule` builds itself (the asset canister, applications) go to the same cache, for the tests'
// own use (test/support/apps.ts) and for every `capsule` process a test spawns: each source compiles once.
process.env.CAPSULE_MODULE_CACHE ??= join(cacheDir, 'modules');

const require = createRequire(import.meta.url);
const CACHE_FORMAT = 1;

// ---------------------------------------------------------------- utilities

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Writes `data` to `path` atomically (tmp file in the same folder + rename). */
function writeAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Concurrent calls with the same key share one build. */
const inflight = new Map<string, Promise<unknown>>();
function dedupe<T>(key: string, build: () => Promise<T>): Promise<T> {
  const existing = inflight.get(key);
  if (existing) return existing as Promise<T>;
  const p = build().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

/** Limits concurrent compiler processes within this process. */
const maxJobs = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= maxJobs) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Artifact = { wasm: Uint8Array<ArrayBuffer>; candid: string };

function readArtifact(base: string): Artifact | null {
  const wasm = readOrNull(`${base}.wasm`);
  const did = wasm && readOrNull(`${base}.did`);
  return wasm && did ? { wasm: new Uint8Array(wasm), candid: did.toString('utf8') } : null;
}

/** True if the lock folder was left by a process that no longer runs. */
function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!pid) return Date.now() - statSync(lock).mtimeMs > 30_000; // pid not written yet / unreadable
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return true;
    if (code === 'ENOENT') {
      try {
        return Date.now() - statSync(lock).mtimeMs > 30_000;
      } catch {
        return false; // lock gone
      }
    }
    return false;
  }
}

/**
 * Disk-cached build of `<cacheDir>/<name>.{wasm,did}`. Within a process,
 * concurrent calls share one build; across processes, a lock folder
 * (`<name>.lock`, created atomically by mkdir) makes the others wait for the
 * result instead of compiling the same thing again. Entries are written
 * .did first then .wasm, each via tmp + rename.
 */
function cachedBuild(name: string, stats: { hit(): void; built(): void }, build: () => Promise<Artifact>): Promise<Artifact> {
  return dedupe(name, async () => {
    const base = join(cacheDir, name);
    const lock = `${base}.lock`;
    for (;;) {
      const cached = readArtifact(base);
      if (cached) {
        stats.hit();
        return cached;
      }
      mkdirSync(cacheDir, { recursive: true });
      try {
        mkdirSync(lock);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
        else await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      try {
        writeFileSync(join(lock, 'pid'), String(process.pid));
        const again = readArtifact(base); // finished between our check and the lock
        if (again) {
          stats.hit();
          return again;
        }
        const started = performance.now();
        const out = await limited(build);
        stats.built();
        logBuild(name, performance.now() - started);
        writeAtomic(`${base}.did`, out.candid);
        writeAtomic(`${base}.wasm`, out.wasm);
        return out;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
  });
}

/** With CAPSULE_BUILD_LOG=<file>, each compile appends a line (ms, cache entry, test file): finds slow builds. */
function logBuild(name: string, ms: number): void {
  const log = process.env.CAPSULE_BUILD_LOG;
  if (log) appendFileSync(log, `${Math.round(ms)}\t${name}\t${process.argv[1] ?? ''}\n`);
}

/** Statistics for tests: how many builds actually ran a compiler. */
export const buildStats = { motokoCompiles: 0, motokoCacheHits: 0, azleBuilds: 0, azleCacheHits: 0 };

// ------------------------------------------------------------------- Motoko

export type Persistence = 'enhanced' | 'classical';
export type MotokoOptions = {
  /** 'enhanced' (default; memory64) or 'classical' (wasm32, `classicOP`). */
  persistence?: Persistence;
  /** Entry file when `source` is a file map; default 'Main.mo' if present, else the first key. */
  main?: string;
};
export type MotokoOutput = { wasm: Uint8Array<ArrayBuffer>; candid: string };

const motokoDir = dirname(require.resolve('motoko/package.json'));
const motokoVersion = `motoko@${packageVersion(motokoDir)}`;
const mocWorker = fileURLToPath(new URL('./moc-worker.ts', import.meta.url));
const MOC_TIMEOUT_MS = 180_000;

/**
 * Compiles a Motoko canister with moc.js (npm `motoko`, `mo:core` available).
 * `source` is the text of one actor, or a map of file path -> text (relative
 * imports such as `import Child "Child"` resolve between the files).
 * Throws an Error with moc's diagnostics on failure.
 */
export async function motoko(source: string | Record<string, string>, options: MotokoOptions = {}): Promise<MotokoOutput> {
  const persistence: Persistence = options.persistence ?? 'enhanced';
  const files = typeof source === 'string' ? { 'Main.mo': source } : source;
  const names = Object.keys(files).sort();
  if (names.length === 0) throw new Error('motoko(): no source files');
  const main = options.main ?? ('Main.mo' in files ? 'Main.mo' : Object.keys(files)[0]!);
  if (!(main in files)) throw new Error(`motoko(): main file ${main} is not among the sources`);
  const key = sha256({
    format: CACHE_FORMAT,
    compiler: motokoVersion,
    persistence,
    main,
    files: names.map((n) => [n, files[n]]),
  });
  return cachedBuild(
    `mo-${key}`,
    { hit: () => buildStats.motokoCacheHits++, built: () => buildStats.motokoCompiles++ },
    () => runMoc({ files, main, persistence }),
  );
}

function runMoc(job: MotokoJob): Promise<MotokoOutput> {
  return new Promise((resolve, reject) => {
    const child = fork(mocWorker, [], {
      execPath: process.execPath,
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    let result: MotokoResult | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, MOC_TIMEOUT_MS);
    child.on('message', (m) => {
      result = m as MotokoResult;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.ok) {
        resolve({ wasm: new Uint8Array(result.wasm), candid: result.candid });
        return;
      }
      const where = `${job.main} (${job.persistence} persistence, ${motokoVersion})`;
      if (result) {
        reject(new Error(`Motoko compile of ${where} failed: ${result.error}\n${result.diagnostics}${output ? `\n${output}` : ''}`));
      } else {
        const why = signal === 'SIGKILL' ? `timed out after ${MOC_TIMEOUT_MS} ms` : `worker exited (code ${code}, signal ${signal})`;
        reject(new Error(`Motoko compile of ${where} failed: ${why}\n${output}`));
      }
    });
    child.send(job);
  });
}

/** Reads sources from test/canisters/ as a file map: canisterSource('factory.mo', 'Child.mo'). */
export function canisterSource(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) files[n] = readFileSync(join(canistersDir, n), 'utf8');
  return files;
}

// --------------------------------------------------------------------- WAT

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
/** wabt feature flags (its .d.ts lacks multi_memory, which the JS accepts). */
export type WatFeatures = NonNullable<Parameters<Wabt['parseWat']>[2]> & { multi_memory?: boolean };

/** Features enabled by default for wat(); override per call. */
export const defaultWatFeatures: WatFeatures = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  memory64: true,
  multi_memory: true,
  simd: true,
  extended_const: true,
};

let wabtPromise: Promise<Wabt> | undefined;
const watCache = new Map<string, Uint8Array<ArrayBuffer>>();

/** Assembles WebAssembly text with wabt (validated). Cached in memory; returns a fresh copy. */
export async function wat(source: string, features: WatFeatures = {}): Promise<Uint8Array<ArrayBuffer>> {
  const all = { ...defaultWatFeatures, ...features };
  const key = sha256({ source, all });
  let bin = watCache.get(key);
  if (!bin) {
    wabtPromise ??= wabtInit();
    const wabt = await wabtPromise;
    const mod = wabt.parseWat('input.wat', source, all);
    try {
      mod.resolveNames();
      // validate() takes the feature set too (its .d.ts omits the argument);
      // without it wabt validates with its defaults (no memory64/multi-memory).
      (mod.validate as (features: WatFeatures) => void).call(mod, all);
      bin = new Uint8Array(mod.toBinary({ log: false, write_debug_names: true }).buffer);
    } finally {
      mod.destroy();
    }
    watCache.set(key, bin);
  }
  return bin.slice();
}

// --------------------------------------------------------------------- Azle

export type AzleOptions = {
  /** Candid to use (`candid_gen: custom`) instead of the one azle generates. */
  candid?: string;
};
export type AzleOutput = { wasm: Uint8Array<ArrayBuffer>; candid: string };

const azleDir = join(repoRoot, 'node_modules', 'azle');
const AZLE_TIMEOUT_MS = 300_000;

/** Milliseconds the last azle build (compiler run, not cache hit) took. */
export let lastAzleBuildMs = 0;

/**
 * Builds an Azle 0.33 TypeScript canister (`source` = the text of its
 * src/index.ts). Runs `azle build` (its CLI through tsx) in a temp folder under
 * .cache/ with a generated dfx.json. Works offline: azle bundles with esbuild
 * and patches the prebuilt template dist/canister_templates/stable.wasm.
 */
export async function azle(source: string, options: AzleOptions = {}): Promise<AzleOutput> {
  const version = `azle@${packageVersion(azleDir)}`;
  const key = sha256({ format: CACHE_FORMAT, compiler: version, source, candid: options.candid ?? null });
  // The build folder's path ends up in the bundle, so it is fixed per key
  // (reproducible output); the cache lock makes it exclusive.
  const work = join(repoRoot, '.cache', 'azle-build', key.slice(0, 32));
  return cachedBuild(
    `azle-${key}`,
    { hit: () => buildStats.azleCacheHits++, built: () => buildStats.azleBuilds++ },
    async () => {
      rmSync(work, { recursive: true, force: true });
      try {
        return await runAzle(work, source, options.candid);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
}

async function runAzle(work: string, source: string, candid: string | undefined): Promise<AzleOutput> {
  const name = 'canister';
  mkdirSync(join(work, 'src'), { recursive: true });
  const candidPath = join(work, `${name}.did`);
  writeFileSync(join(work, 'src', 'index.ts'), source);
  const config: Record<string, unknown> = { type: 'azle', main: 'src/index.ts' };
  if (candid !== undefined) {
    config['candid'] = `${name}.did`;
    config['custom'] = { candid_gen: 'custom' };
    writeFileSync(candidPath, candid);
  }
  writeFileSync(join(work, 'dfx.json'), JSON.stringify({ canisters: { [name]: config } }, null, 2));
  const tsxCli = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [tsxCli, join(azleDir, 'src', 'build.ts'), 'build', name], {
      cwd: work,
      env: { ...process.env, CANISTER_CANDID_PATH: candidPath, AZLE_VERBOSE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), AZLE_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`azle build failed (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  lastAzleBuildMs = performance.now() - started;
  const wasm = new Uint8Array(readFileSync(join(work, '.azle', name, `${name}.wasm`)));
  return { wasm, candid: readFileSync(candidPath, 'utf8') };
}
