// Canister wasm instances: each module compiles once (a bounded cache keyed by module hash), an instance is
// created when a message needs it, and an idle one can be evicted to its heap bytes and global values, from
// which it is instantiated again exactly as after a restart (globals and heap restored, tables from the module).
import { type GlobalCell, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import { tuneGarbageCollector } from './garbage_collection.ts';
import { capsuleImports, ic0Imports, type InstanceHost } from './imports.ts';

/** Compiled modules, least recently used first: canisters with the same module share one WebAssembly.Module. */
const compiled = new Map<string, WebAssembly.Module>();
const MAX_COMPILED = 64;
const hosts = new WeakMap<WebAssembly.Instance, InstanceHost>();

/** Counts since the process started, for benchmarks and tests: what the caches saved. */
export interface InstanceStatistics {
  /** Modules compiled (a cache miss). */
  compilations: number;
  /** Instances created, fresh or from an evicted canister's bytes. */
  instantiations: number;
  /** Instances evicted to their heap bytes and global values. */
  evictions: number;
  /** Compiled modules held by the cache now. */
  cachedModules: number;
}

const statistics = { compilations: 0, instantiations: 0, evictions: 0 };

export function instanceStatistics(): InstanceStatistics {
  return { ...statistics, cachedModules: compiled.size };
}

function compiledKey(module: CanisterModule): string {
  return Buffer.from(module.moduleHash).toString('hex') + module.instrumented.length;
}

function compile(module: CanisterModule): WebAssembly.Module {
  const key = compiledKey(module);
  let result = compiled.get(key);
  if (result) {
    compiled.delete(key);
  } else {
    result = new WebAssembly.Module(module.instrumented);
    statistics.compilations++;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, result);
  return result;
}

/** Compiles `module` into the cache (a module that V8 refuses throws here, before any instance is needed). */
export function precompile(module: CanisterModule): void {
  compile(module);
}

/**
 * `module` compiled, for another thread: V8 shares a compiled module's code between threads, optimized code
 * included, so a worker thread runs a canister as fast as the thread that warmed it up.
 */
export function compiledModule(module: CanisterModule): WebAssembly.Module {
  return compile(module);
}

/** Takes `compiled`, which another thread compiled from `module`, into the cache. */
export function adoptCompiledModule(module: CanisterModule, compiledFromModule: WebAssembly.Module): void {
  const key = compiledKey(module);
  if (compiled.has(key)) return;
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, compiledFromModule);
}

/** The parts of a wasm state that exist only while it is instantiated. */
type Live = Pick<WasmState, 'instance' | 'memory' | 'globals' | 'table' | 'counter' | 'dirty'>;

/** An evicted heap: its size and its non-zero 4 KiB pages only, packed (an idle canister costs what it wrote). */
interface Evicted {
  size: number;
  pages: Uint32Array;
  data: Uint8Array;
  globals: (number | bigint)[];
}

const PAGE = 4096;
const ZERO_PAGE = Buffer.alloc(PAGE);

function isZeroPage(heap: Uint8Array, at: number): boolean {
  return Buffer.from(heap.buffer, heap.byteOffset + at, PAGE).equals(ZERO_PAGE);
}

function pack(heap: Uint8Array, globals: (number | bigint)[]): Evicted {
  const pages: number[] = [];
  for (let at = 0; at < heap.length; at += PAGE) if (!isZeroPage(heap, at)) pages.push(at / PAGE);
  const data = new Uint8Array(pages.length * PAGE);
  for (const [i, page] of pages.entries()) data.set(heap.subarray(page * PAGE, (page + 1) * PAGE), i * PAGE);
  return { size: heap.length, pages: Uint32Array.from(pages), data, globals };
}

/** Writes the evicted pages into `target`, which must be zero elsewhere. */
function unpack(evicted: Evicted, target: Uint8Array): void {
  for (const [i, page] of evicted.pages.entries()) target.set(evicted.data.subarray(i * PAGE, (i + 1) * PAGE), page * PAGE);
}

/** Orders uses for least-recently-used eviction (a counter, not a clock: nothing replicated reads it). */
let uses = 0;

function createLive(module: CanisterModule, wasm: () => WasmState): Live {
  tuneGarbageCollector();
  const host: InstanceHost = { api: undefined, wasmMemoryLimit: undefined, pause: undefined, pausable: undefined };
  const imports = {
    ic0: ic0Imports(host, module.ic0Imports),
    __capsule: capsuleImports(host, wasm),
  };
  const instance = new WebAssembly.Instance(compile(module), imports as unknown as WebAssembly.Imports);
  statistics.instantiations++;
  const exports = instance.exports;
  hosts.set(instance, host);
  return {
    instance,
    memory: exports['__capsule_memory'] as WebAssembly.Memory,
    globals: module.globals.map((global, i) => (global.type === 'v128' ? v128Cell(exports, i) : (exports[`__capsule_global_${i}`] as WebAssembly.Global))),
    table: exports['__capsule_table'] as WebAssembly.Table | undefined,
    counter: exports['__capsule_instructions'] as WebAssembly.Global,
    dirty: exports['__capsule_dirty'] as WebAssembly.Memory,
  };
}

