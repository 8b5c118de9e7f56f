// `capsule state repair`: makes a damaged state directory open again while keeping every round that
// can still be read. Nothing is deleted: an unreadable MANIFEST, checkpoint or log segment is moved
// to `damaged/`, a log tail that cannot be replayed is saved there before it is cut off, and the
// report says which rounds were lost. A file of another format version stops the repair untouched.
import { crc32 } from 'node:zlib';
import { basename, join } from 'node:path';
import { keepAside, moveAside } from './aside.ts';
import { readCheckpointValue } from './checkpoint_file.ts';
import { describeWarning, PersistenceError, type PersistenceWarning } from './errors.ts';
import { closeFile, exists, type IoStats, listDir, openFile, readWhole } from './file_io.ts';
import { layout, seqOf } from './format.ts';
import { lockStateDir } from './lock.ts';
import { type Manifest, readManifest, writeManifest } from './manifest.ts';
import { materializeCanister, readSnapshotFile } from './materialize.ts';
import { dropDamagedTail, missingSegments, recoverWithFallback } from './recovery.ts';
import { listSegments, LogSegment, readSegmentHeader } from './round_log.ts';
import type { CheckpointInfo } from './stored_state.ts';
import { decodeValueFile } from './value_file.ts';

export interface RepairReport {
  path: string;
  /** The checkpoint round and the last round the directory now holds. */
  checkpointRound: bigint;
  round: bigint;
  /** What the repair did, one sentence each (empty: the directory needed nothing). */
  actions: string[];
  /** Rounds that could not be kept, one sentence each (empty: none was lost). */
  losses: string[];
}

function isVersionMismatch(error: unknown): boolean {
  return error instanceof PersistenceError && error.failure.kind === 'versionMismatch';
}

/** Each log segment whose header cannot be read (or names another segment) goes to `damaged/`. */
function setAsideBadSegments(dir: string, stats: IoStats, report: RepairReport): void {
  for (const name of listDir(layout.logs(dir))) {
    const seq = seqOf(name);
    if (seq === undefined || !name.endsWith('.log')) continue;
    const path = join(layout.logs(dir), name);
    let reason: string | undefined;
    const fd = openFile(path, 'r');
    try {
      const header = readSegmentHeader(fd, path);
      if (header.seq !== seq) reason = `its header says it is segment ${header.seq}`;
    } catch (error) {
      if (isVersionMismatch(error)) throw error;
      reason = (error as Error).message;
    } finally {
      closeFile(fd, path);
    }
    if (reason === undefined) continue;
    const target = moveAside(dir, path, stats);
    report.actions.push(`moved the unreadable log segment ${path} to ${target}`);
    report.losses.push(`the rounds in ${name} (${reason})`);
  }
}

/**
 * Accepts segments that are missing (see `missingSegments`): the segments after a gap go to `damaged/`
 * (their rounds cannot follow it), and the loss is reported.
 */
function acceptMissingSegments(dir: string, manifest: Manifest, stats: IoStats, report: RepairReport): void {
  for (;;) {
    const segments = listSegments(dir);
    const missing = segments.length > 0 ? missingSegments(dir, manifest, segments) : undefined;
    if (!missing) return;
    const name = basename(missing.path);
    if (!report.losses.some((loss) => loss.includes(name))) report.losses.push(missing.reason);
    const later = segments.filter((segment) => segment.path > missing.path);
    for (const segment of later) {
      report.actions.push(`moved the log segment ${segment.path}, which cannot follow the missing ${name}, to ${moveAside(dir, segment.path, stats)}`);
      report.losses.push(`the rounds in ${basename(segment.path)}`);
    }
    if (later.length === 0) {
      report.actions.push(`accepted that the log segment ${missing.path} is missing`);
      manifest.log = undefined;
    }
  }
}

/** The newest log segment, as the manifest names it. */
function newestSegment(dir: string): Manifest['log'] {
  const newest = listSegments(dir).pop();
  return newest && { seq: newest.seq, firstRound: newest.firstRound };
}

