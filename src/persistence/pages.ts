// Runs of consecutive 4 KiB pages: how page data travels to disk. A run's bytes are views into the
// live memory (no copy), so a round writes exactly the pages its messages touched (docs/storage-format.md).
import type { StableMemory } from '../state/index.ts';
import { PAGE_SIZE } from './format.ts';

/** Pages [start, start + count) and their bytes: one or more views, in order, `count * PAGE_SIZE` bytes in all. */
export interface PageRun {
  start: number;
  count: number;
  data: Uint8Array[];
}

const ZERO_BLOCK = Buffer.alloc(16 * PAGE_SIZE);

function isZero(bytes: Uint8Array, start: number, length: number): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).equals(ZERO_BLOCK.subarray(0, length));
}

/** Runs of the given heap pages (deduplicated, sorted, pages past the end dropped). */
export function heapRuns(memory: Uint8Array, pages: Iterable<number>): PageRun[] {
  const limit = Math.floor(memory.length / PAGE_SIZE);
  const sorted = [...new Set(pages)].filter((page) => page < limit).sort((a, b) => a - b);
  const runs: PageRun[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i]!;
    let end = start + 1;
    while (++i < sorted.length && sorted[i] === end) end++;
    runs.push({ start, count: end - start, data: [memory.subarray(start * PAGE_SIZE, end * PAGE_SIZE)] });
  }
  return runs;
}

/** Runs of every page holding a non-zero byte: a heap image (zero pages are implied). */
export function nonzeroRuns(memory: Uint8Array): PageRun[] {
  const pages: number[] = [];
  const total = Math.floor(memory.length / PAGE_SIZE);
  const block = ZERO_BLOCK.length / PAGE_SIZE;
  for (let first = 0; first < total; first += block) {
    const count = Math.min(block, total - first);
    if (isZero(memory, first * PAGE_SIZE, count * PAGE_SIZE)) continue;
    for (let page = first; page < first + count; page++) if (!isZero(memory, page * PAGE_SIZE, PAGE_SIZE)) pages.push(page);
  }
  return heapRuns(memory, pages);
}

/**
 * Runs of stable-memory pages (all present pages when `pages` is undefined). Stable memory is a page
 * map in which a present all-zero page differs from an absent one (the state hash sees presence), so
 * requested pages that are absent are returned separately.
 */
export function stableRuns(stable: StableMemory, pages?: Iterable<number>): { runs: PageRun[]; absent: number[] } {
  const wanted = [...new Set(pages ?? stable.pages.keys())].sort((a, b) => a - b);
  const runs: PageRun[] = [];
  const absent: number[] = [];
  let current: PageRun | undefined;
  for (const index of wanted) {
    const page = stable.pages.get(index);
    if (!page) {
      absent.push(index);
      continue;
    }
    if (current && current.start + current.count === index) {
      current.count++;
      current.data.push(page);
    } else {
      current = { start: index, count: 1, data: [page] };
      runs.push(current);
    }
  }
  return { runs, absent };
}

export function pageCount(runs: readonly PageRun[]): number {
  return runs.reduce((sum, run) => sum + run.count, 0);
}

/** `[start, count, start, count, …]`: how run tables are stored. */
export function runTable(runs: readonly PageRun[]): number[] {
  return runs.flatMap((run) => [run.start, run.count]);
}

/** Every view of every run, in order. */
export function runData(runs: readonly PageRun[]): Uint8Array[] {
  return runs.flatMap((run) => run.data);
}
