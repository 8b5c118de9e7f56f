// A canister's replicated state: system state (controllers, settings, cycles, calls) and its wasm state.
import type { CanisterModule } from '../wasm/index.ts';
import type { Callback, CallContext, CanisterMessage, Request } from './messages.ts';
import type { Principal } from './principal.ts';
import { StableMemory } from './stable_memory.ts';
import {
  DEFAULT_FREEZING_THRESHOLD,
  DEFAULT_RESERVED_CYCLES_LIMIT,
  DEFAULT_WASM_MEMORY_LIMIT,
  WASM_PAGE_SIZE,
} from './units.ts';

export type Visibility = { kind: 'controllers' } | { kind: 'public' } | { kind: 'allowedViewers'; viewers: Principal[] };

export interface CanisterSettings {
  controllers: Principal[];
  computeAllocation: bigint;
  memoryAllocation: bigint;
  freezingThreshold: bigint;
  reservedCyclesLimit: bigint;
  minimumIncomingCanisterCallCycles: bigint;
  logVisibility: Visibility;
  snapshotVisibility: Visibility;
  statusVisibility: Visibility;
  wasmMemoryLimit: bigint;
  wasmMemoryThreshold: bigint;
  /** Sorted by name (interface spec, 'Environment Variables': names are indexed in lexicographic order). */
  environmentVariables: { name: string; value: string }[];
}

export type CanisterStatus =
  | { kind: 'running' }
  | { kind: 'stopping'; pendingStops: StopRequest[] }
  | { kind: 'stopped' };

/** A `stop_canister` call waiting for the canister to reach `stopped`. */
export interface StopRequest {
  origin: Request['origin'];
  /** Cycles attached to the stop call, returned with the reply. */
  cycles: bigint;
  time: bigint;
}

export type ChangeOrigin = { kind: 'user'; userId: Principal } | { kind: 'canister'; canisterId: Principal; canisterVersion: bigint | undefined };

export type ChangeDetails =
  | { kind: 'creation'; controllers: Principal[]; environmentVariablesHash: Uint8Array | undefined }
  | { kind: 'codeUninstall' }
  | { kind: 'codeDeployment'; mode: 'install' | 'reinstall' | 'upgrade'; moduleHash: Uint8Array }
  | { kind: 'loadSnapshot'; snapshotId: Uint8Array; canisterVersion: bigint; takenAtTimestamp: bigint }
  | { kind: 'controllersChange'; controllers: Principal[] };

export interface CanisterChange {
  timestampNanos: bigint;
  canisterVersion: bigint;
  origin: ChangeOrigin;
  details: ChangeDetails;
}

export interface LogRecord {
  idx: bigint;
  timestampNanos: bigint;
  content: Uint8Array;
}

/**
 * One global of a live instance: a WebAssembly.Global, or for a v128 global (which JavaScript cannot
 * read) an accessor that shows its value as an unsigned 128-bit bigint. Setting an immutable global
 * or a value of the wrong type throws a TypeError.
 */
export interface GlobalCell {
  value: unknown;
}

/**
 * The persisted wasm state (heap, globals) plus the instance running it. An idle canister's instance may
 * be evicted: its heap and globals are then kept as bytes and values, and reading any live part
 * (`instance`, `memory`, `globals`, `table`, `counter`, `dirty`) instantiates it again from them.
 */
export interface WasmState {
  module: CanisterModule;
  /** Heap size in bytes, read without instantiating. */
  readonly heapSize: number;
  /** The heap's bytes without instantiating: a view of the live memory or the evicted copy (read only). */
  heap(): Uint8Array;
  /** The globals' values by original index (a v128 global as an unsigned 128-bit bigint), without instantiating. */
  globalValues(): (number | bigint)[];
  instance: WebAssembly.Instance;
  memory: WebAssembly.Memory;
  /** Values of all globals, by original index (exported as `__capsule_global_<i>`). */
  globals: GlobalCell[];
  table: WebAssembly.Table | undefined;
  /** The instrumentation's instruction counter (`__capsule_instructions`): instructions left. */
  counter: WebAssembly.Global;
  /** One byte per 4 KiB heap page, set by the write barrier (`__capsule_dirty`). */
  dirty: WebAssembly.Memory;
}

export interface CanisterSnapshot {
  id: Uint8Array;
  takenAtTimestamp: bigint;
  /** The module as uploaded (parsed again on load). */
  wasmModule: Uint8Array;
  source: 'takenFromCanister' | 'metadataUpload';
  heap: Uint8Array;
  globals: (number | bigint)[];
  stable: StableMemory;
  certifiedData: Uint8Array;
  chunkStore: Map<string, Uint8Array>;
  globalTimer: bigint;
  onLowWasmMemory: LowMemoryHookStatus;
  canisterVersion: bigint;
}

/** What changed since the state was last made durable; persistence reads and clears it (docs/storage-format.md). */
export interface DirtySet {
  /** 4 KiB heap pages written by committed executions. */
  heapPages: Set<number>;
  /** 4 KiB stable-memory pages written by committed executions. */
  stablePages: Set<number>;
  /** The whole heap was replaced (install, uninstall, snapshot load): write it whole. */
  heapReplaced: boolean;
  stableReplaced: boolean;
  /** Pieces written into uploaded snapshots, in order (their content changes in place, by parts). */
  snapshotUploads: SnapshotUpload[];
  /**
   * Reached since the last durable round by code that may change it (`getCanister`, `touch`):
   * persistence compares only touched canisters with their last durable bytes, so an idle round
   * costs nothing per idle canister.
   */
  touched: boolean;
}

