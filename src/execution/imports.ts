// The import object of a canister instance: every ic0 function from the one System API table, checked
// against its contexts and charged its overhead, plus the `__capsule` hooks the instrumentation calls.
import { MAX_WASM32_HEAP, MAX_WASM64_HEAP, OS_PAGE_SIZE, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import type { Ic0Name } from '../wasm/index.ts';
import { modeName } from './context.ts';
import { CanisterTrap, contractViolation, SliceEnded, wrongModeViolation } from './errors.ts';
import { suspending } from './jspi.ts';
import { callFunctions } from './ic0_calls.ts';
import { costFunctions } from './ic0_costs.ts';
import { cyclesFunctions } from './ic0_cycles.ts';
import type { Ic0Table, Word } from './ic0_entry.ts';
import { messageFunctions } from './ic0_message.ts';
import { miscFunctions } from './ic0_misc.ts';
import { stableFunctions } from './ic0_stable.ts';
import { growMemory } from './instance.ts';
import { fitsSubnetMemory } from './subnet_memory.ts';
import type { SystemApi } from './system_api.ts';

/** The System API: one entry per `ic0` function (signature from the wasm layer, contexts, overhead, handler). */
export const SYSTEM_API: Ic0Table = {
  ...messageFunctions,
  ...cyclesFunctions,
  ...callFunctions,
  ...stableFunctions,
  ...miscFunctions,
  ...costFunctions,
};

/** The execution a canister instance is currently running; set around every call into wasm. */
export interface InstanceHost {
  api: SystemApi | undefined;
  /** Memory limit enforced for growth in this execution (bytes), or undefined for none. */
  wasmMemoryLimit: bigint | undefined;
  /** Set while a sliced run (deterministic time slicing) drives the instance: pauses until the next slice. */
  pause: (() => Promise<void>) | undefined;
}

export function charge(api: SystemApi, instructions: bigint): void {
  const counter = api.wasm.counter;
  const left = (counter.value as bigint) - instructions;
  counter.value = left;
  // Past the slice but within the message's limit, the next metering check ends the slice.
  if (left + api.reserve < 0n) throw new CanisterTrap({ kind: 'instructionLimit', limit: api.limits.instructions });
}

function currentApi(host: InstanceHost, name: string): SystemApi {
  const api = host.api;
  if (!api) throw contractViolation(`"ic0_${name}" cannot be executed outside of a message execution`);
  return api;
}

type Import = (...args: Word[]) => Word | void;

function wrap(host: InstanceHost, name: Ic0Name, entry: Ic0Table[Ic0Name]): Import {
  // Import validation checked the module's signature against the same table, so wasm passes exactly these types.
  const handler = entry.handler as (api: SystemApi, ...args: Word[]) => Word | void;
  return (...args: Word[]) => {
    const api = currentApi(host, name);
    if (!entry.allowed.includes(api.letter)) {
      throw wrongModeViolation(`ic0_${name}`, modeName(api.context));
    }
    charge(api, entry.overhead);
    return handler(api, ...args);
  };
}

/** The `ic0` import object for the functions a validated module imports. */
export function ic0Imports(host: InstanceHost, names: readonly Ic0Name[]): Record<string, Import> {
  const imports: Record<string, Import> = {};
  for (const name of names) imports[name] = wrap(host, name, SYSTEM_API[name]);
  return imports;
}

function markRange(api: SystemApi, wasm: WasmState, start: number, length: number): void {
  const heapLength = wasm.memory.buffer.byteLength;
  const end = Math.min(start + length, heapLength);
  if (end <= start) return;
  const dirty = new Uint8Array(wasm.dirty.buffer);
  const heap = api.heap();
  for (let page = Math.floor(start / OS_PAGE_SIZE); page <= Math.floor((end - 1) / OS_PAGE_SIZE); page++) {
    // A dirty page was saved before it was marked, as the inline write barrier assumes.
    if (dirty[page] === 1) continue;
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
  // A growth the subnet cannot take traps (the replica checks after the native grow; the outcome is the same).
  if (!fitsSubnetMemory(api.env.subnetMemory, api.context, api.canister, api.journal, wanted - current)) {
    throw new CanisterTrap({ kind: 'outOfMemory' });
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
/** The counter went negative: the message's limit traps; the end of a slice pauses a sliced run, unwinds a direct one. */
function outOfInstructions(host: InstanceHost): Promise<void> {
  const api = currentApi(host, 'instruction_limit');
  if ((api.wasm.counter.value as bigint) + api.reserve < 0n) throw new CanisterTrap({ kind: 'instructionLimit', limit: api.limits.instructions });
  if (host.pause) return host.pause();
  throw new SliceEnded();
}

/**
 * The `__capsule` module the instrumentation imports (see src/wasm/instrument.ts). A `sliced` instance may
 * suspend in `instruction_limit` when called through WebAssembly.promising; called directly, it always throws.
 */
export function capsuleImports(host: InstanceHost, wasmRef: () => WasmState, sliced: boolean) {
  const width64 = () => wasmRef().module.pointerWidth === 64;
  return {
    instruction_limit: sliced ? suspending(() => outOfInstructions(host)) : () => outOfInstructions(host),
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
