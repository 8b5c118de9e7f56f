// Metering: the instrumented module decrements `__capsule_instructions` per executed
// segment and calls `__capsule.instruction_limit` when the counter is negative at a
// function entry or loop header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister, instantiate, LimitError, metered } from './_helpers.ts';

const LOOP = `(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  (func (export "spin") (loop $l (br $l)))
  (func $rec (export "recurse") (param i32) (call $rec (local.get 0)))
  (func (export "branchy") (param $x i32) (result i32)
    (if (result i32) (local.get $x)
      (then (i32.mul (i32.add (local.get $x) (i32.const 1)) (i32.const 3)))
      (else (i32.const 7)))))`;

test('a loop of N iterations costs at least N, growing linearly', async () => {
  const host = instantiate(await canister(LOOP));
  const count = host.exports['count'] as (n: number) => number;
  const costs = [0, 10, 100, 1000].map((n) => {
    const { result, used } = metered(host, () => count(n));
    assert.equal(result, n);
    assert.ok(used >= BigInt(n), `n=${n} used=${used}`);
    return used;
  });
  // Each iteration executes the same instructions, so the per-iteration cost is constant.
  const perIteration = (costs[3]! - costs[2]!) / 900n;
  assert.ok(perIteration >= 10n && perIteration < 30n, `per iteration ${perIteration}`);
  assert.equal(costs[2]! - costs[1]!, perIteration * 90n);
  assert.equal(host.limitCalls, 0);
});

test('an infinite loop calls instruction_limit, which the host turns into a trap', async () => {
  const host = instantiate(await canister(LOOP));
  host.counter.value = 1_000_000n;
  assert.throws(() => host.exports['spin'](), LimitError);
  assert.equal(host.limitCalls, 1);
  assert.ok((host.counter.value as bigint) < 0n);
});

test('unbounded recursion is stopped at a function entry', async () => {
  const host = instantiate(await canister(LOOP));
  host.counter.value = 10_000n;
  assert.throws(() => host.exports['recurse'](1), LimitError);
});

test('if/else arms are charged only when taken', async () => {
  const host = instantiate(await canister(LOOP));
  const branchy = host.exports['branchy'] as (x: number) => number;
  const taken = metered(host, () => branchy(1));
  const notTaken = metered(host, () => branchy(0));
  assert.equal(taken.result, 6);
  assert.equal(notTaken.result, 7);
  assert.ok(taken.used > notTaken.used, `${taken.used} vs ${notTaken.used}`);
  assert.ok(notTaken.used > 0n);
});

test('the counter is untouched when nothing runs, and the budget carries across calls', async () => {
  const host = instantiate(await canister(LOOP));
  host.counter.value = 5000n;
  (host.exports['count'] as (n: number) => number)(10);
  const after = host.counter.value as bigint;
  (host.exports['count'] as (n: number) => number)(10);
  assert.equal(5000n - (host.counter.value as bigint), 2n * (5000n - after));
});

test('calls, divisions and memory.grow cost more than plain arithmetic (replica cost model)', async () => {
  const host = instantiate(await canister(`(module (memory 1 10)
    (func $id (param i32) (result i32) (local.get 0))
    (func (export "add") (result i32) (i32.add (i32.const 1) (i32.const 2)))
    (func (export "div") (result i32) (i32.div_u (i32.const 1) (i32.const 2)))
    (func (export "call") (result i32) (call $id (i32.const 1)))
    (func (export "grow") (result i32) (memory.grow (i32.const 0))))`));
  const cost = (name: string) => metered(host, () => host.exports[name]()).used;
  assert.equal(cost('add'), 3n); // two constants and an add
  assert.equal(cost('div'), 12n); // div_u costs 10
  assert.equal(cost('call'), 1n + 5n + 1n); // const, call, and the callee's local.get
  assert.equal(cost('grow'), 301n); // memory.grow costs 300
});

test('an export never returns with a negative counter: the charge that overdraws calls instruction_limit', async () => {
  const host = instantiate(await canister(LOOP));
  const branchy = host.exports['branchy'] as (x: number) => number;
  const { used } = metered(host, () => branchy(1));
  host.counter.value = used;
  assert.equal(branchy(1), 6);
  assert.equal(host.counter.value, 0n);
  host.counter.value = used - 1n; // enough for the function entry, not for the taken arm
  assert.throws(() => branchy(1), LimitError);
  assert.equal(host.limitCalls, 1);
});

const ARMS = `(module
  (global $g (mut i32) (i32.const 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "maybe") (param $x i32) (local $y i32)
    (local.set $y (i32.add (local.get $x) (i32.const 1)))
    (if (local.get $x) (then (global.set $g (local.get $y)))))
  (func (export "divide") (param $x i32) (result i32) (local $q i32)
    (local.set $q (i32.div_u (i32.const 100) (local.get $x)))
    (if (result i32) (local.get $q) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "g") (result i32) (global.get $g)))`;

/** fib(n) by the cost table: 5 to test n < 2 (get, const, lt_u, if), then 1 (get) or 17 (two calls of 5, get, const, sub twice, add). */
function fibCost(n: number): bigint {
  return n < 2 ? 6n : 22n + fibCost(n - 1) + fibCost(n - 2);
}

test('a recursive function is charged exactly the cost table on every path, and a budget one short traps', async () => {
  const host = instantiate(await canister(ARMS));
  const fib = host.exports['fib'] as (n: number) => number;
  for (let n = 0; n <= 12; n++) assert.equal(metered(host, () => fib(n)).used, fibCost(n), `fib(${n})`);
  assert.equal(metered(host, () => fib(10), fibCost(10)).used, fibCost(10));
  assert.throws(() => metered(host, () => fib(10), fibCost(10) - 1n), LimitError);
});

test('an if without else charges the condition on the path that skips it too', async () => {
  const host = instantiate(await canister(ARMS));
  const maybe = host.exports['maybe'] as (x: number) => void;
  // local.get, const, add, local.set, local.get, if = 7; the arm: local.get, global.set = 3.
  assert.equal(metered(host, () => maybe(0)).used, 7n);
  assert.equal(host.exports['g'](), 0);
  assert.equal(metered(host, () => maybe(4)).used, 10n);
  assert.equal(host.exports['g'](), 5);
  assert.throws(() => metered(host, () => maybe(0), 6n), LimitError);
  assert.throws(() => metered(host, () => maybe(4), 9n), LimitError);
  assert.equal(metered(host, () => maybe(4), 10n).used, 10n);
});

test('a charge never moves past an instruction that can trap: a trap still finds its segment charged', async () => {
  const host = instantiate(await canister(ARMS));
  const divide = host.exports['divide'] as (x: number) => number;
  // const, local.get, div_u (10), local.set, local.get, if = 16; either arm: a const.
  assert.equal(metered(host, () => divide(5)).used, 17n);
  host.counter.value = 1000n;
  assert.throws(() => divide(0), /divide by zero/);
  assert.equal(1000n - (host.counter.value as bigint), 16n);
});
