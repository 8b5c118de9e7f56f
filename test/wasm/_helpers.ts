// Test helpers for the wasm layer: assemble WAT, parse it as a canister module, and
// instantiate the instrumented module with a recording host for the `__capsule` imports.
import assert from 'node:assert/strict';
import { wat, type WatFeatures } from '../support/build.ts';
import { ic0Signature, InvalidModuleError, parseCanisterModule, type CanisterModule, type ParseOptions } from '../../src/wasm/index.ts';

export { wat };

/** Assembles WAT and parses it as a canister module. */
export async function canister(source: string, features: WatFeatures = {}, options?: ParseOptions): Promise<CanisterModule> {
  return parseCanisterModule(await wat(source, features), options);
}

/** Asserts that parsing fails with InvalidModuleError of `kind` whose message matches `message`. */
export function assertInvalid(bytes: Uint8Array, kind: string, message: RegExp | string, options?: ParseOptions): void {
  assert.throws(
    () => parseCanisterModule(bytes, options),
    (e: unknown) => {
      assert.ok(e instanceof InvalidModuleError, `expected InvalidModuleError, got ${String(e)}`);
      assert.equal(e.kind, kind, e.message);
      if (typeof message === 'string') assert.ok(e.message.includes(message), `message: ${e.message}`);
      else assert.match(e.message, message);
      return true;
    },
  );
}

export async function assertInvalidWat(source: string, kind: string, message: RegExp | string, features: WatFeatures = {}): Promise<void> {
  assertInvalid(await wat(source, features), kind, message);
}

export class LimitError extends Error {
  override name = 'LimitError';
}

export interface Host {
  instance: WebAssembly.Instance;
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  dirty: Uint8Array;
  counter: WebAssembly.Global;
  markedPages: number[];
  ranges: [number | bigint, number | bigint][];
  grows: (number | bigint)[];
  limitCalls: number;
  ic0Calls: string[];
}

/**
 * Instantiates `module.instrumented`. The host marks pages like the real one will
 * (sets the dirty byte), grows memory from JS, and throws LimitError from
 * instruction_limit. ic0 imports record their name and return 0.
 */
export function instantiate(module: CanisterModule, ic0: Record<string, (...args: any[]) => any> = {}): Host {
  const host = { markedPages: [], ranges: [], grows: [], limitCalls: 0, ic0Calls: [] } as unknown as Host;
  const wide = module.pointerWidth === 64;
  const capsule = {
    instruction_limit: () => {
      host.limitCalls++;
      throw new LimitError('instruction limit');
    },
    memory_grow: (delta: number | bigint) => {
      host.grows.push(delta);
      try {
        return host.memory.grow(delta as number);
      } catch {
        return wide ? -1n : -1;
      }
    },
    mark_range: (address: number | bigint, length: number | bigint) => host.ranges.push([address, length]),
    mark_page: (page: number) => {
      host.markedPages.push(page);
      host.dirty[page] = 1;
    },
  };
  const stubs: Record<string, (...args: any[]) => any> = {};
  for (const name of module.ic0Imports) {
    const result = ic0Signature(name, module.pointerWidth)?.results[0];
    stubs[name] = ic0[name] ?? ((..._args: unknown[]) => {
      host.ic0Calls.push(name);
      return result === 'i64' ? 0n : result === 'i32' ? 0 : undefined;
    });
  }
  const wasmModule = new WebAssembly.Module(module.instrumented);
  host.instance = new WebAssembly.Instance(wasmModule, { __capsule: capsule, ic0: stubs });
  host.exports = host.instance.exports as Record<string, any>;
  host.memory = host.exports['__capsule_memory'];
  host.dirty = new Uint8Array((host.exports['__capsule_dirty'] as WebAssembly.Memory).buffer);
  host.counter = host.exports['__capsule_instructions'];
  host.counter.value = 1n << 40n;
  return host;
}

/** Runs `fn` with a fresh budget and returns the instructions it consumed. */
export function metered<T>(host: Host, fn: () => T, budget = 1n << 40n): { result: T; used: bigint } {
  host.counter.value = budget;
  const result = fn();
  return { result, used: budget - (host.counter.value as bigint) };
}

/** Clears the dirty map and the recorded page marks (a new message). */
export function newMessage(host: Host): void {
  host.dirty.fill(0);
  host.markedPages.length = 0;
  host.ranges.length = 0;
}
