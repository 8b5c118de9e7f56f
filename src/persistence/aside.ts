// What recovery and repair cannot use is moved to `damaged/` rather than deleted: the bytes stay
// for inspection or manual rescue, and a later start never trips over them again.
import { mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { attempt, exists, type IoStats, readWhole, syncDir, writeFileDurable } from './file_io.ts';
import { layout } from './format.ts';

/** A name in `damaged/` not taken yet: `name`, else `name.1`, `name.2`, … */
function freeName(dir: string, name: string): string {
  const folder = layout.damaged(dir);
  attempt(folder, 'create', () => mkdirSync(folder, { recursive: true }));
  for (let i = 0; ; i++) {
    const path = join(folder, i === 0 ? name : `${name}.${i}`);
    if (!exists(path)) return path;
  }
}

/** Moves `path` into `damaged/`; returns its new path. */
export function moveAside(dir: string, path: string, stats: IoStats): string {
  const target = freeName(dir, basename(path));
  attempt(path, 'rename', () => renameSync(path, target));
  syncDir(layout.damaged(dir), stats);
  return target;
}

/** Saves a copy of `parts` (e.g. a log tail about to be cut off) as `damaged/<name>`; returns its path. */
export function saveAside(dir: string, name: string, parts: readonly Uint8Array[], stats: IoStats): string {
  const target = freeName(dir, name);
  writeFileDurable(target, parts, stats);
  return target;
}

/**
 * Files that made a checkpoint unusable: garbage collection would delete them once no kept checkpoint
 * refers to them, so a checkpoint file is moved to `damaged/` and any other file copied there.
 */
export function keepAside(dir: string, paths: string[], stats: IoStats): string[] {
  const kept: string[] = [];
  for (const path of new Set(paths)) {
    if (!exists(path)) continue;
    if (dirname(path) === layout.checkpoints(dir)) kept.push(moveAside(dir, path, stats));
    else if (dirname(dirname(path)) === dir) kept.push(saveAside(dir, basename(path), [readWhole(path)], stats));
  }
  return kept;
}
