// What the store last made durable, per canister, and the round record that brings the disk up to
// the live state: the dirty pages of the round's committed executions, plus whichever small parts
// (system state, globals, queues, chunk keys, snapshot list) differ from their last durable bytes.
// Only canisters marked touched (state's `getCanister`, `touch`) are compared, so a round costs what
// it touched; under test the untouched ones are compared too, and a missed mark throws.
import type { CanisterSnapshot, CanisterState, IngressStatus, Principal, SubnetState } from '../state/index.ts';
import { equalBytes, toHex } from './_bytes.ts';
import { decodeMeta, encodeMeta, globalValues, META_FIELDS } from './canister_codec.ts';
import type { PageImage } from './page_file.ts';
import { heapRuns, nonzeroRuns, stableRuns } from './pages.ts';
import type { CanisterDelta, RoundRecord } from './round_record.ts';
import { encodeSnapshot } from './snapshot_codec.ts';
import type { SnapshotRef } from './stored_state.ts';
import { TrackedMap } from './tracked_map.ts';
import { encodeToBytes } from './value_codec.ts';

/** A memory as the newest checkpoint has it, and what changed since. */
export interface MemoryTrack {
  image: PageImage;
  generation: number;
  /**
   * Pages written since the checkpoint; once `replaced`, every page that may be non-zero (heap) or
   * present (stable) since the replacement, so that the new image is written without a scan.
   */
  since: Set<number>;
  /** Replaced whole since the checkpoint: the next checkpoint writes a new image. */
  replaced: boolean;
}

export interface CanisterTrack {
  id: Principal;
  meta: Uint8Array;
  moduleHash: string | undefined;
  globals: Uint8Array;
  heapSize: number;
  stableSizePages: bigint;
  chunkOrder: string[];
  snapshots: CanisterSnapshot[];
  heap: MemoryTrack;
  stable: MemoryTrack;
  /** Snapshot objects already in a checkpoint file (an upload since then removes the entry). */
  snapshotFiles: Map<CanisterSnapshot, SnapshotRef>;
}

export function newMemoryTrack(): MemoryTrack {
  return { image: { file: '', sections: [] }, generation: 0, since: new Set(), replaced: true };
}

const EMPTY = new Uint8Array(0);

function heapOf(canister: CanisterState): Uint8Array {
  return canister.wasm ? canister.wasm.heap() : EMPTY;
}

