// Live wasm instances of canisters: compile once per module, instantiate with the System API, and
// rebuild an instance from saved heap and globals when a rollback must undo memory growth.
import { type GlobalCell, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import { tuneGarbageCollector } from './garbage_collection.ts';
import { capsuleImports, ic0Imports, type InstanceHost } from './imports.ts';

const compiled = new Map<string, WebAssembly.Module>();
const MAX_COMPILED = 64;
const hosts = new WeakMap<WebAssembly.Instance, InstanceHost>();

function compile(module: CanisterModule): WebAssembly.Module {
  const key = Buffer.from(module.moduleHash).toString('hex') + module.instrumented.length;
  let result = compiled.get(key);
  if (!result) {
    result = new WebAssembly.Module(module.instrumented as Uint8Array<ArrayBuffer>);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, result);
  }
  return result;
}

/**
 * Creates a fresh instance (data segments applied, start function NOT run: it is exported). A `sliced`
 * instance can pause a message at a slice boundary (see slicing.ts).
 */
export function instantiate(module: CanisterModule, sliced = false): WasmState {
  tuneGarbageCollector();
  const host: InstanceHost = { api: undefined, wasmMemoryLimit: undefined, pause: undefined };
  let state: WasmState | undefined;
  const imports = {
    ic0: ic0Imports(host, module.ic0Imports),
    __capsule: capsuleImports(host, () => state!, sliced),
  };
  const instance = new WebAssembly.Instance(compile(module), imports as unknown as WebAssembly.Imports);
  const exports = instance.exports;
  state = {
    module,
    instance,
    memory: exports['__capsule_memory'] as WebAssembly.Memory,
    globals: module.globals.map((global, i) => (global.type === 'v128' ? v128Cell(exports, i) : (exports[`__capsule_global_${i}`] as WebAssembly.Global))),
    table: exports['__capsule_table'] as WebAssembly.Table | undefined,
    counter: exports['__capsule_instructions'] as WebAssembly.Global,
    dirty: exports['__capsule_dirty'] as WebAssembly.Memory,
  };
  hosts.set(instance, host);
  return state;
}

const U64 = (1n << 64n) - 1n;

/** A v128 global seen through the instrumentation's lane accessors, as an unsigned 128-bit bigint. */
function v128Cell(exports: WebAssembly.Exports, index: number): GlobalCell {
  const get = exports[`__capsule_v128_get_${index}`] as () => [bigint, bigint];
  const set = exports[`__capsule_v128_set_${index}`] as ((low: bigint, high: bigint) => void) | undefined;
  return {
    get value(): bigint {
      const [low, high] = get();
      return (BigInt.asUintN(64, high) << 64n) | BigInt.asUintN(64, low);
    },
    set value(value: unknown) {
      if (!set) throw new TypeError(`v128 global ${index} is immutable`);
      if (typeof value !== 'bigint' || value < 0n || value >> 128n !== 0n) throw new TypeError(`v128 global ${index} takes an unsigned 128-bit bigint`);
      set(BigInt.asIntN(64, value & U64), BigInt.asIntN(64, value >> 64n));
    },
  };
}

export function hostOf(wasm: WasmState): InstanceHost {
  const host = hosts.get(wasm.instance);
  if (!host) throw new Error('instance has no host');
  return host;
}

/** Grows the memory by `pages` and returns the old size in pages (memory64 takes and gives bigints). */
export function growMemory(wasm: WasmState, pages: number): number {
  if (wasm.module.pointerWidth === 64) {
    const grow = wasm.memory.grow as unknown as (delta: bigint) => bigint;
    return Number(grow.call(wasm.memory, BigInt(pages)));
  }
  return wasm.memory.grow(pages);
}

/** Copies `source` over the start of `target`, block by block, writing only blocks that differ. */
function copyDiffering(target: Uint8Array, source: Uint8Array): void {
  for (let at = 0; at < source.length; at += WASM_PAGE_SIZE) {
    const end = Math.min(at + WASM_PAGE_SIZE, source.length);
    const from = Buffer.from(source.buffer, source.byteOffset + at, end - at);
    if (!from.equals(Buffer.from(target.buffer, target.byteOffset + at, end - at))) target.set(from, at);
  }
}

/**
 * A copy of a heap. Untouched zero pages stay untouched in the copy (the allocation is lazily zero),
 * so copying a mostly empty multi-GiB heap costs memory for its written pages only.
 */
export function copyHeap(heap: Uint8Array): Uint8Array {
  const copy = new Uint8Array(heap.length);
  copyDiffering(copy, heap);
  return copy;
}

/** Grows `wasm`'s memory to at least `bytes` and copies `heap` into it (only blocks that differ, as above). */
export function loadHeap(wasm: WasmState, heap: Uint8Array): void {
  const current = wasm.memory.buffer.byteLength;
  if (heap.length > current) growMemory(wasm, Math.ceil((heap.length - current) / WASM_PAGE_SIZE));
  copyDiffering(new Uint8Array(wasm.memory.buffer), heap);
}

export function loadGlobals(wasm: WasmState, values: (number | bigint)[]): void {
  wasm.globals.forEach((global, i) => {
    try {
      global.value = values[i];
    } catch {
      // immutable global: its value comes from the module itself
    }
  });
}

/** A new instance holding the first `heapBytes` of `source`'s memory and the given globals. */
export function rebuild(source: WasmState, heapBytes: number, globals: (number | bigint)[], sliced = false): WasmState {
  const fresh = instantiate(source.module, sliced);
  const heap = new Uint8Array(source.memory.buffer, 0, heapBytes);
  if (fresh.memory.buffer.byteLength > heapBytes) {
    // A module's initial memory is never larger than a memory it has run in; keep it exact anyway.
    new Uint8Array(fresh.memory.buffer).fill(0);
  }
  loadHeap(fresh, heap);
  loadGlobals(fresh, globals);
  return fresh;
}

export function snapshotGlobals(wasm: WasmState): (number | bigint)[] {
  return wasm.globals.map((global) => global.value as number | bigint);
}
