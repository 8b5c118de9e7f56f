// The manifest: which checkpoints a state directory holds, newest first. It is replaced atomically
// (write, fdatasync, rename, fsync of the folder), so a crash leaves the old or the new one, never half.
import type { IoStats } from './file_io.ts';
import { exists, readWhole, writeFileDurable } from './file_io.ts';
import { corrupt } from './errors.ts';
import { layout } from './format.ts';
import type { CheckpointInfo } from './stored_state.ts';
import { decodeValueFile, encodeValueFile } from './value_file.ts';

export interface Manifest {
  /** Newest first; recovery falls back along this list. */
  checkpoints: CheckpointInfo[];
  /** The subnet the directory holds, readable without loading a checkpoint. */
  subnet: { subnetId: string; costSchedule: 'application' | 'free' };
  /**
   * The newest log segment the store has created, recorded once it exists and before any record
   * goes in, so that recovery can tell a deleted last segment from one never written. Absent in
   * manifests of versions 1 and 2.
   */
  log?: LogMark;
}

export interface LogMark {
  seq: number;
  firstRound: bigint;
}

/** The manifest, or undefined for a directory without one (a new state directory). */
export function readManifest(dir: string): Manifest | undefined {
  const path = layout.manifest(dir);
  if (!exists(path)) return undefined;
  const bytes = readWhole(path);
  const value = decodeValueFile(bytes, 'manifest', path) as Manifest;
  if (!Array.isArray(value?.checkpoints) || value.checkpoints.length === 0 || typeof value.subnet?.subnetId !== 'string') {
    throw corrupt(path, 0, bytes.length, 'the manifest lists no checkpoint');
  }
  if (value.log !== undefined && (typeof value.log?.seq !== 'number' || typeof value.log.firstRound !== 'bigint')) {
    throw corrupt(path, 0, bytes.length, 'the manifest names its newest log segment without a number and first round');
  }
  return value;
}

export function writeManifest(dir: string, manifest: Manifest, stats: IoStats): void {
  writeFileDurable(layout.manifest(dir), encodeValueFile('manifest', manifest), stats);
}
