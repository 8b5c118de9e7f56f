// The import object of a canister instance: every ic0 function, checked against the availability
// matrix and charged its overhead, plus the `__capsule` hooks the instrumentation calls.
import { MAX_WASM32_HEAP, MAX_WASM64_HEAP, OS_PAGE_SIZE, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import { AVAILABILITY, modeName } from './context.ts';
import { CanisterTrap, contractViolation } from './errors.ts';
import { callHandlers } from './ic0_calls.ts';
import { costHandlers } from './ic0_costs.ts';
import { cyclesHandlers } from './ic0_cycles.ts';
import { messageHandlers } from './ic0_message.ts';
import { miscHandlers } from './ic0_misc.ts';
import { stableHandlers } from './ic0_stable.ts';
import type { Handler, Word } from './ic0_types.ts';
import { growMemory } from './instance.ts';
import type { SystemApi } from './system_api.ts';

export const IC0_HANDLERS: Record<string, Handler> = {
  ...messageHandlers,
  ...cyclesHandlers,
  ...callHandlers,
  ...stableHandlers,
  ...miscHandlers,
  ...costHandlers,
};

/** Instructions charged per system call (replica's system_api_complexity in dfinity/ic). */
const OVERHEAD: Record<string, bigint> = {
  call_new: 1_500n,
  call_perform: 5_000n,
  is_controller: 1_000n,
  performance_counter: 200n,
  debug_print: 100n,
  stable_size: 20n,
  stable64_size: 20n,
  stable_read: 20n,
  stable64_read: 20n,
  stable_write: 20n,
  stable64_write: 20n,
};
const DEFAULT_OVERHEAD = 500n;

/** The execution a canister instance is currently running; set around every call into wasm. */
export interface InstanceHost {
  api: SystemApi | undefined;
  /** Memory limit enforced for growth in this execution (bytes), or undefined for none. */
  wasmMemoryLimit: bigint | undefined;
}

export function charge(api: SystemApi, instructions: bigint): void {
  const counter = api.wasm.counter;
  const left = (counter.value as bigint) - instructions;
  counter.value = left;
  if (left < 0n) throw new CanisterTrap({ kind: 'instructionLimit', limit: api.limits.instructions });
}

function currentApi(host: InstanceHost, name: string): SystemApi {
  const api = host.api;
  if (!api) throw contractViolation(`"ic0_${name}" cannot be executed outside of a message execution`);
  return api;
}

function wrap(host: InstanceHost, name: string, handler: Handler): (...args: Word[]) => Word | void {
  const allowed = AVAILABILITY[name] ?? [];
  const overhead = OVERHEAD[name] ?? DEFAULT_OVERHEAD;
  return (...args: Word[]) => {
    const api = currentApi(host, name);
    if (!allowed.includes(api.letter as never)) {
      throw contractViolation(`"ic0_${name}" cannot be executed in ${modeName(api.context)} mode`);
    }
    charge(api, overhead);
    return handler(api, ...args);
  };
}

export function ic0Imports(host: InstanceHost, names: string[]): Record<string, (...args: Word[]) => Word | void> {
  const imports: Record<string, (...args: Word[]) => Word | void> = {};
  for (const name of names) {
    const handler = IC0_HANDLERS[name];
    if (!handler) throw new Error(`no handler for ic0.${name}`);
    imports[name] = wrap(host, name, handler);
  }
  return imports;
}

function markRange(api: SystemApi, wasm: WasmState, start: number, length: number): void {
  const heapLength = wasm.memory.buffer.byteLength;
  const end = Math.min(start + length, heapLength);
  if (end <= start) return;
  const dirty = new Uint8Array(wasm.dirty.buffer);
  const heap = api.heap();
  for (let page = Math.floor(start / OS_PAGE_SIZE); page <= Math.floor((end - 1) / OS_PAGE_SIZE); page++) {
    api.journal.saveHeapPage(heap, page);
    dirty[page] = 1;
  }
}

function grow(host: InstanceHost, wasm: WasmState, delta: number): number {
  const api = currentApi(host, 'memory_grow');
  const pageBytes = BigInt(WASM_PAGE_SIZE);
  const current = BigInt(wasm.memory.buffer.byteLength);
  const wanted = current + BigInt(delta) * pageBytes;
  const max = wasm.module.pointerWidth === 64 ? MAX_WASM64_HEAP : MAX_WASM32_HEAP;
  if (wanted > max) return -1;
  if (host.wasmMemoryLimit !== undefined && host.wasmMemoryLimit > 0n && wanted > host.wasmMemoryLimit) {
    throw new CanisterTrap({ kind: 'wasmMemoryLimit', bytes: wanted, limit: host.wasmMemoryLimit });
  }
  try {
    const old = growMemory(wasm, delta);
    charge(api, BigInt(delta) * 100n);
    return old;
  } catch {
    return -1;
  }
}

/** The `__capsule` module the instrumentation imports (see src/wasm/instrument.ts). */
export function capsuleImports(host: InstanceHost, wasmRef: () => WasmState) {
  const width64 = () => wasmRef().module.pointerWidth === 64;
  return {
    instruction_limit: () => {
      const api = currentApi(host, 'instruction_limit');
      throw new CanisterTrap({ kind: 'instructionLimit', limit: api.limits.instructions });
    },
    memory_grow: (delta: Word) => {
      const pages = typeof delta === 'number' ? delta >>> 0 : Number(BigInt.asUintN(64, delta));
      const result = grow(host, wasmRef(), pages);
      return width64() ? BigInt(result) : result;
    },
    mark_range: (address: Word, length: Word) => {
      const api = currentApi(host, 'mark_range');
      const start = api.num(address);
      const size = api.num(length);
      charge(api, BigInt(size));
      markRange(api, wasmRef(), start, size);
    },
    mark_page: (page: number) => {
      const api = currentApi(host, 'mark_page');
      const wasm = wasmRef();
      api.journal.saveHeapPage(api.heap(), page);
      new Uint8Array(wasm.dirty.buffer)[page] = 1;
    },
  };
}
