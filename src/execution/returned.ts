// Whether a wasm call made through WebAssembly.promising returned, known as soon as the call gives control
// back: its promise only says so in a later microtask, and a round reads a message's outcome within the round.
// The entry function is called from a small wasm function that calls `done` once the entry returned.
import { promising } from './jspi.ts';

/** Value types of an entry function's parameter: none (an export), i32 or i64 (a callback's environment). */
const PARAM_TYPES: Record<string, number[]> = { none: [], i32: [0x7f], i64: [0x7e] };

/**
 * (module (import "t" "target" (func $target (param P))) (import "t" "done" (func $done))
 *   (func (export "run") (param P) (call $target (local.get 0)...) (call $done)))
 */
function callerModule(params: number[]): WebAssembly.Module {
  const types = [0x02, 0x60, params.length, ...params, 0x00, 0x60, 0x00, 0x00];
  const body = [0x00, ...(params.length > 0 ? [0x20, 0x00] : []), 0x10, 0x00, 0x10, 0x01, 0x0b];
  const text = (name: string) => [name.length, ...new TextEncoder().encode(name)];
  const imports = [0x02, ...text('t'), ...text('target'), 0x00, 0x00, ...text('t'), ...text('done'), 0x00, 0x01];
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  return new WebAssembly.Module(
    new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(0x01, types),
      ...section(0x02, imports),
      ...section(0x03, [0x01, 0x00]),
      ...section(0x07, [0x01, ...text('run'), 0x00, 0x02]),
      ...section(0x0a, [0x01, body.length, ...body]),
    ]),
  );
}

const modules = new Map<string, WebAssembly.Module>();
/** Each entry function's caller, made once (null: its type is none of those above). */
const callers = new WeakMap<object, ((...args: unknown[]) => Promise<unknown>) | null>();
/** Set by `done`: the entry function of the latest call returned. */
let returned = false;
const done = () => {
  returned = true;
};

function callerOf(fn: (...args: never[]) => unknown, param: string): ((...args: unknown[]) => Promise<unknown>) | null {
  let caller = callers.get(fn);
  if (caller !== undefined) return caller;
  let module = modules.get(param);
  if (!module) modules.set(param, (module = callerModule(PARAM_TYPES[param]!)));
  try {
    const run = new WebAssembly.Instance(module, { t: { target: fn, done } } as unknown as WebAssembly.Imports).exports['run'];
    caller = promising(run as (...args: never[]) => unknown);
  } catch {
    // A function of another type (a callback with results, say) links to no caller.
    caller = null;
  }
  callers.set(fn, caller);
  return caller;
}

/**
 * Calls `fn` through WebAssembly.promising. `returned` is true when `fn` returned (without a result, the only
 * kind this tells) before the call gave control back; undefined when the caller cannot tell (then the promise does).
 */
export function callPromising(fn: (...args: never[]) => unknown, args: (number | bigint)[]): { promise: Promise<unknown>; returned: boolean | undefined } {
  const param = args.length === 0 ? 'none' : typeof args[0] === 'bigint' ? 'i64' : 'i32';
  const caller = args.length <= 1 ? callerOf(fn, param) : null;
  if (!caller) return { promise: promising(fn)(...args), returned: undefined };
  returned = false;
  const promise = caller(...args);
  const result = returned;
  returned = false;
  return { promise, returned: result };
}
