// The checkpoint file: the subnet's state at one round, with canister memories, modules, chunks and
// snapshots referenced by file (page images, blobs, snapshot files) rather than inlined, so a
// checkpoint rewrites only what changed since the previous one.
import { basename } from 'node:path';
import type { Principal } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { readWhole } from './file_io.ts';
import { layout } from './format.ts';
import type { PageImage } from './page_file.ts';
import { type CheckpointInfo, emptyImage, type SnapshotRef, type StoredCanister, type StoredImage, type StoredState, type StoredSubnetFields } from './stored_state.ts';
import { decodeValueFile } from './value_file.ts';

export interface ImageEntry extends PageImage {
  /** Heap: bytes; stable: 64 KiB pages. */
  size: bigint;
  generation: number;
}

export interface CheckpointCanister {
  id: Principal;
  meta: Uint8Array;
  /** SHA-256 of the module (its blob name); undefined for an empty canister. */
  module: Uint8Array | undefined;
  globals: (number | bigint | undefined)[];
  heap: ImageEntry;
  stable: ImageEntry;
  /** Chunk store keys in order (each chunk is the blob named by its key). */
  chunks: string[];
  snapshots: (SnapshotRef & { id: Uint8Array })[];
}

export interface CheckpointValue extends StoredSubnetFields {
  seq: number;
  canisters: CheckpointCanister[];
}

function imageOf(entry: ImageEntry): StoredImage {
  return { ...emptyImage(), size: entry.size, image: { file: entry.file, sections: entry.sections }, generation: entry.generation };
}

function canisterOf(entry: CheckpointCanister): StoredCanister {
  return {
    id: entry.id,
    meta: entry.meta,
    moduleHash: entry.module,
    moduleBytes: undefined,
    globals: entry.globals,
    heap: imageOf(entry.heap),
    stable: imageOf(entry.stable),
    chunks: new Map(entry.chunks.map((key) => [key, undefined])),
    snapshots: entry.snapshots.map(({ id, ...ref }) => ({ id, ref, decoded: undefined })),
  };
}

/** Reads and checks the checkpoint the manifest describes. */
export function readCheckpointValue(dir: string, info: CheckpointInfo): CheckpointValue {
  const path = layout.checkpoint(dir, info.seq);
  const bytes = readWhole(path);
  if (bytes.length !== info.size) throw corrupt(path, 0, bytes.length, `the checkpoint has ${bytes.length} bytes, the manifest says ${info.size}`);
  const value = decodeValueFile(bytes, 'checkpoint', path) as CheckpointValue;
  if (value.seq !== info.seq || value.round !== info.round || !Array.isArray(value.canisters)) {
    throw corrupt(path, 0, bytes.length, `the checkpoint is not the one of round ${info.round}`);
  }
  return value;
}

export function storedStateOf(value: CheckpointValue, info: CheckpointInfo): StoredState {
  return {
    checkpoint: info,
    round: value.round,
    time: value.time,
    nextCanisterIndex: value.nextCanisterIndex,
    randomCounter: value.randomCounter,
    randomSeed: value.randomSeed,
    config: value.config,
    ingress: value.ingress,
    extras: value.extras,
    canisters: new Map(value.canisters.map((canister) => [canister.id.toHex(), canisterOf(canister)])),
  };
}

/** File names (relative to their folders) a checkpoint needs: what garbage collection keeps. */
export function referencedFiles(value: CheckpointValue): { pages: Set<string>; blobs: Set<string>; snapshots: Set<string> } {
  const pages = new Set<string>();
  const blobs = new Set<string>();
  const snapshots = new Set<string>();
  for (const canister of value.canisters) {
    for (const image of [canister.heap, canister.stable]) if (image.file) pages.add(image.file);
    if (canister.module) blobs.add(Buffer.from(canister.module).toString('hex'));
    for (const key of canister.chunks) blobs.add(key);
    for (const snapshot of canister.snapshots) snapshots.add(basename(snapshot.file));
  }
  return { pages, blobs, snapshots };
}
