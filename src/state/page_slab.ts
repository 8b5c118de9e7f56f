// Page-sized buffers cut from larger slabs. Thousands of separate 4 KiB buffers are each an
// external allocation V8's GC accounts for: a memory-heavy message then spends most of its time in
// garbage collection. A slab stays alive while any of its pages does.
import { OS_PAGE_SIZE } from './units.ts';

const SLAB_PAGES = 64;

export class PageSlab {
  #slab = new Uint8Array(0);
  #used = SLAB_PAGES;

  /** A zeroed page. */
  page(): Uint8Array {
    if (this.#used === SLAB_PAGES) {
      this.#slab = new Uint8Array(SLAB_PAGES * OS_PAGE_SIZE);
      this.#used = 0;
    }
    const start = this.#used++ * OS_PAGE_SIZE;
    return this.#slab.subarray(start, start + OS_PAGE_SIZE);
  }

  /** A page holding a copy of `content` (at most a page). */
  copy(content: Uint8Array): Uint8Array {
    const page = this.page();
    page.set(content);
    return page;
  }
}
