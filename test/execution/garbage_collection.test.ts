// Growing a canister's memory page by page does not make V8 collect garbage at every grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { executeRequest } from '../../src/execution/index.ts';
import { ingress, round, watCanister } from './_canister.ts';

// Grows the heap one 64 KiB page at a time up to 128 MiB, writing a byte in each new page.
const GROWS_PAGE_BY_PAGE = `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_update grow") (local $page i32)
    (loop $next
      (local.set $page (memory.grow (i32.const 1)))
      (i32.store8 (i32.mul (local.get $page) (i32.const 65536)) (i32.const 1))
      (br_if $next (i32.lt_u (memory.size) (i32.const 2048))))
    (call $reply)))`;

async function majorCollectionsDuring(run: () => void): Promise<number> {
  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as PerformanceEntry & { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  observer.observe({ entryTypes: ['gc'] });
  run();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return major;
}

test('a message growing its memory a page at a time past 64 MiB does not start a full garbage collection per grow', async () => {
  const canister = await watCanister(GROWS_PAGE_BY_PAGE);
  const r = round();
  const major = await majorCollectionsDuring(() => executeRequest(r, canister, ingress('grow')));
  assert.equal(r.ingressResults[0]?.result.kind, 'reply');
  assert.equal(canister.wasm?.memory.buffer.byteLength, 2048 * 65536);
  // V8's default counts each grow's new buffer (up to 128 MiB) as fresh external memory: dozens of major collections.
  assert.ok(major < 10, `${major} major collections`);
});
