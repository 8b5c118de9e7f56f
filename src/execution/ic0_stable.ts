// ic0 stable memory (interface spec, section 'Stable memory', with its 32-bit legacy API): sparse pages, journaled for rollback.
import { MAX_STABLE_32_PAGES, MAX_STABLE_MEMORY, WASM_PAGE_SIZE } from '../state/index.ts';
import { contractViolation } from './errors.ts';
import { CONTEXTS } from './context.ts';
import { type Ic0Group, OVERHEAD, type Word } from './ic0_entry.ts';
import { fitsSubnetMemory } from './subnet_memory.ts';
import type { SystemApi } from './system_api.ts';

const MAX_STABLE_PAGES = MAX_STABLE_MEMORY / BigInt(WASM_PAGE_SIZE);

function grow(api: SystemApi, pages: bigint, max: bigint): bigint {
  const stable = api.canister.stable;
  const old = stable.sizePages;
  if (old + pages > max) return -1n;
  if (!fitsSubnetMemory(api.env.subnetMemory, api.context, api.canister, api.journal, pages * BigInt(WASM_PAGE_SIZE))) return -1n;
  stable.sizePages = old + pages;
  return old;
}

function checkRange(api: SystemApi, offset: bigint, size: bigint, name: string): void {
  if (offset + size > api.canister.stable.byteLength) {
    throw contractViolation(`${name}: stable memory out of bounds: offset=${offset}, size=${size}, stable size=${api.canister.stable.byteLength}`);
  }
}

function read(api: SystemApi, dst: Word, offset: bigint, size: bigint, name: string): void {
  checkRange(api, offset, size, name);
  const heap = api.heap();
  const start = api.num(dst);
  if (start + Number(size) > heap.length) throw contractViolation(`${name}: heap out of bounds: dst=${start}, size=${size}`);
  api.markHeap(start, Number(size));
  api.canister.stable.read(Number(offset), heap, start, Number(size));
}

function write(api: SystemApi, offset: bigint, src: Word, size: bigint, name: string): void {
  checkRange(api, offset, size, name);
  const bytes = api.viewBytes(src, size, name);
  const stable = api.canister.stable;
  stable.write(Number(offset), bytes, (page, whole) => api.journal.saveStablePage(stable, page, whole));
}

function size32(api: SystemApi): number {
  const pages = api.canister.stable.sizePages;
  if (pages > MAX_STABLE_32_PAGES) throw contractViolation('ic0_stable_size: stable memory exceeds 4 GiB; use ic0_stable64_size');
  return Number(pages);
}

/** An i32 argument read as unsigned (wasm passes it signed). */
function unsigned32(value: number): bigint {
  return BigInt(value >>> 0);
}

function unsigned64(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

const ANYWHERE = CONTEXTS.everywhereAndStart;

export const stableFunctions = {
  stable_size: { allowed: ANYWHERE, overhead: OVERHEAD.stableAccess, handler: (api) => size32(api) },
  stable_grow: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.standard,
    handler: (api, pages) => {
      size32(api);
      return Number(grow(api, unsigned32(pages), MAX_STABLE_32_PAGES));
    },
  },
  stable_read: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.stableAccess,
    handler: (api, dst, offset, size) => {
      size32(api);
      read(api, dst, unsigned32(offset), unsigned32(size), 'ic0_stable_read');
    },
  },
  stable_write: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.stableAccess,
    handler: (api, offset, src, size) => {
      size32(api);
      write(api, unsigned32(offset), src, unsigned32(size), 'ic0_stable_write');
    },
  },
  stable64_size: { allowed: ANYWHERE, overhead: OVERHEAD.stableAccess, handler: (api) => api.canister.stable.sizePages },
  stable64_grow: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.standard,
    handler: (api, pages) => grow(api, unsigned64(pages), MAX_STABLE_PAGES),
  },
  stable64_read: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.stableAccess,
    handler: (api, dst, offset, size) => read(api, unsigned64(dst), unsigned64(offset), unsigned64(size), 'ic0_stable64_read'),
  },
  stable64_write: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.stableAccess,
    handler: (api, offset, src, size) => write(api, unsigned64(offset), unsigned64(src), unsigned64(size), 'ic0_stable64_write'),
  },
} satisfies Ic0Group;
