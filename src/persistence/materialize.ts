// From stored state to live canisters: the one file of persistence that makes wasm states (through
// execution's instance helpers). A heap image is read into bytes that the canister keeps until a message
// needs its instance (created then from them), so restoring many canisters instantiates none.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { evictedWasm, instantiate, loadGlobals, loadHeap, precompile } from '../execution/index.ts';
import { type CanisterSnapshot, type CanisterState, StableMemory, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import { type CanisterModule, parseCanisterModule } from '../wasm/index.ts';
import { toHex } from './_bytes.ts';
import { assembleCanister, decodeMeta } from './canister_codec.ts';
import { corrupt } from './errors.ts';
import { readWhole } from './file_io.ts';
import { layout, PAGE_SIZE } from './format.ts';
import { readImage } from './page_file.ts';
import { decodeSnapshot } from './snapshot_codec.ts';
import type { SnapshotRef, StoredCanister, StoredImage } from './stored_state.ts';
import type { MemoryTrack } from './tracker.ts';

export interface Materialized {
  canister: CanisterState;
  heap: MemoryTrack;
  stable: MemoryTrack;
  snapshotFiles: Map<CanisterSnapshot, SnapshotRef>;
}

/** A module or chunk from the blob store, checked against its name (its SHA-256). */
export function readBlob(dir: string, name: string): Uint8Array {
  const path = layout.blob(dir, name);
  const bytes = readWhole(path);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== name) throw corrupt(path, 0, bytes.length, `the blob's SHA-256 is ${actual}`);
  return bytes;
}

export function readSnapshotFile(dir: string, ref: SnapshotRef): CanisterSnapshot {
  const path = join(layout.snapshots(dir), ref.file);
  const bytes = readWhole(path);
  if (bytes.length !== ref.size || crc32(bytes) !== ref.crc) throw corrupt(path, 0, bytes.length, `the snapshot file does not match its checkpoint entry (${ref.size} bytes, crc ${ref.crc})`);
  return decodeSnapshot(bytes, path).snapshot;
}

function pageRange(path: string, limit: number, start: number, count: number): void {
  if (start + count > limit) throw corrupt(path, 0, 0, `pages ${start}..${start + count} lie beyond the memory's ${limit} pages`);
}

/** The stored heap as bytes, checked against the module's initial memory (no instance is created for it). */
function storedHeap(dir: string, module: CanisterModule, stored: StoredImage, id: string): Uint8Array {
  const size = Number(stored.size);
  const initial = (module.memory?.minPages ?? 0) * WASM_PAGE_SIZE;
  if (size < initial || size % WASM_PAGE_SIZE !== 0) throw corrupt(`${dir} (heap of ${id})`, 0, size, `a heap of ${size} bytes cannot hold the module's ${initial}`);
  return heapBytes(dir, stored);
}

/** A stable memory from its stored image. */
export function loadStable(dir: string, stored: StoredImage): StableMemory {
  const stable = new StableMemory();
  stable.sizePages = stored.size;
  const runs: [number, Uint8Array][] = [];
  readImage(dir, stored.image, (start, count) => {
    const bytes = new Uint8Array(count * PAGE_SIZE);
    runs.push([start, bytes]);
    return bytes;
  });
  for (const [start, bytes] of runs) {
    for (let i = 0; i * PAGE_SIZE < bytes.length; i++) stable.pages.set(start + i, bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
  }
  for (const page of stored.absent) stable.pages.delete(page);
  for (const [page, data] of stored.overlay) stable.pages.set(page, data.slice());
  return stable;
}

/** A heap as one byte array (pages never stored stay unwritten: the allocation is lazily zero). */
export function heapBytes(dir: string, stored: StoredImage): Uint8Array {
  const memory = new Uint8Array(Number(stored.size));
  const limit = memory.length / PAGE_SIZE;
  readImage(dir, stored.image, (start, count) => {
    pageRange(dir, limit, start, count);
    return memory.subarray(start * PAGE_SIZE, (start + count) * PAGE_SIZE);
  });
  for (const [page, data] of stored.overlay) memory.set(data, page * PAGE_SIZE);
  return memory;
}

function memoryTrack(stored: StoredImage): MemoryTrack {
  return { image: stored.image, generation: stored.generation, since: new Set([...stored.overlay.keys(), ...stored.absent]), replaced: stored.replaced };
}

function loadWasm(dir: string, stored: StoredCanister): WasmState | undefined {
  if (!stored.moduleHash) return undefined;
  const name = toHex(stored.moduleHash);
  const bytes = stored.moduleBytes ?? readBlob(dir, name);
  let module: CanisterModule;
  try {
    module = parseCanisterModule(bytes);
    precompile(module);
  } catch (error) {
    throw corrupt(layout.blob(dir, name), 0, bytes.length, `the stored module cannot be instantiated: ${(error as Error).message}`);
  }
  const heap = storedHeap(dir, module, stored.heap, stored.id.toText());
  // The instance is created when a message needs it; a store written before v128 globals could be read
  // holds undefined for them, which only an instance can fill in (with the module's initial value).
  if (stored.globals.length === module.globals.length && stored.globals.every((value) => value !== undefined)) return evictedWasm(module, heap, stored.globals);
  const wasm = instantiate(module);
  loadHeap(wasm, heap);
  loadGlobals(wasm, stored.globals as (number | bigint)[]);
  return wasm;
}

/** A live canister from its stored parts, and the tracks saying what the disk holds of it. */
export function materializeCanister(dir: string, stored: StoredCanister): Materialized {
  const meta = decodeMeta(stored.meta, `${dir} (canister ${stored.id.toText()})`);
  const canister = assembleCanister(stored.id, meta, loadWasm(dir, stored));
  canister.stable = loadStable(dir, stored.stable);
  for (const [key, bytes] of stored.chunks) canister.chunkStore.set(key, bytes ?? readBlob(dir, key));
  const snapshotFiles = new Map<CanisterSnapshot, SnapshotRef>();
  for (const entry of stored.snapshots) {
    const snapshot = entry.decoded ?? readSnapshotFile(dir, entry.ref!);
    if (!entry.decoded) snapshotFiles.set(snapshot, entry.ref!);
    canister.snapshots.push(snapshot);
  }
  return { canister, heap: memoryTrack(stored.heap), stable: memoryTrack(stored.stable), snapshotFiles };
}