/** A track saying "the disk holds exactly this canister" (after recovery or a checkpoint of a new one). */
export function trackOf(canister: CanisterState, heap: MemoryTrack, stable: MemoryTrack, snapshotFiles: Map<CanisterSnapshot, SnapshotRef>): CanisterTrack {
  return {
    id: canister.id,
    meta: encodeMeta(canister),
    moduleHash: canister.wasm ? toHex(canister.wasm.module.moduleHash) : undefined,
    globals: encodeToBytes(globalValues(canister.wasm)),
    heapSize: heapOf(canister).length,
    stableSizePages: canister.stable.sizePages,
    chunkOrder: [...canister.chunkStore.keys()],
    snapshots: [...canister.snapshots],
    heap,
    stable,
    snapshotFiles,
  };
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function memoryDeltas(canister: CanisterState, track: CanisterTrack | undefined, moduleChanged: boolean, delta: CanisterDelta): void {
  const heap = heapOf(canister);
  const dirty = canister.dirty;
  if (!track || moduleChanged || dirty.heapReplaced) delta.heap = { size: heap.length, replaced: true, runs: nonzeroRuns(heap) };
  else if (dirty.heapPages.size > 0 || heap.length !== track.heapSize) delta.heap = { size: heap.length, replaced: false, runs: heapRuns(heap, dirty.heapPages) };
  const stable = canister.stable;
  if (!track || dirty.stableReplaced) delta.stable = { sizePages: stable.sizePages, replaced: true, ...stableRuns(stable) };
  else if (dirty.stablePages.size > 0 || stable.sizePages !== track.stableSizePages) {
    delta.stable = { sizePages: stable.sizePages, replaced: false, ...stableRuns(stable, dirty.stablePages) };
  }
}

function partsDeltas(canister: CanisterState, track: CanisterTrack | undefined, delta: CanisterDelta): void {
  const chunkOrder = [...canister.chunkStore.keys()];
  if (!track || !sameList(chunkOrder, track.chunkOrder)) {
    const known = new Set(track?.chunkOrder);
    const added = new Map(chunkOrder.filter((key) => !known.has(key)).map((key) => [key, canister.chunkStore.get(key)!]));
    delta.chunks = { order: chunkOrder, added };
  }
  if (!track || !sameList(canister.snapshots, track.snapshots)) {
    const known = new Set(track?.snapshots);
    const added = canister.snapshots.filter((snapshot) => !known.has(snapshot)).map((snapshot) => encodeSnapshot(snapshot));
    delta.snapshots = { order: canister.snapshots.map((snapshot) => snapshot.id), added };
  }
  if (canister.dirty.snapshotUploads.length > 0) delta.uploads = [...canister.dirty.snapshotUploads];
}

/** The changes of one canister since its track, or undefined when there are none. */
export function canisterDelta(canister: CanisterState, track: CanisterTrack | undefined): CanisterDelta | undefined {
  const delta: CanisterDelta = { id: canister.id };
  const meta = encodeMeta(canister);
  if (!track || !equalBytes(meta, track.meta)) delta.meta = meta;
  const wasm = canister.wasm;
  const moduleHash = wasm ? toHex(wasm.module.moduleHash) : undefined;
  const moduleChanged = !track || moduleHash !== track.moduleHash;
  if (moduleChanged) delta.module = wasm ? { hash: wasm.module.moduleHash, bytes: wasm.module.bytes } : null;
  const globals = globalValues(wasm);
  if (!track || !equalBytes(encodeToBytes(globals), track.globals)) delta.globals = globals;
  memoryDeltas(canister, track, moduleChanged, delta);
  partsDeltas(canister, track, delta);
  return Object.keys(delta).length > 1 ? delta : undefined;
}

function ingressChanges(state: SubnetState): RoundRecord['ingress'] {
  const ingress = state.ingress;
  if (!(ingress instanceof TrackedMap)) return { cleared: true, set: new Map(ingress), deleted: [] };
  const { cleared, keys } = ingress.peekChanges();
  const set = new Map<string, IngressStatus>();
  const deleted: string[] = [];
  for (const key of keys as string[]) {
    const status = ingress.get(key);
    if (status) set.set(key, status);
    else deleted.push(key);
  }
  return { cleared, set, deleted };
}

/** A canister changed without being marked touched: persistence would have lost the change. */
function missedTouch(canister: CanisterState, track: CanisterTrack, delta: CanisterDelta): Error {
  const parts = Object.keys(delta).filter((key) => key !== 'id');
  const before = decodeMeta(track.meta, 'the durable meta') as Record<string, unknown>;
  const fields = META_FIELDS.filter((field) => !equalBytes(encodeToBytes(before[field]), encodeToBytes(canister[field])));
  return new Error(
    `canister ${canister.id.toText()} changed (${parts.join(', ')}${fields.length > 0 ? `: ${fields.join(', ')}` : ''}) without being marked touched: reach it through getCanister or call touch`,
  );
}

/**
 * The record of the round the state has just completed. `verify` also compares untouched canisters
 * and throws if one changed (a test-only invariant: it costs one encoding per canister).
 */
export function roundRecord(state: SubnetState, tracks: Map<string, CanisterTrack>, verify = false): RoundRecord {
  const canisters: CanisterDelta[] = [];
  for (const [key, canister] of state.canisters) {
    const track = tracks.get(key);
    if (track && !canister.dirty.touched && !verify) continue;
    const delta = canisterDelta(canister, track);
    if (!delta) continue;
    if (track && !canister.dirty.touched) throw missedTouch(canister, track, delta);
    canisters.push(delta);
  }
  const deleted = [...tracks.entries()].filter(([key]) => !state.canisters.has(key)).map(([, track]) => track.id);
  return {
    round: state.round,
    time: state.time,
    nextCanisterIndex: state.nextCanisterIndex,
    randomCounter: state.randomCounter,
    ingress: ingressChanges(state),
    deleted,
    canisters,
  };
}

function advance(memory: MemoryTrack, replaced: boolean, runs: readonly { start: number; count: number }[], absent: readonly number[] = []): void {
  if (replaced) {
    // From now on `since` holds every page that may be non-zero (present): the new image needs no scan.
    memory.replaced = true;
    memory.since.clear();
  }
  for (const run of runs) for (let page = run.start; page < run.start + run.count; page++) memory.since.add(page);
  for (const page of absent) memory.since.add(page);
}

function advanceTrack(track: CanisterTrack, canister: CanisterState, delta: CanisterDelta): void {
  if (delta.meta) track.meta = delta.meta;
  if (delta.module !== undefined) track.moduleHash = delta.module ? toHex(delta.module.hash) : undefined;
  if (delta.globals) track.globals = encodeToBytes(delta.globals);
  if (delta.heap) {
    track.heapSize = delta.heap.size;
    advance(track.heap, delta.heap.replaced, delta.heap.runs);
  }
  if (delta.stable) {
    track.stableSizePages = delta.stable.sizePages;
    advance(track.stable, delta.stable.replaced, delta.stable.runs, delta.stable.absent);
  }
  if (delta.chunks) track.chunkOrder = delta.chunks.order;
  if (delta.snapshots) track.snapshots = [...canister.snapshots];
  for (const upload of delta.uploads ?? []) {
    const changed = canister.snapshots.find((snapshot) => equalBytes(snapshot.id, upload.snapshotId));
    if (changed) track.snapshotFiles.delete(changed);
  }
}

/** After the record is durable: the tracks take its content and the canisters' dirty sets are cleared. */
export function afterCommit(state: SubnetState, tracks: Map<string, CanisterTrack>, record: RoundRecord): void {
  for (const id of record.deleted) tracks.delete(id.toHex());
  for (const canister of state.canisters.values()) canister.dirty.touched = false;
  for (const delta of record.canisters) {
    const key = delta.id.toHex();
    const canister = state.canisters.get(key)!;
    const track = tracks.get(key);
    if (track) advanceTrack(track, canister, delta);
    else tracks.set(key, trackOf(canister, newMemoryTrack(), newMemoryTrack(), new Map()));
    const dirty = canister.dirty;
    dirty.heapPages.clear();
    dirty.stablePages.clear();
    dirty.heapReplaced = false;
    dirty.stableReplaced = false;
    dirty.snapshotUploads = [];
  }
  if (state.ingress instanceof TrackedMap) state.ingress.takeChanges();
  else state.ingress = TrackedMap.of(state.ingress);
}