/** A canister's wasm state: live, or evicted to bytes and instantiated again when a live part is read. */
export class CanisterWasm implements WasmState {
  readonly module: CanisterModule;
  #live: Live | undefined;
  #evicted: Evicted | undefined;
  /** When the instance was last used (see `uses`). */
  lastUse = 0;
  /** Executions committed on this state (see `commitsOf`). */
  commits = 0;

  constructor(module: CanisterModule, evicted?: { heap: Uint8Array; globals: (number | bigint)[] }) {
    this.module = module;
    this.#evicted = evicted && pack(evicted.heap, evicted.globals);
    if (!evicted) this.#live = createLive(module, () => this);
  }

  get isLive(): boolean {
    return this.#live !== undefined;
  }

  get heapSize(): number {
    return this.#live ? this.#live.memory.buffer.byteLength : this.#evicted!.size;
  }

  heap(): Uint8Array {
    if (this.#live) return new Uint8Array(this.#live.memory.buffer);
    const heap = new Uint8Array(this.#evicted!.size);
    unpack(this.#evicted!, heap);
    return heap;
  }

  globalValues(): (number | bigint)[] {
    return this.#live ? this.#live.globals.map((global) => global.value as number | bigint) : [...this.#evicted!.globals];
  }

  get instance(): WebAssembly.Instance {
    return this.#wake().instance;
  }

  get memory(): WebAssembly.Memory {
    return this.#wake().memory;
  }

  get globals(): GlobalCell[] {
    return this.#wake().globals;
  }

  get table(): WebAssembly.Table | undefined {
    return this.#wake().table;
  }

  get counter(): WebAssembly.Global {
    return this.#wake().counter;
  }

  get dirty(): WebAssembly.Memory {
    return this.#wake().dirty;
  }

  /** Drops the instance, keeping heap and globals; refused (false) while an execution runs or waits on it. */
  evict(): boolean {
    const live = this.#live;
    if (!live) return false;
    const host = hosts.get(live.instance)!;
    if (host.api || host.pause) return false;
    this.#evicted = pack(new Uint8Array(live.memory.buffer), live.globals.map((global) => global.value as number | bigint));
    this.#live = undefined;
    statistics.evictions++;
    return true;
  }

  #wake(): Live {
    this.lastUse = ++uses;
    if (this.#live) return this.#live;
    const evicted = this.#evicted!;
    this.#live = createLive(this.module, () => this);
    this.#evicted = undefined;
    // As a restart restores it: the module's instance, then the heap over it and the mutable globals.
    const initial = new Uint8Array(this.#live.memory.buffer);
    // Only the initial memory can hold data segments; zero pages stay untouched (not faulted in).
    for (let at = 0; at < initial.length; at += PAGE) if (!isZeroPage(initial, at)) initial.fill(0, at, at + PAGE);
    if (evicted.size > initial.length) growMemory(this, (evicted.size - initial.length) / WASM_PAGE_SIZE);
    unpack(evicted, new Uint8Array(this.#live.memory.buffer));
    loadGlobals(this, evicted.globals);
    return this.#live;
  }
}

/** Counts an execution committed on `wasm`. */
export function noteCommit(wasm: WasmState): void {
  if (wasm instanceof CanisterWasm) wasm.commits++;
}

/**
 * How many executions committed on `wasm` (undefined for a state of another kind). Its heap and globals change
 * only so or by being replaced: an execution that rolls back (a trap, a query) restores them, eviction keeps them.
 */
export function commitsOf(wasm: WasmState): number | undefined {
  return wasm instanceof CanisterWasm ? wasm.commits : undefined;
}

/**
 * Creates a fresh instance (data segments applied, start function NOT run: it is exported). Any instance
 * can pause a message at a slice boundary (see slicing.ts).
 */
export function instantiate(module: CanisterModule): WasmState {
  return new CanisterWasm(module);
}

/**
 * A wasm state with these heap bytes and global values and no instance yet: one is created when a
 * message needs it (only the heap's non-zero pages are kept). `precompile` first to learn whether V8 takes the module.
 */
export function evictedWasm(module: CanisterModule, heap: Uint8Array, globals: (number | bigint)[]): WasmState {
  return new CanisterWasm(module, { heap, globals });
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
export function rebuild(source: WasmState, heapBytes: number, globals: (number | bigint)[]): WasmState {
  const fresh = instantiate(source.module);
  const heap = source.heap().subarray(0, heapBytes);
  if (fresh.memory.buffer.byteLength > heapBytes) {
    // A module's initial memory is never larger than a memory it has run in; keep it exact anyway.
    new Uint8Array(fresh.memory.buffer).fill(0);
  }
  loadHeap(fresh, heap);
  loadGlobals(fresh, globals);
  return fresh;
}

export function snapshotGlobals(wasm: WasmState): (number | bigint)[] {
  return wasm.globalValues();
}
