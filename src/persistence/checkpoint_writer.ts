// Writing a checkpoint from the live state. Each memory's image gets a section with the pages changed
// since the previous checkpoint, so a checkpoint costs what changed, not what canisters hold; an image
// is rewritten whole only when its memory was replaced or its file holds more dead pages than live
// ones. Modules and chunks go to a content-addressed blob store once; snapshots to files once.
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { canistersInOrder, type CanisterSnapshot, type CanisterState, type SubnetState } from '../state/index.ts';
import { crc32Parts, toHex, totalLength } from './_bytes.ts';
import { encodeMeta, globalValues } from './canister_codec.ts';
import type { CheckpointCanister, CheckpointValue, ImageEntry } from './checkpoint_file.ts';
import { type IoStats, syncDir, writeFileDurable } from './file_io.ts';
import { layout, PAGE_SIZE } from './format.ts';
import { appendSection, type PageImage, pageFileName, sectionPages } from './page_file.ts';
import { heapRuns, nonzeroRuns, type PageRun, stableRuns } from './pages.ts';
import { encodeSnapshot } from './snapshot_codec.ts';
import { encodeSubnetExtras } from './subnet_codec.ts';
import type { CheckpointInfo, SnapshotRef } from './stored_state.ts';
import type { CanisterTrack, MemoryTrack } from './tracker.ts';
import { encodeValueFile } from './value_file.ts';

/** Overlay sections an image may collect before they are merged into one. */
const MAX_SECTIONS = 16;
/** Dead bytes a page file may hold beyond its live pages before it is rewritten. */
const DEAD_SLACK = 8 * 1024 * 1024;

export interface CheckpointContext {
  dir: string;
  stats: IoStats;
  /** Blob names present on disk. */
  blobs: Set<string>;
  /** Highest page-file generation on disk per `<canister>.<memory>`. */
  generations: Map<string, number>;
}

/** What the tracks become once the checkpoint is in the manifest. */
type Apply = () => void;

function ensureBlob(context: CheckpointContext, name: string, bytes: Uint8Array): void {
  if (context.blobs.has(name)) return;
  writeFileDurable(layout.blob(context.dir, name), [bytes], context.stats);
  context.blobs.add(name);
}

function nextGeneration(context: CheckpointContext, key: string, current: number): number {
  const generation = Math.max(current, context.generations.get(key) ?? 0) + 1;
  context.generations.set(key, generation);
  return generation;
}

function fileBytes(context: CheckpointContext, file: string): number {
  return statSync(join(layout.pages(context.dir), file), { throwIfNoEntry: false })?.size ?? 0;
}

interface MemorySource {
  kind: 'heap' | 'stable';
  all: () => PageRun[];
  /** Runs of the given pages, or undefined if some are absent (stable pages cannot be deleted in an image). */
  some: (pages: Iterable<number>) => PageRun[] | undefined;
}

function writeImage(context: CheckpointContext, hex: string, memory: MemoryTrack, size: bigint, source: MemorySource, applies: Apply[]): ImageEntry {
  const { image, generation } = nextImage(context, hex, memory, size, source);
  applies.push(() => {
    memory.image = image;
    memory.generation = generation;
    memory.since.clear();
    memory.replaced = false;
  });
  return { ...image, size, generation };
}

function nextImage(context: CheckpointContext, hex: string, memory: MemoryTrack, size: bigint, source: MemorySource): { image: PageImage; generation: number } {
  const { image, generation } = memory;
  if (size === 0n) return { image: { file: '', sections: [] }, generation };
  const fresh = memory.replaced || !image.file;
  if (!fresh && memory.since.size === 0) return { image, generation };
  const livePages = image.sections.reduce((sum, section) => sum + section.pages, 0) + memory.since.size;
  const compact = !fresh && fileBytes(context, image.file) > 2 * livePages * PAGE_SIZE + DEAD_SLACK;
  if (!fresh && !compact) {
    const merge = image.sections.length >= MAX_SECTIONS;
    const pages = merge ? new Set([...sectionPages(context.dir, image.file, image.sections.slice(1)), ...memory.since]) : memory.since;
    const runs = source.some(pages);
    if (runs) {
      const section = appendSection(context.dir, image.file, runs, context.stats);
      const kept = merge ? image.sections.slice(0, 1) : image.sections;
      return { image: { file: image.file, sections: [...kept, section] }, generation };
    }
  }
  // A new generation: every page that may be non-zero (present), known without scanning the memory.
  const pages = compact ? new Set([...sectionPages(context.dir, image.file, image.sections), ...memory.since]) : memory.since;
  const runs = source.some(pages) ?? source.all();
  const next = nextGeneration(context, `${hex}.${source.kind}`, generation);
  const file = pageFileName(hex, source.kind, next);
  return { image: { file, sections: [appendSection(context.dir, file, runs, context.stats)] }, generation: next };
}

