// One round's changes, as the round log stores them (docs/storage-format.md, "Round records"): a value
// header naming what changed, then a data area with the page runs and snapshot files the header
// lists, in header order. Page data is referenced from the live memories, never copied, on the way out.
import type { IngressStatus, Principal, SnapshotUpload } from '../state/index.ts';
import { ByteSink, ByteSource, plain, TruncatedInput, totalLength } from './_bytes.ts';
import { corrupt } from './errors.ts';
import { PAGE_SIZE } from './format.ts';
import { type PageRun, runData, runTable } from './pages.ts';
import { decodeValueFrom, encodeValue } from './value_codec.ts';

export interface HeapDelta {
  /** Heap size in bytes after the round. */
  size: number;
  /** The runs are the whole image (all other pages are zero), not changes to the previous one. */
  replaced: boolean;
  runs: PageRun[];
}

export interface StableDelta {
  sizePages: bigint;
  /** The runs are all pages present (others are absent), not changes. */
  replaced: boolean;
  runs: PageRun[];
  /** Pages no longer present. */
  absent: number[];
}

export interface CanisterDelta {
  id: Principal;
  meta?: Uint8Array;
  /** The module as uploaded; `null` when the canister became empty. */
  module?: { hash: Uint8Array; bytes: Uint8Array } | null;
  globals?: (number | bigint | undefined)[];
  heap?: HeapDelta;
  stable?: StableDelta;
  /** The chunk store's keys in order, and the bytes of keys new since the last record. */
  chunks?: { order: string[]; added: Map<string, Uint8Array> };
  /** Snapshot ids in order, and the snapshot files of snapshots new since the last record. */
  snapshots?: { order: Uint8Array[]; added: Uint8Array[][] };
  uploads?: SnapshotUpload[];
}

export interface RoundRecord {
  round: bigint;
  time: bigint;
  nextCanisterIndex: bigint;
  randomCounter: bigint;
  ingress: { cleared: boolean; set: Map<string, IngressStatus>; deleted: string[] };
  /** The subnet's other state (system canisters), when it changed (see subnet_codec.ts). */
  extras?: Uint8Array;
  deleted: Principal[];
  canisters: CanisterDelta[];
}

type Header = Omit<RoundRecord, 'round' | 'canisters'> & { canisters: HeaderCanister[] };
type HeaderCanister = Omit<CanisterDelta, 'heap' | 'stable' | 'snapshots'> & {
  heap?: Omit<HeapDelta, 'runs'> & { runs: number[] };
  stable?: Omit<StableDelta, 'runs'> & { runs: number[] };
  snapshots?: { order: Uint8Array[]; sizes: number[] };
};

function headerOf(delta: CanisterDelta): HeaderCanister {
  const { heap, stable, snapshots, ...rest } = delta;
  const out: HeaderCanister = rest;
  if (heap) out.heap = { ...heap, runs: runTable(heap.runs) };
  if (stable) out.stable = { ...stable, runs: runTable(stable.runs) };
  if (snapshots) out.snapshots = { order: snapshots.order, sizes: snapshots.added.map(totalLength) };
  return out;
}

/** The record body: u32 header length, header value, data area. */
export function encodeRecordBody(record: RoundRecord): Uint8Array[] {
  const { round: _round, canisters, ...rest } = record;
  const header: Header = { ...rest, canisters: canisters.map(headerOf) };
  const value = new ByteSink();
  encodeValue(value, header, `round ${record.round}`);
  const headerParts = value.finish();
  const prefix = new ByteSink();
  prefix.u32(totalLength(headerParts));
  const data: Uint8Array[] = [];
  for (const delta of canisters) {
    if (delta.heap) data.push(...runData(delta.heap.runs));
    if (delta.stable) data.push(...runData(delta.stable.runs));
    if (delta.snapshots) for (const file of delta.snapshots.added) data.push(...file);
  }
  return [...prefix.finish(), ...headerParts, ...data];
}

class DataArea {
  readonly #body: Uint8Array;
  offset: number;

  constructor(body: Uint8Array, offset: number) {
    this.#body = body;
    this.offset = offset;
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.#body.length) throw new TruncatedInput(`data area ends before ${length} bytes at ${this.offset}`);
    const view = this.#body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  runs(table: number[]): PageRun[] {
    const runs: PageRun[] = [];
    for (let i = 0; i < table.length; i += 2) {
      const start = table[i]!;
      const count = table[i + 1]!;
      runs.push({ start, count, data: [this.take(count * PAGE_SIZE)] });
    }
    return runs;
  }
}

function canisterOf(header: HeaderCanister, data: DataArea): CanisterDelta {
  const { heap, stable, snapshots, ...rest } = header;
  const out: CanisterDelta = rest;
  if (heap) out.heap = { ...heap, runs: data.runs(heap.runs) };
  if (stable) out.stable = { ...stable, runs: data.runs(stable.runs) };
  if (snapshots) out.snapshots = { order: snapshots.order, added: snapshots.sizes.map((size) => [data.take(size)]) };
  return out;
}

/**
 * Decodes a record body. Page runs and snapshot files are views into `body`; the rest is copied. `path` and `offset` locate the record in errors.
 */
export function decodeRecordBody(round: bigint, body: Uint8Array, path: string, offset: number): RoundRecord {
  const source = new ByteSource(plain(body));
  try {
    const headerLength = source.u32();
    // The header is copied out (it is small, modules aside); page runs and snapshot files stay views.
    const header = decodeValueFrom(new ByteSource(source.take(headerLength))) as Header;
    const data = new DataArea(source.bytes, source.offset);
    const canisters = header.canisters.map((canister) => canisterOf(canister, data));
    if (data.offset !== body.length) throw new TruncatedInput(`${body.length - data.offset} bytes after the data area`);
    return { ...header, round, canisters };
  } catch (error) {
    if (error instanceof TruncatedInput) throw corrupt(path, offset, body.length, `round ${round}: ${error.message}`);
    throw error;
  }
}
