// The canister snapshot file: how the management canister's snapshots are kept in a state directory,
// and the file `exportCanister` writes and `importCanister` reads — one format for both, so a snapshot
// moves between state directories byte for byte. Heap pages that are all zero are left out.
import { type CanisterSnapshot, type Principal, StableMemory } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { PAGE_SIZE } from './format.ts';
import { nonzeroRuns } from './pages.ts';
import { decodeValueFile, encodeValueFile } from './value_file.ts';

export interface SnapshotFile {
  snapshot: CanisterSnapshot;
  /** The canister the snapshot was exported from, if the file says. */
  canisterId: Principal | undefined;
}

type Body = Omit<CanisterSnapshot, 'heap' | 'stable'> & {
  canisterId?: Principal;
  heapSize: number;
  heapRuns: [number, Uint8Array][];
  stableSizePages: bigint;
  stablePages: [number, Uint8Array][];
};

/** The snapshot as file parts. Heap and stable pages are referenced, not copied: write before changing them. */
export function encodeSnapshot(snapshot: CanisterSnapshot, canisterId?: Principal): Uint8Array[] {
  const { heap, stable, ...rest } = snapshot;
  const body: Body = {
    ...rest,
    heapSize: heap.length,
    heapRuns: nonzeroRuns(heap).map((run) => [run.start, run.data[0]!]),
    stableSizePages: stable.sizePages,
    stablePages: [...stable.pages.entries()],
  };
  if (canisterId) body.canisterId = canisterId;
  return encodeValueFile('snapshot', body);
}

/** Decodes a snapshot file; damage is a `corrupt` failure of `path`. */
export function decodeSnapshot(bytes: Uint8Array, path: string): SnapshotFile {
  const body = decodeValueFile(bytes, 'snapshot', path, { copyBytes: false }) as Body;
  if (typeof body !== 'object' || body === null || !(body.id instanceof Uint8Array) || typeof body.heapSize !== 'number') {
    throw corrupt(path, 0, bytes.length, 'not a canister snapshot');
  }
  return { snapshot: snapshotOf(body), canisterId: body.canisterId };
}

function snapshotOf(body: Body): CanisterSnapshot {
  const { heapSize, heapRuns, stableSizePages, stablePages, canisterId: _canister, ...rest } = body;
  const heap = new Uint8Array(heapSize);
  for (const [start, data] of heapRuns) heap.set(data, start * PAGE_SIZE);
  const stable = new StableMemory();
  stable.sizePages = stableSizePages;
  for (const [index, page] of stablePages) stable.pages.set(index, page.slice());
  return {
    ...rest,
    id: rest.id.slice(),
    wasmModule: rest.wasmModule.slice(),
    certifiedData: rest.certifiedData.slice(),
    chunkStore: new Map([...rest.chunkStore].map(([key, chunk]) => [key, chunk.slice()])),
    heap,
    stable,
  };
}
