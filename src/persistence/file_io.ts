// Synchronous file operations of the store, with failures turned into `io` PersistenceErrors and every
// byte written counted (tests assert what a message costs on disk). Synchronous on purpose: a round's
// commit must be durable before the round's results are released, and rounds are synchronous.
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writevSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { totalLength } from './_bytes.ts';
import { corrupt, PersistenceError } from './errors.ts';

/** What the store has written since it was opened. */
export interface IoStats {
  bytesWritten: number;
  syncs: number;
}

/** iovecs per writev call (Linux IOV_MAX is 1024). */
const MAX_IOVECS = 1000;

/** Decides whether a write to `path` fails, and with which errno code (undefined: it does not). */
export type WriteFault = (path: string) => string | undefined;

let writeFault: WriteFault | undefined;

/**
 * Test-only: makes writes and file creations fail as a full disk would (e.g. `() => 'ENOSPC'`), for
 * machines where a small tmpfs cannot be mounted. `undefined` restores normal writes.
 */
export function injectWriteFault(fault: WriteFault | undefined): void {
  writeFault = fault;
}

function checkFault(path: string): void {
  const code = writeFault?.(path);
  if (code) throw Object.assign(new Error(`${code}: injected write failure, write '${path}'`), { code });
}

export function ioError(path: string, operation: string, error: unknown): PersistenceError {
  if (error instanceof PersistenceError) return error;
  const e = error as NodeJS.ErrnoException;
  return new PersistenceError({ kind: 'io', path, operation, code: e.code ?? 'EIO', message: e.message ?? String(error) });
}

export function attempt<T>(path: string, operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw ioError(path, operation, error);
  }
}

export function openFile(path: string, flags: string, mode = 0o644): number {
  return attempt(path, 'open', () => {
    if (flags !== 'r' && flags !== 'r+') checkFault(path);
    return openSync(path, flags, mode);
  });
}

export function closeFile(fd: number, path: string): void {
  attempt(path, 'close', () => closeSync(fd));
}

export function fileSize(fd: number, path: string): number {
  return attempt(path, 'stat', () => fstatSync(fd).size);
}

/** Writes all parts at `position` (or the append position), handling partial writes. Returns the byte count. */
export function writeParts(fd: number, path: string, parts: readonly Uint8Array[], stats: IoStats, position?: number): number {
  const total = totalLength(parts);
  let pending = parts.filter((part) => part.length > 0);
  let at = position;
  attempt(path, 'write', () => {
    checkFault(path);
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_IOVECS);
      let written = at === undefined ? writevSync(fd, batch) : writevSync(fd, batch, at);
      stats.bytesWritten += written;
      if (at !== undefined) at += written;
      let consumed = 0;
      while (consumed < batch.length && written >= batch[consumed]!.length) written -= batch[consumed++]!.length;
      const rest = pending.slice(consumed);
      if (written > 0) rest[0] = rest[0]!.subarray(written);
      pending = rest;
    }
  });
  return total;
}

export function syncData(fd: number, path: string, stats: IoStats): void {
  attempt(path, 'fdatasync', () => fdatasyncSync(fd));
  stats.syncs++;
}

/** Makes renames and new files in `dir` durable. */
export function syncDir(dir: string, stats: IoStats): void {
  const fd = openFile(dir, 'r');
  try {
    attempt(dir, 'fsync', () => fsyncSync(fd));
    stats.syncs++;
  } finally {
    closeFile(fd, dir);
  }
}

export function truncateFile(fd: number, path: string, length: number): void {
  attempt(path, 'truncate', () => ftruncateSync(fd, length));
}

/** Reads exactly `target.length` bytes at `position`; a short file is a `corrupt` failure. */
export function readExactly(fd: number, path: string, target: Uint8Array, position: number): void {
  let done = 0;
  while (done < target.length) {
    const read = attempt(path, 'read', () => readSync(fd, target, done, target.length - done, position + done));
    if (read === 0) throw corrupt(path, position, target.length, `the file ends after ${done} of ${target.length} bytes`);
    done += read;
  }
}

/** The whole file, as a plain Uint8Array. */
export function readWhole(path: string): Uint8Array {
  const fd = openFile(path, 'r');
  try {
    const bytes = new Uint8Array(fileSize(fd, path));
    readExactly(fd, path, bytes, 0);
    return bytes;
  } finally {
    closeFile(fd, path);
  }
}

/** Writes a new file durably: to a temporary name, fdatasync, rename, fsync of the folder. */
export function writeFileDurable(path: string, parts: readonly Uint8Array[], stats: IoStats, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fd = openFile(tmp, 'w', mode);
  try {
    writeParts(fd, tmp, parts, stats, 0);
    syncData(fd, tmp, stats);
  } finally {
    closeFile(fd, tmp);
  }
  attempt(path, 'rename', () => renameSync(tmp, path));
  syncDir(dirname(path), stats);
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError(path, 'stat', error);
  }
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(dir, 'list', error);
  }
}

export function removeFile(path: string): void {
  attempt(path, 'remove', () => rmSync(path, { force: true }));
}
