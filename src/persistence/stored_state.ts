// The state as stored: a checkpoint plus the log records replayed onto it, before any wasm is
// instantiated. Memories stay references to checkpoint page sections plus the pages the log wrote
// after them, so inspecting a state directory reads no page data, and restoring reads each page once.
import { createHash } from 'node:crypto';
import type { CanisterSnapshot, IngressStatus, Principal, SnapshotUpload, SubnetConfig } from '../state/index.ts';
import { toHex } from './_bytes.ts';
import type { PageImage } from './page_file.ts';
import type { RoundRecord } from './round_record.ts';
import { decodeSnapshot } from './snapshot_codec.ts';

/** A memory: a checkpoint image, then pages written by log records after it. */
export interface StoredImage {
  /** Heap: bytes. Stable memory: 64 KiB pages. */
  size: bigint;
  image: PageImage;
  /** Page-file generation of `image` (a new one starts when the image is rewritten whole). */
  generation: number;
  overlay: Map<number, Uint8Array>;
  /** Stable pages no longer present. */
  absent: Set<number>;
  /** A log record replaced the memory whole after the checkpoint (`image` is then empty). */
  replaced: boolean;
}

export interface SnapshotRef {
  file: string;
  size: number;
  crc: number;
}

export interface StoredSnapshot {
  id: Uint8Array;
  /** Where the checkpoint keeps it (unless a record replaced or changed it). */
  ref: SnapshotRef | undefined;
  /** Decoded when it came from the log or was changed by an upload after the checkpoint. */
  decoded: CanisterSnapshot | undefined;
}

export interface StoredCanister {
  id: Principal;
  meta: Uint8Array;
  moduleHash: Uint8Array | undefined;
  /** The module from a log record; otherwise it is in the blob store under its hash. */
  moduleBytes: Uint8Array | undefined;
  globals: (number | bigint | undefined)[];
  heap: StoredImage;
  stable: StoredImage;
  /** Chunk store in order; `undefined` bytes are in the blob store under their key. */
  chunks: Map<string, Uint8Array | undefined>;
  snapshots: StoredSnapshot[];
}

export interface CheckpointInfo {
  seq: number;
  round: bigint;
  file: string;
  size: number;
  crc: number;
}

/** The subnet-level part of the state, the same in a checkpoint file and in the recovered state. */
export interface StoredSubnetFields {
  round: bigint;
  time: bigint;
  nextCanisterIndex: bigint;
  randomCounter: bigint;
  randomSeed: Uint8Array;
  config: SubnetConfig;
  ingress: Map<string, IngressStatus>;
  /** Encoded subnet extras (system canisters); see subnet_codec.ts. */
  extras: Uint8Array | undefined;
}

export interface StoredState extends StoredSubnetFields {
  checkpoint: CheckpointInfo;
  canisters: Map<string, StoredCanister>;
}

export function emptyImage(): StoredImage {
  return { size: 0n, image: { file: '', sections: [] }, generation: 0, overlay: new Map(), absent: new Set(), replaced: false };
}

function emptyCanister(id: Principal): StoredCanister {
  return { id, meta: new Uint8Array(0), moduleHash: undefined, moduleBytes: undefined, globals: [], heap: emptyImage(), stable: emptyImage(), chunks: new Map(), snapshots: [] };
}

/** Reads a snapshot the checkpoint keeps in a file (used when an upload changes it during replay). */
export type SnapshotReader = (ref: SnapshotRef) => CanisterSnapshot;

function applyUpload(snapshot: CanisterSnapshot, upload: SnapshotUpload): void {
  const offset = Number(upload.offset);
  switch (upload.kind) {
    case 'wasmModule':
      return snapshot.wasmModule.set(upload.chunk, offset);
    case 'wasmMemory':
      return snapshot.heap.set(upload.chunk, offset);
    case 'stableMemory':
      return snapshot.stable.write(offset, upload.chunk, () => {});
    case 'wasmChunk':
      snapshot.chunkStore.set(createHash('sha256').update(upload.chunk).digest('hex'), upload.chunk);
      return;
  }
}

function applySnapshots(canister: StoredCanister, delta: NonNullable<RoundRecord['canisters'][number]['snapshots']>, path: string): void {
  const known = new Map(canister.snapshots.map((snapshot) => [toHex(snapshot.id), snapshot]));
  for (const file of delta.added) {
    const decoded = decodeSnapshot(file[0]!, `${path} (snapshot)`).snapshot;
    known.set(toHex(decoded.id), { id: decoded.id, ref: undefined, decoded });
  }
  canister.snapshots = delta.order.map((id) => known.get(toHex(id))).filter((snapshot) => snapshot !== undefined);
}

function applyImage(image: StoredImage, size: bigint, replaced: boolean, runs: { start: number; count: number; data: Uint8Array[] }[], absent: number[]): void {
  image.size = size;
  if (replaced) {
    image.image = { file: '', sections: [] };
    image.overlay = new Map();
    image.absent = new Set();
    image.replaced = true;
  }
  for (const run of runs) {
    const bytes = run.data[0]!;
    for (let i = 0; i < run.count; i++) {
      image.overlay.set(run.start + i, bytes.subarray(i * 4096, (i + 1) * 4096));
      image.absent.delete(run.start + i);
    }
  }
  for (const page of absent) {
    image.overlay.delete(page);
    image.absent.add(page);
  }
}

/** Replays one record onto the stored state. `path` names the log segment in errors. */
export function applyRecord(state: StoredState, record: RoundRecord, readSnapshot: SnapshotReader, path: string): void {
  state.round = record.round;
  state.time = record.time;
  state.nextCanisterIndex = record.nextCanisterIndex;
  state.randomCounter = record.randomCounter;
  if (record.ingress.cleared) state.ingress.clear();
  for (const [id, status] of record.ingress.set) state.ingress.set(id, status);
  for (const id of record.ingress.deleted) state.ingress.delete(id);
  if (record.extras) state.extras = record.extras;
  for (const id of record.deleted) state.canisters.delete(id.toHex());
  for (const delta of record.canisters) {
    const key = delta.id.toHex();
    let canister = state.canisters.get(key);
    if (!canister) state.canisters.set(key, (canister = emptyCanister(delta.id)));
    if (delta.meta) canister.meta = delta.meta;
    if (delta.module !== undefined) {
      canister.moduleHash = delta.module?.hash;
      canister.moduleBytes = delta.module?.bytes;
    }
    if (delta.globals) canister.globals = delta.globals;
    if (delta.heap) applyImage(canister.heap, BigInt(delta.heap.size), delta.heap.replaced, delta.heap.runs, []);
    if (delta.stable) applyImage(canister.stable, delta.stable.sizePages, delta.stable.replaced, delta.stable.runs, delta.stable.absent);
    if (delta.chunks) {
      const previous = canister.chunks;
      canister.chunks = new Map(delta.chunks.order.map((key) => [key, delta.chunks!.added.get(key) ?? previous.get(key)]));
    }
    if (delta.snapshots) applySnapshots(canister, delta.snapshots, path);
    for (const upload of delta.uploads ?? []) {
      const target = canister.snapshots.find((snapshot) => toHex(snapshot.id) === toHex(upload.snapshotId));
      if (!target) continue;
      target.decoded ??= readSnapshot(target.ref!);
      target.ref = undefined;
      applyUpload(target.decoded, upload);
    }
  }
}
