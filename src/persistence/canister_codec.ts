// A canister's system state ("meta"): the fields of CanisterState listed in META_FIELDS, stored as one
// value with the fields named. Memories, module, chunk store and snapshots are stored apart (pages,
// blobs, snapshot files) because they are large and change by parts. Both lists are checked against
// CanisterState at compile time: adding or renaming a state field fails `tsc` here until it is listed
// (and, if the stored bytes change, FORMAT_VERSION is bumped with a migration of the old version).
import { type CanisterState, newDirtySet, type Principal, StableMemory, type WasmState } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { decodeValue, encodeToBytes } from './value_codec.ts';

/** Fields stored in the meta, in this order. */
export const META_FIELDS = [
  'settings',
  'status',
  'cycles',
  'reservedCycles',
  'version',
  'createdAt',
  'lastInstallAt',
  'history',
  'totalChanges',
  'certifiedData',
  'globalTimer',
  'onLowWasmMemory',
  'lastSeenTime',
  'callContexts',
  'callbacks',
  'nextCallContextId',
  'nextCallbackId',
  'inputQueue',
  'nextSnapshotId',
  'logs',
  'nextLogIdx',
  'storageChargedUntil',
  'consumed',
] as const satisfies readonly (keyof CanisterState)[];

/** Fields stored apart (`id` names the record; `dirty` is not state: it is what is yet to be written). */
export const APART_FIELDS = ['id', 'wasm', 'stable', 'chunkStore', 'snapshots', 'dirty'] as const satisfies readonly (keyof CanisterState)[];

/** Format version 1 stored query statistics in the meta; they are not replicated state and are dropped. */
const DROPPED_V1_FIELDS: ReadonlySet<string> = new Set(['queryStats']);

type Listed = (typeof META_FIELDS)[number] | (typeof APART_FIELDS)[number];
/** Names a CanisterState field neither list has, in the compile error. */
type Unlisted = Exclude<keyof CanisterState, Listed>;
const everyFieldListed: [Unlisted] extends [never] ? true : { unlisted: Unlisted } = true;
void everyFieldListed;

export type CanisterMeta = Pick<CanisterState, (typeof META_FIELDS)[number]>;

export function encodeMeta(canister: CanisterState): Uint8Array {
  const meta: Record<string, unknown> = {};
  for (const field of META_FIELDS) meta[field] = canister[field];
  return encodeToBytes(meta, `canister ${canister.id.toText()}`);
}

export function decodeMeta(bytes: Uint8Array, path: string): CanisterMeta {
  const stored = decodeValue(bytes, path);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw corrupt(path, 0, bytes.length, 'a canister record is not an object');
  const record = stored as Record<string, unknown>;
  const known = new Set<string>(META_FIELDS);
  const missing = META_FIELDS.filter((field) => !(field in record));
  const unknown = Object.keys(record).filter((key) => !known.has(key) && !DROPPED_V1_FIELDS.has(key));
  if (missing.length > 0 || unknown.length > 0) {
    throw corrupt(path, 0, bytes.length, `a canister record lacks [${missing.join(', ')}] or has unknown fields [${unknown.join(', ')}]`);
  }
  const meta: Record<string, unknown> = {};
  for (const field of META_FIELDS) meta[field] = record[field];
  // Versions 1 to 3 did not count the cycles of HTTP outcalls apart; the field goes last, where a new
  // canister has it, so a re-encoding of unchanged state is byte-equal.
  const consumed = meta.consumed as Record<string, unknown>;
  meta.consumed = { ...consumed, httpOutcalls: consumed.httpOutcalls ?? 0n };
  return meta as CanisterMeta;
}

/** A canister record from its stored parts; the caller fills in memories, chunks and snapshots. */
export function assembleCanister(id: Principal, meta: CanisterMeta, wasm: WasmState | undefined): CanisterState {
  return {
    ...meta,
    id,
    wasm,
    stable: new StableMemory(),
    chunkStore: new Map(),
    snapshots: [],
    dirty: newDirtySet(),
  };
}

/**
 * Values of a wasm state's globals, by original index; a v128 global is an unsigned 128-bit bigint.
 * Stores written before v128 globals could be read hold undefined for them, which loads as the
 * module's initial value.
 */
export function globalValues(wasm: WasmState | undefined): (number | bigint)[] {
  if (!wasm) return [];
  return wasm.globalValues();
}
