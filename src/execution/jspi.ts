// JavaScript Promise Integration (WebAssembly JSPI, on by default in Node 24): a wasm call made through
// `promising` can suspend in an import wrapped by `suspending` until the promise that import returns settles.
// TypeScript's lib does not declare it yet.
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
