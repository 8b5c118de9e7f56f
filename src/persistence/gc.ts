// Garbage collection after a checkpoint: keep what the manifest's checkpoints reference and the log
// segments that may still be replayed onto the oldest of them; remove everything else, including
// files left half-written by a crash.
import { join } from 'node:path';
import { readCheckpointValue, referencedFiles } from './checkpoint_file.ts';
import { listDir, removeFile } from './file_io.ts';
import { layout, seqOf } from './format.ts';
import type { Manifest } from './manifest.ts';
import { listSegments } from './round_log.ts';

/** Names the store itself writes in each folder (besides `.<name>.tmp`); anything else is left alone. */
const OWN = {
  pages: /^[0-9a-f]+\.(?:heap|stable)\.\d+\.pages$/,
  blobs: /^[0-9a-f]{64}$/,
  snapshots: /^[0-9a-f]+\.[0-9a-f]+\.\d+\.snap$/,
  checkpoints: /^\d{10}\.ckpt$/,
  logs: /^\d{10}\.log$/,
};

function sweep(folder: string, own: RegExp, keep: (name: string) => boolean, removed?: (name: string) => void): void {
  for (const name of listDir(folder)) {
    // A file the store did not write may be the user's: garbage collection never deletes it.
    if (keep(name) || !(own.test(name) || /^\..+\.tmp$/.test(name))) continue;
    removeFile(join(folder, name));
    removed?.(name);
  }
}

/** Removes unreferenced files. `currentLogSeq` is the segment being appended to (always kept). */
export function collectGarbage(dir: string, manifest: Manifest, currentLogSeq: number, blobs: Set<string>): void {
  const pages = new Set<string>();
  const blobNames = new Set<string>();
  const snapshots = new Set<string>();
  for (const info of manifest.checkpoints) {
    const refs = referencedFiles(readCheckpointValue(dir, info));
    for (const name of refs.pages) pages.add(name);
    for (const name of refs.blobs) blobNames.add(name);
    for (const name of refs.snapshots) snapshots.add(name);
  }
  sweep(layout.pages(dir), OWN.pages, (name) => pages.has(name));
  sweep(layout.blobs(dir), OWN.blobs, (name) => blobNames.has(name), (name) => blobs.delete(name));
  sweep(layout.snapshots(dir), OWN.snapshots, (name) => snapshots.has(name));
  const kept = new Set(manifest.checkpoints.map((info) => info.seq));
  sweep(layout.checkpoints(dir), OWN.checkpoints, (name) => kept.has(seqOf(name) ?? -1));
  const oldest = manifest.checkpoints.reduce((min, info) => (info.round < min ? info.round : min), manifest.checkpoints[0]!.round);
  const segments = listSegments(dir);
  segments.forEach((segment, i) => {
    if (segment.seq === currentLogSeq) return;
    const next = segments[i + 1];
    const replayable = !next || next.firstRound < 0n || next.firstRound > oldest + 1n;
    if (segment.firstRound < 0n || !replayable) removeFile(segment.path);
  });
  sweep(layout.logs(dir), OWN.logs, (name) => seqOf(name) !== undefined);
}
