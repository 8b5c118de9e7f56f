// The instruction counts a canister can observe across calls, pinned: performance_counter after direct,
// recursive and table calls, the total, and the exact budget at which each side effect stops happening
// when the limit is hit. A change in where the instrumentation charges must leave all of them unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister, instantiate, LimitError, type Host } from './_helpers.ts';

const CALLS = `(module
  (import "ic0" "performance_counter" (func $counter (param i32) (result i64)))
  (import "ic0" "debug_print" (func $print (param i32 i32)))
  (type $unary (func (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $double $square)
  (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $next (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $note (param $i i32) (call $print (i32.const 0) (local.get $i)))
  (func $step (param $i i32) (result i32)
    (call $note (call $next (local.get $i)))
    (i32.add (call $fib (i32.and (local.get $i) (i32.const 7)))
      (call_indirect (type $unary) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
  (func (export "work") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (block $done (loop $again
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (i32.add (local.get $sum) (call $step (call $next (local.get $i)))))
      (i64.store offset=1024 (i32.mul (local.get $i) (i32.const 8)) (call $counter (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $again)))
    (local.get $sum)))`;

async function calls() {
  let budget = 0n;
  let prints = 0;
  const ic0 = {
    performance_counter: () => budget - (host.counter.value as bigint),
    debug_print: () => { prints++; },
  };
  const host: Host = instantiate(await canister(CALLS), ic0);
  const work = (n: number, limit: bigint) => {
    budget = limit;
    prints = 0;
    host.counter.value = limit;
    new Uint8Array(host.memory.buffer).fill(0);
    let trapped = false;
    try {
      work.result = host.exports['work'](n) as number;
    } catch (error) {
      assert.ok(error instanceof LimitError, String(error));
      trapped = true;
    }
    const stores = new BigInt64Array(host.memory.buffer, 1024, 16).filter((value) => value !== 0n).length;
    return { trapped, effects: prints + stores, used: limit - (host.counter.value as bigint) };
  };
  work.result = 0;
  return { host, work };
}

test('performance_counter reads the same counts after direct, recursive and table calls', async () => {
  const { host, work } = await calls();
  const { trapped, used } = work(10, 1n << 40n);
  assert.equal(trapped, false);
  assert.equal(work.result, 260);
  assert.equal(used, 2262n);
  const observed = [...new BigInt64Array(host.memory.buffer, 1024, 10)];
  assert.deepEqual(observed, [91n, 210n, 357n, 560n, 847n, 1274n, 1925n, 2016n, 2107n, 2226n]);
});

test('the limit stops a message at the same budgets: no call, print or store happens past it', async () => {
  const { work } = await calls();
  const total = work(6, 1n << 40n).used;
  // The smallest budget that lets each print or store through, then the one that completes.
  const thresholds: bigint[] = [];
  let seen = 0;
  for (let limit = 0n; limit <= total; limit++) {
    const { trapped, effects } = work(6, limit);
    if (effects > seen) {
      thresholds.push(limit);
      seen = effects;
    }
    if (!trapped) {
      thresholds.push(limit);
      break;
    }
  }
  assert.deepEqual(thresholds, [82n, 91n, 173n, 210n, 292n, 357n, 439n, 560n, 642n, 847n, 929n, 1274n, 1310n]);
});

test('slices that end in loops and calls resume with the next slice granted: the same result and total', async () => {
  const module = await canister(CALLS);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module.instrumented), {
    ic0: { performance_counter: () => 0n, debug_print: () => {} },
    __capsule: {
      // A slice boundary: the host grants the next slice, as slicing.ts does.
      instruction_limit: () => {
        counter.value = (counter.value as bigint) + 50n;
        granted += 50n;
      },
      memory_grow: () => -1,
      mark_range: () => {},
      mark_page: (page: number) => { new Uint8Array((instance.exports['__capsule_dirty'] as WebAssembly.Memory).buffer)[page] = 1; },
    },
  });
  const counter = instance.exports['__capsule_instructions'] as WebAssembly.Global;
  let granted = 0n;
  counter.value = 50n;
  assert.equal((instance.exports['work'] as (n: number) => number)(10), 260);
  assert.equal(50n + granted - (counter.value as bigint), 2262n);
  assert.ok(granted > 2000n);
});
