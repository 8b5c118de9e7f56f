// Stable memory is sparse: 4 KiB pages in a map, so hundreds of GiB cost only what is written.
import { PageSlab } from './page_slab.ts';
import { OS_PAGE_SIZE, WASM_PAGE_SIZE } from './units.ts';

const PAGE_BYTES = BigInt(WASM_PAGE_SIZE);

export class StableMemory {
  /** Size in 64 KiB wasm pages. */
  sizePages = 0n;
  readonly pages = new Map<number, Uint8Array>();
  readonly #slab = new PageSlab();
  #writes = 0;

  /** Calls of `write` so far: with the size and the page count, tells whether the memory changed since it was last looked at. */
  get writes(): number {
    return this.#writes;
  }

  get byteLength(): bigint {
    return this.sizePages * PAGE_BYTES;
  }

  /** Copies `length` bytes from offset into `target` at `targetOffset`; unwritten pages read as zero. */
  read(offset: number, target: Uint8Array, targetOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const pageIndex = Math.floor(position / OS_PAGE_SIZE);
      const within = position % OS_PAGE_SIZE;
      const count = Math.min(OS_PAGE_SIZE - within, length - done);
      const page = this.pages.get(pageIndex);
      if (page) target.set(within === 0 && count === OS_PAGE_SIZE ? page : page.subarray(within, within + count), targetOffset + done);
      else target.fill(0, targetOffset + done, targetOffset + done + count);
      done += count;
    }
  }

  /**
   * Writes bytes; `beforeWrite` sees each page index before its change (for the undo journal), and whether
   * the write covers the whole page. When it returns true (it kept the page's buffer), the page gets a new one.
   */
  write(offset: number, source: Uint8Array, beforeWrite: (pageIndex: number, whole: boolean) => boolean | void): void {
    this.#writes++;
    let done = 0;
    while (done < source.length) {
      const position = offset + done;
      const pageIndex = Math.floor(position / OS_PAGE_SIZE);
      const within = position % OS_PAGE_SIZE;
      const count = Math.min(OS_PAGE_SIZE - within, source.length - done);
      const kept = beforeWrite(pageIndex, count === OS_PAGE_SIZE) === true;
      let page = kept ? undefined : this.pages.get(pageIndex);
      if (!page) {
        page = this.#slab.page();
        this.pages.set(pageIndex, page);
      }
      // Most writes (a Motoko upgrade makes tens of thousands) fit in one page: no view to allocate.
      page.set(count === source.length ? source : source.subarray(done, done + count), within);
      done += count;
    }
  }

  clone(): StableMemory {
    const copy = new StableMemory();
    copy.sizePages = this.sizePages;
    for (const [index, page] of this.pages) copy.pages.set(index, copy.#slab.copy(page));
    return copy;
  }
}
