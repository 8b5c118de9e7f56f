// The dashboard tests' canister and clients: a WebAssembly text canister that logs a line holding markup,
// traps in a named function and calls another canister; a reader of the dashboard's event stream.

/** The line `log` writes to the canister log: markup a careless page would run. */
export const MARKUP_LINE = '<script>window.dashboardPwned = true</script><b>bold?</b>';

/**
 * `log` logs MARKUP_LINE and replies; `boom` traps in `$explode` (a backtrace frame); `relay` calls `log` on
 * the canister whose id is its argument and replies when that call is answered.
 */
export const CANISTER = `(module
  (import "ic0" "debug_print" (func $print (param i32 i32)))
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_perform" (func $perform (result i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $relayed)
  (data (i32.const 0) "${MARKUP_LINE}")
  (data (i32.const 100) "log")
  (func $relayed (param i32) (call $reply))
  (func $explode (unreachable))
  (func (export "canister_update log") (call $print (i32.const 0) (i32.const ${MARKUP_LINE.length})) (call $reply))
  (func (export "canister_update boom") (call $explode))
  (func (export "canister_update relay")
    (call $arg_copy (i32.const 200) (i32.const 0) (call $arg_size))
    (call $call_new (i32.const 200) (call $arg_size) (i32.const 100) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (call $perform))))`;

export interface RoundEvent {
  readonly at: number;
  readonly data: { round: string; calls: number; executionMs: number; commitMs: number };
}

export interface EventReader {
  readonly events: RoundEvent[];
  /** Settles when the server ends the stream (not when the test closes it). */
  readonly ended: Promise<void>;
  /** Resolves once `count` events arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Reads `url`'s server-sent events (a `round` event per block) until closed. */
export async function readEvents(url: string): Promise<EventReader> {
  const aborter = new AbortController();
  const response = await fetch(url, { signal: aborter.signal });
  if (response.headers.get('content-type') !== 'text/event-stream') throw new Error(`not an event stream: ${response.status}`);
  const events: RoundEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += value;
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: round$/m.test(block) && data) events.push({ at: performance.now(), data: JSON.parse(data) });
        }
      }
    } catch {
      // closed by the test
    }
  })();
  return {
    events,
    ended,
    waitFor: async (count, timeoutMs = 5_000) => {
      const deadline = performance.now() + timeoutMs;
      while (events.length < count) {
        if (performance.now() > deadline) throw new Error(`only ${events.length} of ${count} events within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => aborter.abort(),
  };
}
