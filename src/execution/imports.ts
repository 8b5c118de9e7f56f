// The import object of a canister instance: every ic0 function from the one System API table, checked
// against its contexts and charged its overhead, plus the `__capsule` hooks the instrumentation calls.
import { MAX_WASM32_HEAP, MAX_WASM64_HEAP, OS_PAGE_SIZE, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import type { Ic0Name } from '../wasm/index.ts';
import { modeName } from './context.ts';
import { CanisterTrap, contractViolation, InternalError, wrongModeViolation } from './errors.ts';
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
  /** 1 while `pause` is set: routes the slice boundary to the import that may suspend (see capsuleImports). */
  pausable: WebAssembly.Global | undefined;
}

/** Lets a run under WebAssembly.promising pause the instance at its slice boundaries (`pause`), or stops it (undefined). */
export function setPause(host: InstanceHost, pause: (() => Promise<void>) | undefined): void {
  host.pause = pause;
  host.pausable!.value = pause ? 1 : 0;
}

/**
 * A wasm switch in front of the slice boundary's import: a suspending import traps whenever it is called outside
 * WebAssembly.promising, so a direct call goes to the plain import and only a pausable run to the suspending one.
 * (module
 *   (import "host" "direct" (func $direct)) (import "host" "suspending" (func $suspending))
 *   (global $pausable (export "pausable") (mut i32) (i32.const 0))
 *   (func (export "instruction_limit") (if (global.get $pausable) (then (call $suspending)) (else (call $direct)))))
 */
const SWITCH = new WebAssembly.Module(
  new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x21, 0x02, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x06, 0x64,
    0x69, 0x72, 0x65, 0x63, 0x74, 0x00, 0x00, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x0a, 0x73, 0x75, 0x73, 0x70, 0x65, 0x6e, 0x64, 0x69, 0x6e, 0x67, 0x00,
    0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x20, 0x02, 0x08, 0x70, 0x61, 0x75, 0x73, 0x61, 0x62, 0x6c,
    0x65, 0x03, 0x00, 0x11, 0x69, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x6c, 0x69, 0x6d, 0x69, 0x74, 0x00, 0x02, 0x0a,
    0x0e, 0x01, 0x0c, 0x00, 0x23, 0x00, 0x04, 0x40, 0x10, 0x01, 0x05, 0x10, 0x00, 0x0b, 0x0b,
  ]),
);

/** The slice boundary's import of an instance: pauses under a pausable run, throws otherwise (see SWITCH). */
function sliceBoundary(host: InstanceHost): () => void {
  const direct = () => outOfInstructions(host);
  const exports = new WebAssembly.Instance(SWITCH, { host: { direct, suspending: suspending(direct) } } as unknown as WebAssembly.Imports).exports;
  host.pausable = exports['pausable'] as WebAssembly.Global;
  return exports['instruction_limit'] as () => void;
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

/** The counter went negative: the message's limit traps; the end of a slice pauses the run (only a pausable run has slices). */
function outOfInstructions(host: InstanceHost): Promise<void> {
  const api = currentApi(host, 'instruction_limit');
  if ((api.wasm.counter.value as bigint) + api.reserve < 0n) throw new CanisterTrap({ kind: 'instructionLimit', limit: api.limits.instructions });
  if (!host.pause) throw new InternalError('a slice ended outside a pausable run');
  return host.pause();
}

/**
 * The `__capsule` module the instrumentation imports (see src/wasm/instrument.ts). Under a pausable run
 * (WebAssembly.promising and `setPause`), `instruction_limit` suspends at a slice boundary.
 */
export function capsuleImports(host: InstanceHost, wasmRef: () => WasmState) {
  const width64 = () => wasmRef().module.pointerWidth === 64;
  return {
    instruction_limit: sliceBoundary(host),
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
