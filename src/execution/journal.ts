// Undo journal of one message execution: old contents of the pages a message touches,
// so that a trap or a query rolls back in O(pages touched). Also the dirty set for persistence.
import { type GlobalCell, OS_PAGE_SIZE, PageSlab, type StableMemory } from '../state/index.ts';

/** Saved content of a page beyond the heap's old size: zeros, shared, never written. */
const ZERO_PAGE = new Uint8Array(OS_PAGE_SIZE);

export class Journal {
  /** Heap page index → content before this execution's first write (zeros beyond the old size). */
  readonly heapPages = new Map<number, Uint8Array>();
  /** Stable page index → content before the first write (undefined = page did not exist). */
  readonly stablePages = new Map<number, Uint8Array | undefined>();
  readonly heapBytesBefore: number;
  readonly stablePagesBefore: bigint;
  readonly globalsBefore: (number | bigint)[];
  readonly #slab = new PageSlab();

  constructor(heapBytes: number, stable: StableMemory, globals: GlobalCell[]) {
    this.heapBytesBefore = heapBytes;
    this.stablePagesBefore = stable.sizePages;
    this.globalsBefore = globals.map((global) => global.value as number | bigint);
  }

  /** Saves a heap page before its first write (called by the write barrier and by host writes). */
  saveHeapPage(memory: Uint8Array, page: number): void {
    if (this.heapPages.has(page)) return;
    const start = page * OS_PAGE_SIZE;
    if (start >= this.heapBytesBefore) {
      this.heapPages.set(page, ZERO_PAGE);
      return;
    }
    const saved = this.#slab.page();
    saved.set(memory.subarray(start, Math.min(start + OS_PAGE_SIZE, this.heapBytesBefore)));
    this.heapPages.set(page, saved);
  }

  /**
   * Saves a stable page before its first write. A page about to be overwritten `whole` is saved without a
   * copy: the journal keeps its buffer and returns true, and the stable memory writes into a new one.
   */
  saveStablePage(stable: StableMemory, page: number, whole = false): boolean {
    if (this.stablePages.has(page)) return false;
    const content = stable.pages.get(page);
    if (whole && content) {
      this.stablePages.set(page, content);
      return true;
    }
    this.stablePages.set(page, content && this.#slab.copy(content));
    return false;
  }

  /** Undoes stable memory changes in place. */
  rollbackStable(stable: StableMemory): void {
    for (const [index, content] of this.stablePages) {
      if (content) stable.pages.set(index, content);
      else stable.pages.delete(index);
    }
    stable.sizePages = this.stablePagesBefore;
  }

  /** Undoes heap writes in place; the caller re-instantiates if the memory grew. */
  rollbackHeap(memory: Uint8Array): void {
    for (const [page, content] of this.heapPages) {
      const start = page * OS_PAGE_SIZE;
      if (start >= memory.length) continue;
      memory.set(content.subarray(0, Math.min(OS_PAGE_SIZE, memory.length - start)), start);
    }
  }

  /** Only changed globals are written: immutable ones never are (writing one throws, which costs more than a query). */
  rollbackGlobals(globals: GlobalCell[]): void {
    globals.forEach((global, i) => {
      const before = this.globalsBefore[i];
      if (!Object.is(global.value, before)) global.value = before;
    });
  }
}