/** The checkpoint files that read whole, newest first, as manifest entries. */
function readableCheckpoints(dir: string, stats: IoStats, report: RepairReport): { info: CheckpointInfo; subnet: Manifest['subnet'] }[] {
  const found: { info: CheckpointInfo; subnet: Manifest['subnet'] }[] = [];
  for (const name of listDir(layout.checkpoints(dir)).reverse()) {
    const seq = seqOf(name);
    if (seq === undefined || !name.endsWith('.ckpt')) continue;
    const path = layout.checkpoint(dir, seq);
    try {
      const bytes = readWhole(path);
      const value = decodeValueFile(bytes, 'checkpoint', path) as { seq: number; round: bigint; config: { subnetId: { toText(): string }; costs: { name: 'application' | 'free' } } };
      if (value.seq !== seq) throw new Error(`it says it is checkpoint ${value.seq}`);
      const info: CheckpointInfo = { seq, round: value.round, file: name, size: bytes.length, crc: crc32(bytes) };
      found.push({ info, subnet: { subnetId: value.config.subnetId.toText(), costSchedule: value.config.costs.name } });
    } catch (error) {
      if (isVersionMismatch(error)) throw error;
      report.actions.push(`moved the unreadable checkpoint ${path} to ${moveAside(dir, path, stats)}`);
    }
  }
  return found;
}

/** The MANIFEST, or one rebuilt from the checkpoint files when it is missing or unreadable. */
function usableManifest(dir: string, stats: IoStats, report: RepairReport): Manifest {
  const path = layout.manifest(dir);
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(dir);
  } catch (error) {
    if (isVersionMismatch(error)) throw error;
    report.actions.push(`moved the unreadable ${path} to ${moveAside(dir, path, stats)}`);
  }
  const listed = manifest?.checkpoints.filter((info) => {
    try {
      readCheckpointValue(dir, info);
      return true;
    } catch (error) {
      if (isVersionMismatch(error)) throw error;
      return false;
    }
  });
  if (manifest && listed && listed.length > 0) return { ...manifest, checkpoints: listed };
  const found = readableCheckpoints(dir, stats, report);
  if (found.length === 0) throw new PersistenceError({ kind: 'noUsableCheckpoint', path: dir, failures: [] });
  report.actions.push(`rebuilt ${path} from the checkpoints of rounds ${found.map(({ info }) => info.round).join(', ')}`);
  return { checkpoints: found.slice(0, 2).map(({ info }) => info), subnet: found[0]!.subnet };
}

/** Repairs the state directory `dir` (not in use); see the file comment. */
export function repairStateDir(dir: string): RepairReport {
  if (!exists(layout.manifest(dir)) && !exists(layout.checkpoints(dir))) throw new PersistenceError({ kind: 'notAStateDir', path: dir });
  const lock = lockStateDir(dir, () => {});
  const stats: IoStats = { bytesWritten: 0, syncs: 0 };
  const report: RepairReport = { path: dir, checkpointRound: 0n, round: 0n, actions: [], losses: [] };
  try {
    const manifest = usableManifest(dir, stats, report);
    setAsideBadSegments(dir, stats, report);
    acceptMissingSegments(dir, manifest, stats, report);
    const newest = manifest.checkpoints[0]!;
    if (!listDir(layout.logs(dir)).some((name) => seqOf(name) !== undefined && name.endsWith('.log'))) {
      LogSegment.create(dir, 1, newest.round + 1n, stats).close();
      report.actions.push('started an empty round log');
      report.losses.push(`any rounds after checkpoint round ${newest.round} (the round log had no segment)`);
      manifest.log = undefined;
    }
    const unusable: string[] = [];
    const warnings: PersistenceWarning[] = [];
    const { loaded } = recoverWithFallback(
      dir,
      manifest,
      (ref) => readSnapshotFile(dir, ref),
      (warning) => {
        if (warning.kind === 'checkpointFallback' && 'path' in warning.failure) unusable.push(warning.failure.path);
        warnings.push(warning);
      },
      (loaded) => {
        for (const canister of loaded.stored.canisters.values()) materializeCanister(dir, canister);
        return loaded;
      },
    );
    for (const path of keepAside(dir, unusable, stats)) report.actions.push(`kept ${basename(path)} of an unusable checkpoint in ${layout.damaged(dir)}`);
    if (loaded.damage) dropDamagedTail(dir, loaded.damage, stats, (warning) => warnings.push(warning));
    for (const warning of warnings) {
      report.actions.push(describeWarning(warning));
      if (warning.kind === 'droppedLogTail') report.losses.push(`the rounds after round ${loaded.stored.round} in ${warning.path} and later segments (${warning.reason})`);
    }
    const used = loaded.stored.checkpoint;
    const kept = manifest.checkpoints.filter((info) => info.round <= used.round);
    if (report.actions.length > 0) writeManifest(dir, { ...manifest, checkpoints: kept, log: newestSegment(dir) }, stats);
    report.checkpointRound = used.round;
    report.round = loaded.stored.round;
    return report;
  } finally {
    lock.release();
  }
}
