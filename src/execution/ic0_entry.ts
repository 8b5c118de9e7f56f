// The shape of one System API function as Capsule runs it: where it may be called, what it costs,
// and its handler, whose parameter and result types follow from the function's wasm signature.
import type { Ic0Name, Ic0Specs } from '../wasm/index.ts';
import type { ContextLetter } from './context.ts';
import type { SystemApi } from './system_api.ts';

/** A wasm value as JS sees it: i32 as number, i64 as (signed) bigint. */
export type Word = number | bigint;

/** The JS type of one wasm value type; `I` (pointer width) is either, depending on the module. */
type ValueOf<T> = T extends 'i32' ? number : T extends 'i64' ? bigint : Word;
type ParamsOf<T> = { -readonly [K in keyof T]: ValueOf<T[K]> };
type ResultOf<T> = T extends readonly [infer R] ? ValueOf<R> : void;

export type Ic0Handler<N extends Ic0Name> = (api: SystemApi, ...args: ParamsOf<Ic0Specs[N][0]>) => ResultOf<Ic0Specs[N][1]>;

export interface Ic0Entry<N extends Ic0Name> {
  /** The execution contexts in which the function may be called (interface spec, section 'Overview of imports'). */
  readonly allowed: readonly ContextLetter[];
  /** Instructions charged per call, before any per-byte cost. */
  readonly overhead: bigint;
  readonly handler: Ic0Handler<N>;
}

/** Every `ic0` function, exactly once: a missing or unknown name is a compile error. */
export type Ic0Table = { readonly [N in Ic0Name]: Ic0Entry<N> };

/** The entries of one concern (message, cycles, calls, …); the full table is their union. */
export type Ic0Group = Partial<Ic0Table>;

/**
 * Fixed instructions per system call, from the DFINITY replica's `system_api_complexity.rs`
 * (module `overhead::new`): it charges 500 for most calls to cover the cost of leaving wasm,
 * less for calls a canister makes in tight loops (stable memory accesses, debug_print,
 * performance_counter) and more for the expensive ones (is_controller, call_new, call_perform).
 */
export const OVERHEAD = {
  standard: 500n,
  stableAccess: 20n,
  debugPrint: 100n,
  performanceCounter: 200n,
  isController: 1_000n,
  callNew: 1_500n,
  callPerform: 5_000n,
  costHttpRequestV2: 10_000n,
} as const;
