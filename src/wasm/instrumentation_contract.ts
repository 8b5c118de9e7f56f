// What the instrumented module looks like from the outside: the imports the embedder
// must provide and the exports it can use. The execution layer is written against this
// file; instrument.ts produces modules that honour it.
//
// Imports (module `__capsule`, placed before all original imports, so every original
// function index is shifted by INJECTED_FUNCTION_COUNT; `I` is i32 or i64 by pointer
// width, i.e. a JS number or bigint):
//   instruction_limit: () -> ()          the counter was found negative (trap or suspend)
//   memory_grow: (delta: I) -> I         replaces every `memory.grow`: grow the memory from
//                                        JS within the limits, return the old size in
//                                        pages or -1 (WebAssembly.Memory#grow takes and
//                                        returns a bigint for memory64)
//   mark_range: (address: I, length: I)  before memory.fill/copy (destination)/init on the
//                                        main memory, with the operands as given: the range
//                                        may be out of bounds (the operation then traps)
//   mark_page: (page: i32) -> ()         a store is about to write a 4 KiB page whose dirty
//                                        byte is 0: save the page, set the byte to 1. Called
//                                        for the first and last byte's page; the page may lie
//                                        beyond the memory when the store is about to trap
// Exports:
//   __capsule_instructions   mutable i64 global: remaining budget; set it before calling
//                            any export (it starts at 0), read it after
//   __capsule_memory         the main memory (a 0-page memory if the module has none;
//                            imported memories/tables become defined ones)
//   __capsule_dirty          one byte per 4 KiB page of the main memory; the host clears it
//                            between messages
//   __capsule_table          table 0, if any
//   __capsule_start          the original start function, if any (no start section remains)
//   __capsule_global_<i>     every original global, by original index
//   __capsule_v128_get_<i>   for each v128 global i: () -> (low: i64, high: i64), its lanes
//   __capsule_v128_set_<i>   for each mutable v128 global i: (low: i64, high: i64) -> ();
//                            JavaScript cannot read or write a v128 global directly
// Function names (name section) are kept with shifted indices; one internal function
// (the write barrier's slow path, `__capsule_mark_store`) is appended after all others,
// followed by the v128 accessors.
//
// Metering (cost model in _opcodes.ts): each segment (function body, loop body, if/else
// arm, catch handler; see _rewrite_code.ts) subtracts its whole cost on entry, then calls
// instruction_limit if the counter is negative. Code after a nested block is charged with
// the enclosing segment, so charges are made in advance: a trap or branch out of a
// segment leaves its remaining instructions charged. A segment that only computes (no trap, call,
// branch or memory access) up to an `if` is charged at the start of both arms instead; every path
// pays the same. A function only direct calls reach has its first charge paid by its callers, before
// the call (see _call_folding.ts). The counter is exact at every instruction (charges in loops keep a
// copy in a local but store every change). Host functions charge their own costs.
//
// Determinism: the result of every float instruction that may produce a NaN (rounding, sqrt,
// add, sub, mul, div, min, max, demote, promote, and their f32x4/f64x2 forms) is replaced, when
// NaN, by the canonical NaN (0x7fc00000 / 0x7ff8000000000000), as the replica does; loads,
// stores, constants and reinterpretations keep their bits.

export const CAPSULE_IMPORT_MODULE = '__capsule';

/** Injected imports in function-index order. */
export const INJECTED_IMPORTS = ['instruction_limit', 'memory_grow', 'mark_range', 'mark_page'] as const;
export const INJECTED_FUNCTION_COUNT = INJECTED_IMPORTS.length;

/** Function indices of the injected imports in the instrumented module. */
export const INJECTED = { instructionLimit: 0, memoryGrow: 1, markRange: 2, markPage: 3 } as const;

export const CAPSULE_EXPORTS = {
  instructions: '__capsule_instructions',
  memory: '__capsule_memory',
  dirty: '__capsule_dirty',
  table: '__capsule_table',
  start: '__capsule_start',
  globalPrefix: '__capsule_global_',
  v128GetPrefix: '__capsule_v128_get_',
  v128SetPrefix: '__capsule_v128_set_',
} as const;

const V128 = 0x7b;

/** The v128 globals' accessors appended after the mark-store helper, in order: [global index, setter?]. */
export function v128Accessors(globals: readonly { type: number; mutable: boolean }[]): { global: number; kind: 'get' | 'set' }[] {
  const accessors: { global: number; kind: 'get' | 'set' }[] = [];
  globals.forEach((global, index) => {
    if (global.type !== V128) return;
    accessors.push({ global: index, kind: 'get' });
    if (global.mutable) accessors.push({ global: index, kind: 'set' });
  });
  return accessors;
}

/** Granularity of the write barrier: the IC's OS page size. */
export const DIRTY_PAGE_SIZE = 4096;
const WASM_PAGE = 65536;
/** Largest main memory the dirty map must cover: 4 GiB (memory32) or 16 GiB (memory64, V8's limit). */
const MAX_MEMORY_PAGES = { 32: 65536, 64: 262144 } as const;

/** Size in wasm pages of the dirty-byte memory for a main memory with this declared maximum. */
export function dirtyMemoryPages(memory64: boolean, maxPages: number | undefined): number {
  const limit = MAX_MEMORY_PAGES[memory64 ? 64 : 32];
  const pages = Math.min(maxPages ?? limit, limit);
  return Math.ceil((pages * (WASM_PAGE / DIRTY_PAGE_SIZE)) / WASM_PAGE);
}
