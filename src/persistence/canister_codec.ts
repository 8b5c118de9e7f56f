// A canister's system state ("meta"): every field of CanisterState except its memories, module,
// chunk store and snapshots, which are stored apart (pages, blobs, snapshot files) because they are
// large and change by parts. The meta is small (logs are capped at 4 KiB), so a round re-encodes it
// and writes it only when its bytes changed.
import { type CanisterState, newDirtySet, type Principal, StableMemory, type WasmState } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { decodeValue, encodeToBytes } from './value_codec.ts';

/** Fields stored outside the meta. */
type Apart = 'id' | 'wasm' | 'stable' | 'chunkStore' | 'snapshots' | 'dirty';
export type CanisterMeta = Omit<CanisterState, Apart>;

export function encodeMeta(canister: CanisterState): Uint8Array {
  const { id: _id, wasm: _wasm, stable: _stable, chunkStore: _chunks, snapshots: _snapshots, dirty: _dirty, ...meta } = canister;
  return encodeToBytes(meta, `canister ${canister.id.toText()}`);
}

export function decodeMeta(bytes: Uint8Array, path: string): CanisterMeta {
  const meta = decodeValue(bytes, path);
  if (typeof meta !== 'object' || meta === null || !('settings' in meta) || !('cycles' in meta)) {
    throw corrupt(path, 0, bytes.length, 'a canister record lacks its settings or cycles');
  }
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
 * Values of a wasm state's globals, by original index. JavaScript cannot read a v128 global: its
 * value is stored as undefined and comes back as the module's initial value.
 */
export function globalValues(wasm: WasmState | undefined): (number | bigint | undefined)[] {
  if (!wasm) return [];
  return wasm.globals.map((global) => {
    try {
      return global.value as number | bigint;
    } catch {
      return undefined;
    }
  });
}
