// V8's garbage collector and growing wasm memories. Every grow of a WebAssembly.Memory (from wasm or
// from JS) hands out a new ArrayBuffer of the whole memory, which V8 counts as fresh external memory;
// by default, past 64 MiB, each grow then starts a full collection, and a message growing a large
// heap a page at a time spends most of its time in the collector (a Motoko canister filling 160 MiB:
// 5x slower). With external memory accounted in the global heap limit, the limit scales with the
// process instead, and the collector runs as often as for any other allocation.
import { enableV8Flag } from '../wasm/index.ts';

const FLAG = 'external-memory-accounted-in-global-limit';

/**
 * Process-wide and once, before the first canister instance. V8 reads this flag at each limit check,
 * so setting it after start-up takes effect; an explicit `--[no-]` flag on the command line wins.
 */
export function tuneGarbageCollector(): void {
  enableV8Flag(FLAG);
}
