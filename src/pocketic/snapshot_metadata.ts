// `metadata.json` of a snapshot directory: the `read_canister_snapshot_metadata` result as dfx and
// icp-cli write it (serde's JSON of the management canister types: variants as `{"name": value}` or
// `"name"`, byte vectors as arrays of numbers, a v128 global as a decimal string).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { candid } from '../management/index.ts';
import { PocketIcError } from './errors.ts';
import { isObject, type Json, type JsonObject, parseJson, unsigned } from './json.ts';

type Metadata = candid.ReadCanisterSnapshotMetadataResult;

export function metadataJson(metadata: Metadata) {
  const variant = (value: object) => Object.keys(value)[0]!;
  const timer = metadata.global_timer[0];
  const hook = metadata.on_low_wasm_memory_hook_status[0];
  return {
    source: { [variant(metadata.source)]: null },
    taken_at_timestamp: metadata.taken_at_timestamp,
    wasm_module_size: metadata.wasm_module_size,
    globals: metadata.globals.map((global) => ('v128' in global ? { v128: global.v128.toString() } : global)),
    wasm_memory_size: metadata.wasm_memory_size,
    stable_memory_size: metadata.stable_memory_size,
    wasm_chunk_store: metadata.wasm_chunk_store.map(({ hash }) => ({ hash: [...hash] })),
    canister_version: metadata.canister_version,
    certified_data: [...metadata.certified_data],
    global_timer: timer === undefined ? null : 'active' in timer ? { active: timer.active } : 'inactive',
    on_low_wasm_memory_hook_status: hook === undefined ? null : variant(hook),
  };
}

function bad(message: string): PocketIcError {
  return new PocketIcError(400, `Invalid metadata.json: ${message}`);
}

function byteArray(value: Json | undefined, name: string): Uint8Array {
  if (!Array.isArray(value) || value.some((byte) => typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255)) throw bad(`\`${name}\` must be an array of bytes`);
  return new Uint8Array(value as number[]);
}

/** A variant: `{"name": value}`, or `"name"` for one without a value. */
function variantOf(value: Json | undefined, names: readonly string[], name: string): [string, Json] {
  const [tag, payload] = typeof value === 'string' ? [value, null] : isObject(value) && Object.keys(value).length === 1 ? Object.entries(value)[0]! : [undefined, null];
  if (tag === undefined || !names.includes(tag)) throw bad(`\`${name}\` must be one of ${names.join(', ')}`);
  return [tag, payload];
}

function integer(value: Json, name: string): bigint {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw bad(`\`${name}\` must be an integer`);
}

function globalOf(value: Json): candid.SnapshotGlobal {
  const [tag, payload] = variantOf(value, ['i32', 'i64', 'f32', 'f64', 'v128'], 'globals[]');
  if (tag === 'i32') return { i32: Number(integer(payload, 'i32')) };
  if (tag === 'i64') return { i64: integer(payload, 'i64') };
  if (tag === 'v128') return { v128: integer(payload, 'v128') };
  // serde writes a NaN or infinite float as null.
  const float = payload === null ? Number.NaN : typeof payload === 'number' ? payload : Number.NaN;
  return tag === 'f32' ? { f32: float } : { f64: float };
}

function timerOf(value: Json | undefined): [] | [candid.GlobalTimer] {
  if (value === undefined || value === null) return [];
  const [tag, payload] = variantOf(value, ['inactive', 'active'], 'global_timer');
  return tag === 'active' ? [{ active: integer(payload, 'global_timer.active') }] : [{ inactive: null }];
}

function hookOf(value: Json | undefined): [] | [candid.OnLowWasmMemoryHookStatus] {
  if (value === undefined || value === null) return [];
  const [tag] = variantOf(value, ['condition_not_satisfied', 'ready', 'executed'], 'on_low_wasm_memory_hook_status');
  return [{ [tag]: null } as candid.OnLowWasmMemoryHookStatus];
}

function sizes(json: JsonObject) {
  const size = (name: string): bigint => {
    try {
      return unsigned(json, name);
    } catch {
      throw bad(`\`${name}\` must be a non-negative integer`);
    }
  };
  return {
    taken_at_timestamp: size('taken_at_timestamp'),
    wasm_module_size: size('wasm_module_size'),
    wasm_memory_size: size('wasm_memory_size'),
    stable_memory_size: size('stable_memory_size'),
    canister_version: size('canister_version'),
  };
}

/** The metadata of the snapshot directory `dir`, checked field by field. */
export function readMetadata(dir: string): Metadata {
  let json: Json;
  try {
    json = parseJson(readFileSync(join(dir, 'metadata.json'), 'utf8'));
  } catch (e) {
    throw new PocketIcError(400, `Cannot read ${join(dir, 'metadata.json')}: ${(e as Error).message}`);
  }
  if (!isObject(json)) throw bad('not a JSON object');
  const [source] = variantOf(json.source ?? 'taken_from_canister', ['taken_from_canister', 'metadata_upload'], 'source');
  if (!Array.isArray(json.globals)) throw bad('`globals` must be an array');
  const chunkStore = json.wasm_chunk_store ?? [];
  if (!Array.isArray(chunkStore)) throw bad('`wasm_chunk_store` must be an array');
  return {
    ...sizes(json),
    source: { [source]: null } as candid.SnapshotSource,
    globals: json.globals.map(globalOf),
    wasm_chunk_store: chunkStore.map((chunk) => ({ hash: byteArray(isObject(chunk) ? chunk.hash : undefined, 'wasm_chunk_store[].hash') })),
    certified_data: byteArray(json.certified_data, 'certified_data'),
    global_timer: timerOf(json.global_timer),
    on_low_wasm_memory_hook_status: hookOf(json.on_low_wasm_memory_hook_status),
  };
}
