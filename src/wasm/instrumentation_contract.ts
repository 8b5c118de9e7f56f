// What the instrumented module looks like from the outside: the imports the embedder
// must provide and the exports it can use. The execution layer is written against this
// file; instrument.ts produces modules that honour it.
//
// Imports (module `__capsule`, placed before all original imports, so every original
// function index is shifted by INJECTED_FUNCTION_COUNT):
//   instruction_limit: () -> ()          called when the counter is found negative
//   memory_grow: (delta: I) -> I         replaces `memory.grow`; old size in pages or -1
//   mark_range: (address: I, length: I)  before memory.fill/copy/init on the main memory
//   mark_page: (page: i32) -> ()         first write to a 4 KiB page whose dirty byte is 0
// Exports:
//   __capsule_instructions   mutable i64 global: remaining instruction budget
//   __capsule_memory         the main memory (a 0-page memory if the module has none)
//   __capsule_dirty          one byte per 4 KiB page of the main memory
//   __capsule_table          table 0, if any
//   __capsule_start          the original start function, if any (no start section remains)
//   __capsule_global_<i>     every original global, by original index

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
} as const;

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
