// From stored state to live canisters: the one file of persistence that instantiates wasm (through
// execution's instance helpers). Heap images are read straight into the wasm memory, so restoring
// a 1 GiB heap copies each stored page once and allocates nothing else of that size.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { growMemory, instantiate, loadGlobals } from '../execution/index.ts';
import { type CanisterSnapshot, type CanisterState, StableMemory, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import { parseCanisterModule } from '../wasm/index.ts';
import { toHex } from './_bytes.ts';
import { assembleCanister, decodeMeta } from './canister_codec.ts';
import { corrupt } from './errors.ts';
import { readWhole } from './file_io.ts';
import { layout, PAGE_SIZE } from './format.ts';
import { readImage } from './page_file.ts';
import { zeroMemory } from './pages.ts';
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

function loadHeap(dir: string, wasm: WasmState, stored: StoredImage, id: string): void {
  const size = Number(stored.size);
  const current = wasm.memory.buffer.byteLength;
  const where = `${dir} (heap of ${id})`;
  if (size < current || size % WASM_PAGE_SIZE !== 0) throw corrupt(where, 0, size, `a heap of ${size} bytes cannot hold the module's ${current}`);
  // The fresh instance's data segments are not part of the image. Only its initial memory can hold
  // them: grown memory is zero, and scanning it would fault in every page twice (read, then write).
  zeroMemory(new Uint8Array(wasm.memory.buffer));
  if (size > current && growMemory(wasm, (size - current) / WASM_PAGE_SIZE) < 0) throw corrupt(where, 0, size, 'the heap cannot grow to its stored size');
  const memory = new Uint8Array(wasm.memory.buffer);
  const limit = memory.length / PAGE_SIZE;
  readImage(dir, stored.image, (start, count) => {
    pageRange(where, limit, start, count);
    return memory.subarray(start * PAGE_SIZE, (start + count) * PAGE_SIZE);
  });
  for (const [page, data] of stored.overlay) {
    pageRange(where, limit, page, 1);
    memory.set(data, page * PAGE_SIZE);
  }
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

/** A heap as one byte array (for export; restoring reads straight into the wasm memory instead). */
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
  let wasm: WasmState;
  try {
    wasm = instantiate(parseCanisterModule(bytes));
  } catch (error) {
    throw corrupt(layout.blob(dir, name), 0, bytes.length, `the stored module cannot be instantiated: ${(error as Error).message}`);
  }
  loadHeap(dir, wasm, stored.heap, stored.id.toText());
  // undefined (a v128 global) is refused by the setter and keeps the module's initial value
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
