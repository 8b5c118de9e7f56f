// One writer per state directory: a LOCK file holding the owner's pid. A lock whose process is gone
// (kill -9 leaves it behind) is taken over, with a warning; a live owner is a `locked` failure.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PersistenceError, type PersistenceWarning } from './errors.ts';
import { attempt, ioError, removeFile } from './file_io.ts';
import { layout } from './format.ts';

/** Directories locked by this process (a pid check cannot tell two stores of one process apart). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

export interface DirLock {
  release(): void;
}

export function lockStateDir(dir: string, warn: (warning: PersistenceWarning) => void): DirLock {
  const key = resolve(dir);
  const path = layout.lock(dir);
  if (heldHere.has(key)) throw new PersistenceError({ kind: 'locked', path: dir, pid: process.pid });
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(path, 'create', error);
    const owner = readOwner(path);
    if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) throw new PersistenceError({ kind: 'locked', path: dir, pid: owner });
    if (Number.isInteger(owner) && owner !== process.pid) warn({ kind: 'staleLock', path, pid: owner });
    attempt(path, 'write', () => writeFileSync(path, `${process.pid}\n`));
  }
  heldHere.add(key);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      heldHere.delete(key);
      removeFile(path);
    },
  };
}
