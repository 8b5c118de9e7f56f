// Canister snapshots (interface spec, the snapshot methods): take, load, list, delete, and download/upload by pieces.
import { createHash } from 'node:crypto';
import { abortPausedExecution, copyHeap, instantiate, loadGlobals, loadHeap, snapshotGlobals, UserError } from '../execution/index.ts';
import { type CanisterSnapshot, type CanisterState, MAX_SNAPSHOTS, type Principal, type SnapshotUpload, StableMemory } from '../state/index.ts';
import { type CanisterModule, InvalidModuleError, parseCanisterModule } from '../wasm/index.ts';
import type {
  ReadCanisterSnapshotDataArgs,
  ReadCanisterSnapshotMetadataResult,
  Snapshot,
  SnapshotGlobal,
  TakeCanisterSnapshotArgs,
  UploadCanisterSnapshotDataArgs,
  UploadCanisterSnapshotMetadataArgs,
} from './candid/index.ts';
import { controlledCanister, type ManagementCall, type ManagementContext } from './context.ts';
import { addChange, originOf } from './history.ts';
import { uninstall } from './code.ts';

function snapshotId(canister: CanisterState): Uint8Array {
  const local = new Uint8Array(8);
  new DataView(local.buffer).setBigUint64(0, canister.nextSnapshotId++);
  const id = canister.id.toUint8Array();
  const out = new Uint8Array(8 + id.length);
  out.set(local);
  out.set(id, 8);
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function totalSize(snapshot: CanisterSnapshot): bigint {
  let size = BigInt(snapshot.heap.length + snapshot.wasmModule.length) + snapshot.stable.byteLength;
  for (const chunk of snapshot.chunkStore.values()) size += BigInt(chunk.length);
  return size;
}

function describe(snapshot: CanisterSnapshot): Snapshot {
  return { id: snapshot.id, taken_at_timestamp: snapshot.takenAtTimestamp, total_size: totalSize(snapshot) };
}

function findSnapshot(canister: CanisterState, id: Uint8Array): CanisterSnapshot | UserError {
  return (
    canister.snapshots.find((snapshot) => same(snapshot.id, id)) ??
    new UserError('CanisterSnapshotNotFound', `Could not find the snapshot ID ${Buffer.from(id).toString('hex')} for canister ${canister.id.toText()}.`)
  );
}

/** Makes room for a new snapshot: replaces `replace` if given, else checks the limit. */
function makeRoom(canister: CanisterState, replace: [] | [Uint8Array]): UserError | undefined {
  if (replace.length === 1) {
    const old = findSnapshot(canister, replace[0]);
    if (old instanceof UserError) return old;
    canister.snapshots = canister.snapshots.filter((snapshot) => snapshot !== old);
    return undefined;
  }
  if (canister.snapshots.length >= MAX_SNAPSHOTS) {
    return new UserError('CanisterContractViolation', `Canister ${canister.id.toText()} has reached the maximum number of snapshots (${MAX_SNAPSHOTS}).`);
  }
  return undefined;
}

export function takeSnapshot(context: ManagementContext, call: ManagementCall, args: TakeCanisterSnapshotArgs): Snapshot | UserError {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  if (!canister.wasm) return new UserError('CanisterWasmModuleNotFound', `Canister ${canister.id.toText()} is empty: there is nothing to snapshot.`);
  const room = makeRoom(canister, args.replace_snapshot);
  if (room) return room;
  const snapshot: CanisterSnapshot = {
    id: snapshotId(canister),
    takenAtTimestamp: context.state.time,
    wasmModule: canister.wasm.module.bytes,
    source: 'takenFromCanister',
    heap: copyHeap(canister.wasm.heap()),
    globals: snapshotGlobals(canister.wasm),
    stable: canister.stable.clone(),
    certifiedData: canister.certifiedData,
    chunkStore: new Map(canister.chunkStore),
    globalTimer: canister.globalTimer,
    onLowWasmMemory: canister.onLowWasmMemory,
    canisterVersion: canister.version,
  };
  canister.snapshots.push(snapshot);
  if (args.uninstall_code[0]) uninstall(context, canister);
  return describe(snapshot);
}

export function loadSnapshot(context: ManagementContext, call: ManagementCall, id: Principal, snapshotIdBytes: Uint8Array, senderVersion: [] | [bigint]): UserError | undefined {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  const snapshot = findSnapshot(canister, snapshotIdBytes);
  if (snapshot instanceof UserError) return snapshot;
  let module: CanisterModule;
  try {
    module = parseCanisterModule(snapshot.wasmModule);
  } catch (error) {
    if (!(error instanceof InvalidModuleError)) throw error;
    return new UserError('CanisterInvalidWasm', `The snapshot's Wasm module is not valid: ${error.message}`);
  }
  abortPausedExecution(canister);
  const wasm = instantiate(module);
  loadHeap(wasm, snapshot.heap);
  loadGlobals(wasm, snapshot.globals);
  canister.wasm = wasm;
  canister.stable = snapshot.stable.clone();
  canister.dirty.heapReplaced = true;
  canister.dirty.stableReplaced = true;
  canister.certifiedData = snapshot.certifiedData;
  canister.chunkStore = new Map(snapshot.chunkStore);
  canister.globalTimer = snapshot.globalTimer;
  canister.onLowWasmMemory = snapshot.onLowWasmMemory;
  canister.version += 1n;
  addChange(canister, context.state.time, originOf(call, senderVersion), {
    kind: 'loadSnapshot',
    snapshotId: snapshot.id,
    canisterVersion: snapshot.canisterVersion,
    takenAtTimestamp: snapshot.takenAtTimestamp,
  });
  return undefined;
}

export function listSnapshots(context: ManagementContext, call: ManagementCall, id: Principal): Snapshot[] | UserError {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  return canister.snapshots.map(describe);
}

export function deleteSnapshot(context: ManagementContext, call: ManagementCall, id: Principal, snapshotIdBytes: Uint8Array): UserError | undefined {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  const snapshot = findSnapshot(canister, snapshotIdBytes);
  if (snapshot instanceof UserError) return snapshot;
  canister.snapshots = canister.snapshots.filter((other) => other !== snapshot);
  return undefined;
}

const I64_MIN = -(1n << 63n);
const I64_END = 1n << 63n;

function globalOf(value: number | bigint): SnapshotGlobal {
  // JS cannot tell i32 from f32 values; integers are reported as i32, others as f64. A v128 global is an
  // unsigned 128-bit bigint: beyond the i64 range it is reported as v128, within it (ambiguous) as i64.
  if (typeof value === 'bigint') return value >= I64_MIN && value < I64_END ? { i64: value } : { v128: value };
  return Number.isInteger(value) ? { i32: value } : { f64: value };
}

function globalValue(global: SnapshotGlobal): number | bigint {
  if ('i32' in global) return global.i32;
  if ('i64' in global) return global.i64;
  if ('f32' in global) return global.f32;
  if ('f64' in global) return global.f64;
  return global.v128;
}

export function readSnapshotMetadata(context: ManagementContext, call: ManagementCall, id: Principal, snapshotIdBytes: Uint8Array): ReadCanisterSnapshotMetadataResult | UserError {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  const snapshot = findSnapshot(canister, snapshotIdBytes);
  if (snapshot instanceof UserError) return snapshot;
  return {
    source: snapshot.source === 'takenFromCanister' ? { taken_from_canister: null } : { metadata_upload: null },
    taken_at_timestamp: snapshot.takenAtTimestamp,
    wasm_module_size: BigInt(snapshot.wasmModule.length),
    globals: snapshot.globals.map(globalOf),
    wasm_memory_size: BigInt(snapshot.heap.length),
    stable_memory_size: snapshot.stable.byteLength,
    wasm_chunk_store: [...snapshot.chunkStore.keys()].sort().map((key) => ({ hash: new Uint8Array(Buffer.from(key, 'hex')) })),
    canister_version: snapshot.canisterVersion,
    certified_data: snapshot.certifiedData,
    global_timer: [snapshot.globalTimer === 0n ? { inactive: null } : { active: snapshot.globalTimer }],
    on_low_wasm_memory_hook_status: [
      snapshot.onLowWasmMemory === 'ready' ? { ready: null } : snapshot.onLowWasmMemory === 'executed' ? { executed: null } : { condition_not_satisfied: null },
    ],
  };
}

function slice(bytes: Uint8Array, offset: bigint, size: bigint): Uint8Array | UserError {
  if (offset + size > BigInt(bytes.length)) return new UserError('CanisterContractViolation', `Range ${offset}+${size} exceeds the size ${bytes.length}`);
  return bytes.slice(Number(offset), Number(offset + size));
}

export function readSnapshotData(context: ManagementContext, call: ManagementCall, args: ReadCanisterSnapshotDataArgs): Uint8Array | UserError {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  const snapshot = findSnapshot(canister, args.snapshot_id);
  if (snapshot instanceof UserError) return snapshot;
  const kind = args.kind;
  if ('wasm_module' in kind) return slice(snapshot.wasmModule, kind.wasm_module.offset, kind.wasm_module.size);
  if ('wasm_memory' in kind) return slice(snapshot.heap, kind.wasm_memory.offset, kind.wasm_memory.size);
  if ('stable_memory' in kind) {
    const { offset, size } = kind.stable_memory;
    if (offset + size > snapshot.stable.byteLength) return new UserError('CanisterContractViolation', `Range ${offset}+${size} exceeds the stable memory`);
    const out = new Uint8Array(Number(size));
    snapshot.stable.read(Number(offset), out, 0, out.length);
    return out;
  }
  const chunk = snapshot.chunkStore.get(Buffer.from(kind.wasm_chunk.hash).toString('hex'));
  return chunk ?? new UserError('CanisterContractViolation', 'The chunk is not in the snapshot');
}

export function uploadSnapshotMetadata(context: ManagementContext, call: ManagementCall, args: UploadCanisterSnapshotMetadataArgs): Uint8Array | UserError {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  const room = makeRoom(canister, args.replace_snapshot);
  if (room) return room;
  const stable = new StableMemory();
  stable.sizePages = (args.stable_memory_size + 65535n) / 65536n;
  const timer = args.global_timer[0];
  const hook = args.on_low_wasm_memory_hook_status[0];
  const snapshot: CanisterSnapshot = {
    id: snapshotId(canister),
    takenAtTimestamp: context.state.time,
    wasmModule: new Uint8Array(Number(args.wasm_module_size)),
    source: 'metadataUpload',
    heap: new Uint8Array(Number(args.wasm_memory_size)),
    globals: args.globals.map(globalValue),
    stable,
    certifiedData: args.certified_data,
    chunkStore: new Map(),
    globalTimer: timer && 'active' in timer ? timer.active : 0n,
    onLowWasmMemory: hook && 'ready' in hook ? 'ready' : hook && 'executed' in hook ? 'executed' : 'conditionNotSatisfied',
    canisterVersion: canister.version,
  };
  canister.snapshots.push(snapshot);
  return snapshot.id;
}

function writeAt(target: Uint8Array, offset: bigint, chunk: Uint8Array): UserError | undefined {
  if (offset + BigInt(chunk.length) > BigInt(target.length)) return new UserError('CanisterContractViolation', `Upload of ${chunk.length} bytes at ${offset} exceeds the size ${target.length}`);
  target.set(chunk, Number(offset));
  return undefined;
}

export function uploadSnapshotData(context: ManagementContext, call: ManagementCall, args: UploadCanisterSnapshotDataArgs): UserError | undefined {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  const snapshot = findSnapshot(canister, args.snapshot_id);
  if (snapshot instanceof UserError) return snapshot;
  if (snapshot.source !== 'metadataUpload') return new UserError('CanisterSnapshotImmutable', 'Only snapshots created by upload_canister_snapshot_metadata can be written');
  const failure = writeSnapshotData(snapshot, args);
  // Persistence logs the piece written, not the whole snapshot.
  if (!failure) canister.dirty.snapshotUploads.push(uploadOf(snapshot.id, args));
  return failure;
}

function writeSnapshotData(snapshot: CanisterSnapshot, args: UploadCanisterSnapshotDataArgs): UserError | undefined {
  const kind = args.kind;
  if ('wasm_module' in kind) return writeAt(snapshot.wasmModule, kind.wasm_module.offset, args.chunk);
  if ('wasm_memory' in kind) return writeAt(snapshot.heap, kind.wasm_memory.offset, args.chunk);
  if ('stable_memory' in kind) {
    const { offset } = kind.stable_memory;
    if (offset + BigInt(args.chunk.length) > snapshot.stable.byteLength) return new UserError('CanisterContractViolation', 'Upload exceeds the stable memory size');
    snapshot.stable.write(Number(offset), args.chunk, () => {});
    return undefined;
  }
  snapshot.chunkStore.set(createHash('sha256').update(args.chunk).digest('hex'), args.chunk);
  return undefined;
}

function uploadOf(snapshotId: Uint8Array, args: UploadCanisterSnapshotDataArgs): SnapshotUpload {
  const kind = args.kind;
  const chunk = args.chunk;
  if ('wasm_module' in kind) return { snapshotId, kind: 'wasmModule', offset: kind.wasm_module.offset, chunk };
  if ('wasm_memory' in kind) return { snapshotId, kind: 'wasmMemory', offset: kind.wasm_memory.offset, chunk };
  if ('stable_memory' in kind) return { snapshotId, kind: 'stableMemory', offset: kind.stable_memory.offset, chunk };
  return { snapshotId, kind: 'wasmChunk', offset: 0n, chunk };
}
