// Page-sized buffers cut from larger slabs. Thousands of separate 4 KiB buffers are each an
// external allocation V8's GC accounts for: a memory-heavy message then spends most of its time in
// garbage collection. A slab stays alive while any of its pages does. Slabs double from one page up
// to 64, so a message that writes a page or two (most of them) does not allocate 256 KiB.
import { OS_PAGE_SIZE } from './units.ts';

const SLAB_PAGES = 64;

export class PageSlab {
  #slab = new Uint8Array(0);
  #pages = 0;
  #used = 0;

  /** A zeroed page. */
  page(): Uint8Array {
    if (this.#used === this.#pages) {
      this.#pages = Math.min(Math.max(this.#pages * 2, 1), SLAB_PAGES);
      this.#slab = new Uint8Array(this.#pages * OS_PAGE_SIZE);
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
