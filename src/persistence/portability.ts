// Moving canisters between state directories: export writes a canister's current state (or one of
// its snapshots) as a snapshot file; import adds such a file to a canister of another directory as an
// uploaded snapshot, which `load_canister_snapshot` then installs — the management canister's own
// snapshot path, with the same file format the state directory uses for snapshots.
import { type CanisterSnapshot, getCanister, MAX_SNAPSHOTS, newHttpOutcallsState, newSystemCanistersState, Principal, type SubnetState } from '../state/index.ts';
import { toHex, totalLength } from './_bytes.ts';
import { decodeMeta } from './canister_codec.ts';
import { PersistenceError } from './errors.ts';
import { readWhole, writeFileDurable } from './file_io.ts';
import { loadForReading } from './inspect.ts';
import { heapBytes, loadStable, readBlob, readSnapshotFile } from './materialize.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot_codec.ts';
import { DurableStore, type StoreOptions } from './store.ts';
import type { StoredCanister } from './stored_state.ts';

/** The management canister's snapshot ids: `u64_be(counter) ‖ canister id`. */
function snapshotId(counter: bigint, canister: Principal): Uint8Array {
  const id = canister.toUint8Array();
  const out = new Uint8Array(8 + id.length);
  new DataView(out.buffer).setBigUint64(0, counter);
  out.set(id, 8);
  return out;
}

function findCanister(dir: string, canisters: Map<string, StoredCanister>, canisterId: Principal): StoredCanister {
  const canister = canisters.get(canisterId.toHex());
  if (!canister) throw new PersistenceError({ kind: 'canisterNotFound', path: dir, canisterId: canisterId.toText() });
  return canister;
}

function currentState(dir: string, canister: StoredCanister, time: bigint): CanisterSnapshot {
  const id = canister.id.toText();
  if (!canister.moduleHash) throw new PersistenceError({ kind: 'emptyCanister', path: dir, canisterId: id });
  const meta = decodeMeta(canister.meta, `${dir} (canister ${id})`);
  return {
    id: snapshotId(meta.nextSnapshotId, canister.id),
    takenAtTimestamp: time,
    wasmModule: canister.moduleBytes ?? readBlob(dir, toHex(canister.moduleHash)),
    source: 'takenFromCanister',
    heap: heapBytes(dir, canister.heap),
    globals: canister.globals.map((value) => value ?? 0n),
    stable: loadStable(dir, canister.stable),
    certifiedData: meta.certifiedData,
    chunkStore: new Map([...canister.chunks].map(([key, bytes]) => [key, bytes ?? readBlob(dir, key)])),
    globalTimer: meta.globalTimer,
    onLowWasmMemory: meta.onLowWasmMemory,
    canisterVersion: meta.version,
  };
}

/**
 * Writes a canister snapshot file to `file`: the canister's current state, or its snapshot
 * `snapshotId` (hex) if given. Reads the directory only (it may be in use).
 */
export function exportCanister(dir: string, canisterId: Principal | string, file: string, options: { snapshotId?: string } = {}): { bytes: number; snapshotId: string } {
  const id = typeof canisterId === 'string' ? Principal.fromText(canisterId) : canisterId;
  const { loaded } = loadForReading(dir);
  const canister = findCanister(dir, loaded.stored.canisters, id);
  let snapshot: CanisterSnapshot;
  if (options.snapshotId === undefined) snapshot = currentState(dir, canister, loaded.stored.time);
  else {
    const stored = canister.snapshots.find((entry) => toHex(entry.id) === options.snapshotId);
    if (!stored) throw new PersistenceError({ kind: 'snapshotNotFound', path: dir, canisterId: id.toText(), snapshotId: options.snapshotId });
    snapshot = stored.decoded ?? readSnapshotFile(dir, stored.ref!);
  }
  const parts = encodeSnapshot(snapshot, id);
  writeFileDurable(file, parts, { bytesWritten: 0, syncs: 0 });
  return { bytes: totalLength(parts), snapshotId: toHex(snapshot.id) };
}

function bareState(dir: string): SubnetState {
  const stored = loadForReading(dir).loaded.stored;
  return { config: stored.config, canisters: new Map(), nextCanisterIndex: 0n, time: 0n, round: 0n, randomSeed: stored.randomSeed, randomCounter: 0n, ingress: new Map(), systemCanisters: newSystemCanistersState(), httpOutcalls: newHttpOutcallsState() };
}

/**
 * Adds the snapshot file `file` to canister `canisterId` of the state directory `dir` (which must not
 * be in use) as an uploaded snapshot, and checkpoints. Returns the new snapshot's id (hex); load it
 * with `load_canister_snapshot`.
 */
export function importCanister(dir: string, canisterId: Principal | string, file: string, options: StoreOptions = {}): { snapshotId: string } {
  const id = typeof canisterId === 'string' ? Principal.fromText(canisterId) : canisterId;
  const { snapshot } = decodeSnapshot(readWhole(file), file);
  const state = bareState(dir);
  const store = DurableStore.open(dir, options);
  try {
    store.restore(state);
    const canister = getCanister(state, id);
    if (!canister) throw new PersistenceError({ kind: 'canisterNotFound', path: dir, canisterId: id.toText() });
    if (canister.snapshots.length >= MAX_SNAPSHOTS) throw new PersistenceError({ kind: 'snapshotLimit', path: dir, canisterId: id.toText(), limit: MAX_SNAPSHOTS });
    const imported: CanisterSnapshot = { ...snapshot, id: snapshotId(canister.nextSnapshotId++, id), source: 'metadataUpload', takenAtTimestamp: state.time };
    canister.snapshots.push(imported);
    store.checkpoint(state);
    return { snapshotId: toHex(imported.id) };
  } finally {
    store.abandon();
  }
}
