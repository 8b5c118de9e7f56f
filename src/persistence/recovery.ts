// Recovery: the newest checkpoint that loads, plus the log records after it, in order. A torn or
// corrupt record ends the replay (it and everything after it are dropped, with a warning); a
// checkpoint that fails to load makes recovery fall back to the previous one. A file of another format
// version stops recovery altogether: it is never "repaired".
import { readCheckpointValue, storedStateOf } from './checkpoint_file.ts';
import { corrupt, PersistenceError, type PersistenceFailure, type PersistenceWarning } from './errors.ts';
import type { IoStats } from './file_io.ts';
import { readWhole } from './file_io.ts';
import { moveAside, saveAside } from './aside.ts';
import { layout, seqName } from './format.ts';
import { basename } from 'node:path';
import type { Manifest } from './manifest.ts';
import { listSegments, type SegmentInfo, scanSegment, truncateSegment } from './round_log.ts';
import { decodeRecordBody } from './round_record.ts';
import { applyRecord, type SnapshotReader, type StoredState } from './stored_state.ts';

/** Where the log stops being usable. */
export interface LogDamage {
  segment: SegmentInfo;
  /** Offset after the last good record. */
  end: number;
  size: number;
  reason: string;
  /** Segments after the damaged one: their records cannot follow a gap. */
  later: SegmentInfo[];
}

export interface Loaded {
  stored: StoredState;
  segments: SegmentInfo[];
  damage: LogDamage | undefined;
}

/** The checkpoint `info` plus every good log record after it, from the log's `segments`. */
export function loadStoredState(dir: string, info: Manifest['checkpoints'][number], segments: SegmentInfo[], readSnapshot: SnapshotReader): Loaded {
  const stored = storedStateOf(readCheckpointValue(dir, info), info);
  const base = stored.round;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const next = segments[i + 1];
    if (segment.firstRound < 0n || (next && next.firstRound >= 0n && next.firstRound <= base + 1n)) continue;
    const result = scanSegment(segment.path, base, (round, body, offset) => {
      if (round !== stored.round + 1n) return `round ${round} does not follow round ${stored.round}`;
      applyRecord(stored, decodeRecordBody(round, body, segment.path, offset), readSnapshot, segment.path);
      return undefined;
    });
    if (result.damage) {
      const damage = { segment, end: result.end, size: result.damage.size, reason: result.damage.reason, later: segments.slice(i + 1) };
      return { stored, segments: segments.slice(0, i + 1), damage };
    }
  }
  return { stored, segments, damage: undefined };
}

/**
 * Log segments that should be there and are not: a number skipped between two segments (segments are
 * numbered consecutively, and only the oldest are removed) once the newest checkpoint needs them, or
 * the newest segment the manifest names.
 * Their rounds are lost; the reason says which.
 */
export function missingSegments(dir: string, manifest: Manifest, segments: readonly SegmentInfo[]): { path: string; reason: string } | undefined {
  for (let i = 1; i < segments.length; i++) {
    const previous = segments[i - 1]!;
    const segment = segments[i]!;
    // A gap before the newest checkpoint's rounds loses nothing it needs (an older checkpoint's replay reports it).
    if (segment.seq === previous.seq + 1 || segment.firstRound <= manifest.checkpoints[0]!.round + 1n) continue;
    const names = segment.seq === previous.seq + 2 ? seqName(previous.seq + 1) : `${seqName(previous.seq + 1)} to ${seqName(segment.seq - 1)}`;
    return {
      path: layout.log(dir, previous.seq + 1),
      reason: `the log segments ${names} are missing between ${basename(previous.path)} and ${basename(segment.path)}: the rounds they held, before round ${segment.firstRound}, are lost`,
    };
  }
  const newest = segments[segments.length - 1];
  const log = manifest.log;
  if (log && newest && newest.seq < log.seq) {
    return {
      path: layout.log(dir, log.seq),
      reason: `the newest log segment is missing (the MANIFEST names segment ${log.seq}, the log ends at ${basename(newest.path)}): the rounds it held, from round ${log.firstRound} on, are lost`,
    };
  }
  return undefined;
}

/** Failures that mean "this checkpoint is damaged, try an older one"; anything else stops recovery. */
function isDamage(error: unknown): error is PersistenceError {
  return error instanceof PersistenceError && (error.failure.kind === 'corrupt' || error.failure.kind === 'io' || error.failure.kind === 'notAStateFile');
}

/**
 * Tries the manifest's checkpoints newest first: `use` gets each loaded state (and may itself fail
 * with damage, e.g. a page image whose checksum does not match) until one succeeds.
 */
export function recoverWithFallback<T>(
  dir: string,
  manifest: Manifest,
  readSnapshot: SnapshotReader,
  warn: (warning: PersistenceWarning) => void,
  use: (loaded: Loaded) => T,
): { loaded: Loaded; result: T } {
  // A segment that cannot be read is refused here, by name: it is not a reason to use an older checkpoint.
  const segments = listSegments(dir);
  if (segments.length === 0) {
    const round = manifest.checkpoints[0]!.round;
    throw corrupt(layout.logs(dir), 0, 0, `the round log has no segment, so the rounds after checkpoint round ${round} are missing (capsule state repair accepts the loss)`);
  }
  const missing = missingSegments(dir, manifest, segments);
  if (missing) throw corrupt(missing.path, 0, 0, `${missing.reason} (capsule state repair accepts the loss)`);
  const failures: PersistenceFailure[] = [];
  for (const info of manifest.checkpoints) {
    try {
      const loaded = loadStoredState(dir, info, segments, readSnapshot);
      const result = use(loaded);
      for (const failure of failures) warn({ kind: 'checkpointFallback', path: dir, failure, usedRound: info.round });
      return { loaded, result };
    } catch (error) {
      if (!isDamage(error)) throw error;
      failures.push(error.failure);
    }
  }
  throw new PersistenceError({ kind: 'noUsableCheckpoint', path: dir, failures });
}

/**
 * Cuts the log after its last good record (a writer does this once recovered). What is cut off is
 * saved to `damaged/` first and later segments are moved there: recovery never deletes log bytes.
 */
export function dropDamagedTail(dir: string, damage: LogDamage, stats: IoStats, warn: (warning: PersistenceWarning) => void): void {
  const name = `${basename(damage.segment.path)}.from-${damage.end}`;
  const savedTo = [saveAside(dir, name, [readWhole(damage.segment.path).subarray(damage.end)], stats)];
  truncateSegment(damage.segment.path, damage.end, stats);
  for (const segment of damage.later) savedTo.push(moveAside(dir, segment.path, stats));
  warn({
    kind: 'droppedLogTail',
    path: damage.segment.path,
    offset: damage.end,
    droppedBytes: damage.size,
    droppedSegments: damage.later.map((segment) => segment.path),
    reason: damage.reason,
    savedTo,
  });
}
