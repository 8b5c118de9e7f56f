// The instruction counts of the execution benchmark's loops (test/canisters/compute_loops.wat), pinned:
// a change that makes instrumented code faster must not change what it counts, nor what it computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canisterSource } from '../support/build.ts';
import { canister, instantiate, metered, newMessage, wat } from './_helpers.ts';

const source = canisterSource('compute_loops.wat')['compute_loops.wat']!;

async function both() {
  const raw = new WebAssembly.Instance(new WebAssembly.Module(await wat(source)), { ic0: { msg_reply: () => {} } });
  return { raw: raw.exports as Record<string, (n: number) => unknown>, host: instantiate(await canister(source)) };
}

test('the store-heavy loop counts 36 instructions per iteration plus 45, and marks each page it writes once', async () => {
  const { raw, host } = await both();
  for (const n of [0, 1, 10, 1000, 20_000]) {
    newMessage(host);
    const { result, used } = metered(host, () => host.exports['run'](n));
    assert.equal(used, 36n * BigInt(n) + 45n, `n=${n}`);
    assert.equal(result, raw['run']!(n));
    // 8 bytes per iteration over the first 64 KiB: 16 pages at most, each journaled before its first write.
    assert.deepEqual(host.markedPages, Array.from({ length: Math.min(16, Math.ceil((8 * n) / 4096)) }, (_, page) => page));
  }
});

test('the floating-point loop counts 58 instructions per iteration plus 67', async () => {
  const { raw, host } = await both();
  for (const n of [0, 1, 10, 1000]) {
    const { result, used } = metered(host, () => host.exports['float'](n));
    assert.equal(used, 58n * BigInt(n) + 67n, `n=${n}`);
    assert.equal(result, raw['float']!(n));
  }
});

test('recursive fib counts 6 per leaf call and 22 per inner call, plus 6 for the export', async () => {
  const { raw, host } = await both();
  const fibonacci = (n: number): bigint => (n < 2 ? BigInt(n) : fibonacci(n - 1) + fibonacci(n - 2));
  for (const n of [0, 1, 2, 10, 20]) {
    const leaves = fibonacci(n + 1); // fib(n) makes fib(n + 1) leaf calls and one fewer inner calls
    const { result, used } = metered(host, () => host.exports['fib'](n));
    assert.equal(used, 6n + 6n * leaves + 22n * (leaves - 1n), `n=${n}`);
    assert.equal(result, raw['fib']!(n));
  }
});
