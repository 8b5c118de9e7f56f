// The storage format's version, file headers and directory layout (docs/storage-format.md).
// Every file starts with 8 magic bytes and the format version; a reader refuses another version
// with `versionMismatch` and never writes to a state directory it cannot read.
import { join } from 'node:path';
import { type ByteSink, ByteSource } from './_bytes.ts';
import { corrupt, PersistenceError } from './errors.ts';

/** Bump on any change of the layout; describe the change in docs/storage-format.md. */
export const FORMAT_VERSION = 4;
/**
 * The oldest version this code reads. Version 1 differs in the canister meta, which also held query
 * statistics (dropped on load, see canister_codec.ts); versions 1 and 2 have no `log` in the manifest
 * (the newest segment is then not checked); versions 1 to 3 have no pending HTTP outcalls in the
 * subnet extras. A directory opened is written in the current version from then on (new log
 * segments, checkpoints and manifest), so older code refuses it by name.
 */
export const OLDEST_READABLE_VERSION = 1;

export const MAGIC = {
  manifest: 'CAPSMANI',
  checkpoint: 'CAPSCKPT',
  log: 'CAPSRLOG',
  pages: 'CAPSPAGE',
  snapshot: 'CAPSSNAP',
} as const;
export type FileKind = keyof typeof MAGIC;

/** magic (8) + version (u32) + reserved (u32). */
export const HEADER_SIZE = 16;
export const PAGE_SIZE = 4096;

export function writeHeader(sink: ByteSink, kind: FileKind): void {
  sink.ascii(MAGIC[kind]);
  sink.u32(FORMAT_VERSION);
  sink.u32(0);
}

/** Checks a file's header; throws `notAStateFile`, `versionMismatch` or `corrupt` (too short). */
export function checkHeader(bytes: Uint8Array, kind: FileKind, path: string): void {
  if (bytes.length < HEADER_SIZE) throw corrupt(path, 0, bytes.length, `the file is shorter than its ${HEADER_SIZE}-byte header`);
  const source = new ByteSource(bytes);
  const magic = source.ascii(8);
  if (magic !== MAGIC[kind]) throw new PersistenceError({ kind: 'notAStateFile', path, expected: MAGIC[kind], found: magic });
  const version = source.u32();
  if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) throw new PersistenceError({ kind: 'versionMismatch', path, fileVersion: version, oldest: OLDEST_READABLE_VERSION, supported: FORMAT_VERSION });
}

/** File and folder names inside a state directory. */
export const layout = {
  lock: (dir: string) => join(dir, 'lock'),
  seed: (dir: string) => join(dir, 'seed'),
  manifest: (dir: string) => join(dir, 'MANIFEST'),
  checkpoints: (dir: string) => join(dir, 'checkpoints'),
  checkpoint: (dir: string, seq: number) => join(dir, 'checkpoints', `${seqName(seq)}.ckpt`),
  logs: (dir: string) => join(dir, 'log'),
  log: (dir: string, seq: number) => join(dir, 'log', `${seqName(seq)}.log`),
  pages: (dir: string) => join(dir, 'pages'),
  blobs: (dir: string) => join(dir, 'blobs'),
  blob: (dir: string, hashHex: string) => join(dir, 'blobs', hashHex),
  snapshots: (dir: string) => join(dir, 'snapshots'),
  /** Files recovery or repair could not use, moved here instead of being deleted. */
  damaged: (dir: string) => join(dir, 'damaged'),
} as const;

/** Zero-padded so that names sort in sequence order. */
export function seqName(seq: number): string {
  return String(seq).padStart(10, '0');
}

export function seqOf(name: string): number | undefined {
  const match = /^(\d{10})\.(ckpt|log)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
