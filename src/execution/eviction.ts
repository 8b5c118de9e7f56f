// Eviction of idle instances: beyond a limit, the least recently used canisters give their instance up and
// keep their heap as bytes and their globals as values, so thousands of canisters fit in one process. It runs
// between messages only, and the next message instantiates the canister again as a restart does, so no
// state hash depends on the limit.
import type { CanisterState } from '../state/index.ts';
import { CanisterWasm } from './instance.ts';

/** The replica's default number of live instances per subnet. */
export const DEFAULT_MAX_LIVE_INSTANCES = 1000;

/**
 * Evicts the least recently used live instances of `canisters` beyond `limit`; an instance an execution runs
 * or waits on (a paused message) stays. Returns how many stay live.
 */
export function evictIdleInstances(canisters: Iterable<CanisterState>, limit: number): number {
  const live: CanisterWasm[] = [];
  for (const canister of canisters) {
    const wasm = canister.wasm;
    if (wasm instanceof CanisterWasm && wasm.isLive) live.push(wasm);
  }
  if (live.length <= limit) return live.length;
  live.sort((a, b) => a.lastUse - b.lastUse);
  let evicted = 0;
  for (const wasm of live.slice(0, live.length - limit)) if (wasm.evict()) evicted++;
  return live.length - evicted;
}

/**
 * How far past the limit live instances may go before a pass evicts them down to it: a pass walks every
 * canister, so with a quarter of the limit as slack it runs once per that many instantiations, not each one.
 */
export function evictionSlack(limit: number): number {
  return Math.floor(limit / 4);
}

/** How many of `canisters` hold a live instance. */
export function liveInstances(canisters: Iterable<CanisterState>): number {
  let live = 0;
  for (const canister of canisters) if (canister.wasm instanceof CanisterWasm && canister.wasm.isLive) live++;
  return live;
}
