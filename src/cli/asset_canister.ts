// The asset canister's module, built from its shipped Motoko source (canisters/assets) with the
// `motoko` package's moc.js, and cached by source hash so a deploy compiles it once.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const assetCanisterSourceDir: string = fileURLToPath(new URL('../../canisters/assets/', import.meta.url));

interface Moc {
  version: string;
  loadPackage(pkg: unknown): void;
  write(path: string, content: string): void;
  wasm(path: string, mode: 'ic'): { wasm: Uint8Array };
}

function sources(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(assetCanisterSourceDir).sort()) {
    if (name.endsWith('.mo')) files[name] = readFileSync(join(assetCanisterSourceDir, name), 'utf8');
  }
  return files;
}

function cacheDirectory(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'capsule');
}

function loadMoc(): Moc {
  try {
    return createRequire(import.meta.url)('motoko') as Moc;
  } catch {
    throw new Error('building the asset canister needs the `motoko` npm package (npm i -D motoko), or pass --wasm FILE');
  }
}

/** Where the module built from these sources with this compiler is cached (by source hash). */
export function assetCanisterCacheFile(): string {
  const key = createHash('sha256').update(JSON.stringify({ compiler: loadMoc().version, files: sources() })).digest('hex').slice(0, 32);
  return join(cacheDirectory(), `assets-${key}.wasm`);
}

/** The module's bytes: from the cache, or compiled now (moc.js needs about half a minute). */
export function assetCanisterWasm(log: (line: string) => void = () => {}): Uint8Array {
  const files = sources();
  const require = createRequire(import.meta.url);
  const moc = loadMoc();
  const cached = assetCanisterCacheFile();
  try {
    return new Uint8Array(readFileSync(cached));
  } catch {
    // not built yet
  }
  log(`Building the asset canister from ${assetCanisterSourceDir} (moc ${moc.version})…`);
  moc.loadPackage(require('motoko/packages/latest/core.json'));
  for (const [name, text] of Object.entries(files)) moc.write(name, text);
  const wasm = new Uint8Array(moc.wasm('Main.mo', 'ic').wasm);
  mkdirSync(cacheDirectory(), { recursive: true });
  const temporary = `${cached}.${process.pid}.tmp`;
  writeFileSync(temporary, wasm);
  renameSync(temporary, cached);
  return wasm;
}
