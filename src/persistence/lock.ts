// One writer per state directory. The folder `lock/` holds numbered claims (`NNNNNNNNNN`, the owner's
// pid) and release marks (`NNNNNNNNNN.released`); the holder is the owner of the highest claim. A new
// claim is always the highest one seen plus one, made with link(2), which fails if the name exists —
// so of any processes that find the same claim free (released, or its owner gone after kill -9) only
// one can take the next number: the stale-owner check cannot race. Claims are never rewritten.
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PersistenceError, type PersistenceWarning } from './errors.ts';
import { attempt, ioError, listDir, removeFile } from './file_io.ts';
import { layout, seqName } from './format.ts';

/** Directories locked by this process (a pid check cannot tell two stores of one process apart). */
const heldHere = new Set<string>();
const CLAIM = /^(\d{10})(\.released)?$/;
/** Rounds of the claim loop before giving up (each lost round means another process made progress). */
const MAX_ATTEMPTS = 1000;

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

interface Claims {
  highest: number;
  released: Set<number>;
  all: string[];
}

function scan(folder: string): Claims {
  const claims: Claims = { highest: 0, released: new Set(), all: [] };
  for (const name of listDir(folder)) {
    const match = CLAIM.exec(name);
    if (!match) continue;
    const number = Number(match[1]);
    claims.all.push(name);
    if (match[2]) claims.released.add(number);
    else claims.highest = Math.max(claims.highest, number);
  }
  return claims;
}

/** Creates claim `number` holding our pid, atomically and only if it does not exist yet. */
function tryClaim(folder: string, number: number): boolean {
  const path = join(folder, seqName(number));
  const tmp = join(folder, `.${process.pid}.${number}.tmp`);
  attempt(tmp, 'write', () => writeFileSync(tmp, `${process.pid}\n`));
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(path, 'link', error);
  } finally {
    removeFile(tmp);
  }
}

export interface DirLock {
  release(): void;
}

export function lockStateDir(dir: string, warn: (warning: PersistenceWarning) => void): DirLock {
  const key = resolve(dir);
  const folder = layout.lock(dir);
  if (heldHere.has(key)) throw new PersistenceError({ kind: 'locked', path: dir, pid: process.pid });
  attempt(folder, 'create', () => mkdirSync(folder, { recursive: true }));
  for (let round = 0; round < MAX_ATTEMPTS; round++) {
    const { highest, released } = scan(folder);
    let stale: number | undefined;
    if (highest > 0 && !released.has(highest)) {
      const owner = readOwner(join(folder, seqName(highest)));
      // A claim is linked whole, so an unreadable one was just superseded and cleaned up: look again.
      if (Number.isNaN(owner)) continue;
      if (owner !== process.pid && alive(owner)) throw new PersistenceError({ kind: 'locked', path: dir, pid: owner });
      if (owner !== process.pid) stale = owner;
    }
    const number = highest + 1;
    if (!tryClaim(folder, number)) continue;
    // A claim made from an outdated view can be below the highest: then it is not the lock.
    if (scan(folder).highest !== number) {
      removeFile(join(folder, seqName(number)));
      continue;
    }
    if (stale !== undefined) warn({ kind: 'staleLock', path: join(folder, seqName(highest)), pid: stale });
    for (const name of scan(folder).all) if (Number(name.slice(0, 10)) < number) removeFile(join(folder, name));
    return held(key, folder, number);
  }
  throw new PersistenceError({ kind: 'locked', path: dir, pid: readOwner(join(folder, seqName(scan(folder).highest))) });
}

function held(key: string, folder: string, number: number): DirLock {
  heldHere.add(key);
  let holding = true;
  return {
    release() {
      if (!holding) return;
      holding = false;
      heldHere.delete(key);
      // The claim stays (the highest number never goes away); the mark frees it for the next claim.
      try {
        // Empty, so a full disk can still take it; if not, the claim frees itself when this process ends.
        writeFileSync(join(folder, `${seqName(number)}.released`), '', { flag: 'wx' });
      } catch {
        // Nothing else to do: releasing must not fail a close.
      }
    },
  };
}
