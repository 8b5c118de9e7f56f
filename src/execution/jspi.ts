// JavaScript Promise Integration (WebAssembly JSPI, on by default in Node 24): a wasm call made through
// `promising` can suspend in an import wrapped by `suspending` until the promise that import returns settles.
// TypeScript's lib does not declare it yet.
import { createContext, runInContext, Script } from 'node:vm';

interface Jspi {
  Suspending: new (fn: () => Promise<void>) => object;
  promising: (fn: (...args: never[]) => unknown) => (...args: unknown[]) => Promise<unknown>;
}

const jspi = WebAssembly as unknown as Jspi;

/** An import that suspends the wasm stack while the promise it returns is pending. */
export function suspending(fn: () => Promise<void>): object {
  return new jspi.Suspending(fn);
}

/** A wasm export called so that its suspending imports may suspend; the promise settles when it returns or traps. */
export function promising(fn: (...args: never[]) => unknown): (...args: unknown[]) => Promise<unknown> {
  return jspi.promising(fn);
}

/** A promise's state as far as it is known now. */
export type Settlement = { settled: false } | { settled: true; failed: false; value: unknown } | { settled: true; failed: true; error: unknown };

// A context whose microtasks run as soon as a script evaluated in it returns: reactions registered from it
// tell, synchronously, whether a promising call already ended (returned or trapped) or is suspended.
const observer = createContext({}, { microtaskMode: 'afterEvaluate' });
const observe = runInContext(
  '(promise) => { const box = { settled: false }; promise.then((value) => Object.assign(box, { settled: true, failed: false, value }), (error) => Object.assign(box, { settled: true, failed: true, error })); return box; }',
  observer,
) as (promise: Promise<unknown>) => Settlement;
const drain = new Script('undefined');

/** Whether `promise` has settled, and how, without waiting (a round reads a message's outcome within the round). */
export function settlementNow(promise: Promise<unknown>): Settlement {
  const box = observe(promise);
  drain.runInContext(observer);
  return { ...box };
}
