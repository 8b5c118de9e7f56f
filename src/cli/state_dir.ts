// The state directory: for now it holds the replica's seed (its root key, node key and randomness
// derive from it), created once with mode 0600 so that a restarted replica keeps its identity.
// Durable canister state will live beside it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SEED_FILE = 'seed';

export interface StateDir {
  readonly path: string;
  readonly seed: Uint8Array;
}

/** Open (or create) the state directory and its seed. @throws on I/O errors or a corrupt seed file. */
export function openStateDir(path: string): StateDir {
  const dir = resolve(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, SEED_FILE);
  let hex: string;
  try {
    hex = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    hex = randomBytes(32).toString('hex');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${hex}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a 32-byte hex seed`);
  return { path: dir, seed: new Uint8Array(Buffer.from(hex, 'hex')) };
}

/** Write `content` to `file` atomically (readers never see a partial port file). */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