/** One `upload_canister_snapshot_data` write; persistence logs it instead of the whole snapshot. */
export interface SnapshotUpload {
  snapshotId: Uint8Array;
  kind: 'wasmModule' | 'wasmMemory' | 'stableMemory' | 'wasmChunk';
  offset: bigint;
  chunk: Uint8Array;
}

export function newDirtySet(): DirtySet {
  return { heapPages: new Set(), stablePages: new Set(), heapReplaced: false, stableReplaced: false, snapshotUploads: [], touched: false };
}

export type LowMemoryHookStatus = 'conditionNotSatisfied' | 'ready' | 'executed';

export interface CanisterState {
  id: Principal;
  settings: CanisterSettings;
  status: CanisterStatus;
  cycles: bigint;
  reservedCycles: bigint;
  version: bigint;
  createdAt: bigint;
  lastInstallAt: bigint | undefined;
  history: CanisterChange[];
  totalChanges: bigint;
  wasm: WasmState | undefined;
  stable: StableMemory;
  certifiedData: Uint8Array;
  /** 0 = no timer set. */
  globalTimer: bigint;
  onLowWasmMemory: LowMemoryHookStatus;
  /** The last `time` this canister saw: time is monotonic per canister, also across upgrades. */
  lastSeenTime: bigint;
  callContexts: Map<number, CallContext>;
  callbacks: Map<number, Callback>;
  nextCallContextId: number;
  nextCallbackId: number;
  inputQueue: CanisterMessage[];
  chunkStore: Map<string, Uint8Array>;
  snapshots: CanisterSnapshot[];
  nextSnapshotId: bigint;
  logs: LogRecord[];
  nextLogIdx: bigint;
  /** Time up to which storage has been charged. */
  storageChargedUntil: bigint;
  /** Cycles consumed so far, by purpose (for canister_metrics). */
  consumed: { instructions: bigint; transmission: bigint; ingress: bigint; memory: bigint; burned: bigint; creation: bigint; httpOutcalls: bigint };
  dirty: DirtySet;
}

export function defaultSettings(controllers: Principal[]): CanisterSettings {
  return {
    controllers,
    computeAllocation: 0n,
    memoryAllocation: 0n,
    freezingThreshold: DEFAULT_FREEZING_THRESHOLD,
    reservedCyclesLimit: DEFAULT_RESERVED_CYCLES_LIMIT,
    minimumIncomingCanisterCallCycles: 0n,
    logVisibility: { kind: 'controllers' },
    snapshotVisibility: { kind: 'controllers' },
    statusVisibility: { kind: 'controllers' },
    wasmMemoryLimit: DEFAULT_WASM_MEMORY_LIMIT,
    wasmMemoryThreshold: 0n,
    environmentVariables: [],
  };
}

export function newCanister(id: Principal, settings: CanisterSettings, cycles: bigint, time: bigint): CanisterState {
  return {
    id,
    settings,
    status: { kind: 'running' },
    cycles,
    reservedCycles: 0n,
    version: 0n,
    createdAt: time,
    lastInstallAt: undefined,
    history: [],
    totalChanges: 0n,
    wasm: undefined,
    stable: new StableMemory(),
    certifiedData: new Uint8Array(0),
    globalTimer: 0n,
    onLowWasmMemory: 'conditionNotSatisfied',
    lastSeenTime: time,
    callContexts: new Map(),
    callbacks: new Map(),
    nextCallContextId: 1,
    nextCallbackId: 1,
    inputQueue: [],
    chunkStore: new Map(),
    snapshots: [],
    nextSnapshotId: 0n,
    logs: [],
    nextLogIdx: 0n,
    storageChargedUntil: time,
    consumed: { instructions: 0n, transmission: 0n, ingress: 0n, memory: 0n, burned: 0n, creation: 0n, httpOutcalls: 0n },
    dirty: { ...newDirtySet(), heapReplaced: true, stableReplaced: true, touched: true },
  };
}

/** Heap bytes of the canister's wasm memory (0 when empty). */
export function heapBytes(canister: CanisterState): bigint {
  return canister.wasm ? BigInt(canister.wasm.heapSize) : 0n;
}

/** Memory the canister is charged for: heap, stable memory, module and chunk store. */
export function memoryUsage(canister: CanisterState): bigint {
  return BigInt(memoryUsageBytes(canister));
}

/**
 * `memoryUsage` as a number, for sums over every canister of a round (no bigint per canister); exact
 * below 2^53 bytes (8 PiB), far beyond any subnet's capacity.
 */
export function memoryUsageBytes(canister: CanisterState): number {
  let bytes = Number(canister.stable.sizePages) * WASM_PAGE_SIZE;
  const wasm = canister.wasm;
  if (wasm) bytes += wasm.heapSize + wasm.module.bytes.length;
  for (const chunk of canister.chunkStore.values()) bytes += chunk.length;
  return bytes;
}