function heapSource(canister: CanisterState): MemorySource {
  const memory = canister.wasm ? canister.wasm.heap() : new Uint8Array(0);
  return { kind: 'heap', all: () => nonzeroRuns(memory), some: (pages) => heapRuns(memory, pages) };
}

function stableSource(canister: CanisterState): MemorySource {
  const stable = canister.stable;
  return {
    kind: 'stable',
    all: () => stableRuns(stable).runs,
    some: (pages) => {
      const { runs, absent } = stableRuns(stable, pages);
      return absent.length === 0 ? runs : undefined;
    },
  };
}

function snapshotRef(context: CheckpointContext, hex: string, seq: number, snapshot: CanisterSnapshot, track: CanisterTrack, applies: Apply[]): SnapshotRef {
  const existing = track.snapshotFiles.get(snapshot);
  if (existing) return existing;
  const parts = encodeSnapshot(snapshot);
  const file = `${hex}.${toHex(snapshot.id)}.${seq}.snap`;
  writeFileDurable(join(layout.snapshots(context.dir), file), parts, context.stats);
  const ref = { file, size: totalLength(parts), crc: crc32Parts(parts) };
  applies.push(() => track.snapshotFiles.set(snapshot, ref));
  return ref;
}

function checkpointCanister(context: CheckpointContext, seq: number, canister: CanisterState, track: CanisterTrack, applies: Apply[]): CheckpointCanister {
  const hex = canister.id.toHex();
  if (canister.wasm) ensureBlob(context, toHex(canister.wasm.module.moduleHash), canister.wasm.module.bytes);
  for (const [key, chunk] of canister.chunkStore) ensureBlob(context, key, chunk);
  const heapSize = canister.wasm ? BigInt(canister.wasm.heapSize) : 0n;
  const snapshots = canister.snapshots.map((snapshot) => ({ id: snapshot.id, ...snapshotRef(context, hex, seq, snapshot, track, applies) }));
  applies.push(() => {
    for (const snapshot of track.snapshotFiles.keys()) if (!canister.snapshots.includes(snapshot)) track.snapshotFiles.delete(snapshot);
  });
  // Encoded afresh: a checkpoint also records changes made outside rounds (an imported snapshot).
  const meta = encodeMeta(canister);
  applies.push(() => {
    track.meta = meta;
    track.snapshots = [...canister.snapshots];
    track.chunkOrder = [...canister.chunkStore.keys()];
  });
  return {
    id: canister.id,
    meta,
    module: canister.wasm?.module.moduleHash,
    globals: globalValues(canister.wasm),
    heap: writeImage(context, hex, track.heap, heapSize, heapSource(canister), applies),
    stable: writeImage(context, hex, track.stable, canister.stable.sizePages, stableSource(canister), applies),
    chunks: [...canister.chunkStore.keys()],
    snapshots,
  };
}

/**
 * Writes checkpoint `seq` of the live state (all of whose rounds are durable, so the tracks equal it)
 * and returns its manifest entry, plus the updates to apply to the tracks once the manifest lists it.
 */
export function writeCheckpoint(context: CheckpointContext, seq: number, state: SubnetState, tracks: Map<string, CanisterTrack>): { info: CheckpointInfo; apply: Apply } {
  const applies: Apply[] = [];
  const canisters = canistersInOrder(state).map((canister) => checkpointCanister(context, seq, canister, tracks.get(canister.id.toHex())!, applies));
  syncDir(layout.pages(context.dir), context.stats);
  const value: CheckpointValue = {
    seq,
    round: state.round,
    time: state.time,
    nextCanisterIndex: state.nextCanisterIndex,
    randomCounter: state.randomCounter,
    randomSeed: state.randomSeed,
    config: state.config,
    ingress: new Map(state.ingress),
    extras: encodeSubnetExtras(state),
    canisters,
  };
  const parts = encodeValueFile('checkpoint', value);
  const path = layout.checkpoint(context.dir, seq);
  writeFileDurable(path, parts, context.stats);
  const info: CheckpointInfo = { seq, round: state.round, file: basename(path), size: totalLength(parts), crc: crc32Parts(parts) };
  return {
    info,
    apply: () => {
      for (const apply of applies) apply();
    },
  };
}
