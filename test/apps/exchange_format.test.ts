// The exchange page's amounts: base units to the decimal text it shows, and back from what a person types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAmount, parseAmount } from '../../apps/exchange/frontend/src/format.ts';

test('amounts are shown with their decimals and no trailing zeros', () => {
  assert.equal(formatAmount(0n), '0');
  assert.equal(formatAmount(100_000_000n), '1');
  assert.equal(formatAmount(12_345_678_900n), '123.456789');
  assert.equal(formatAmount(1n), '0.00000001');
  assert.equal(formatAmount(1_005n, 2), '10.05');
});

test('typed amounts become base units, and anything else is refused', () => {
  assert.equal(parseAmount('1'), 100_000_000n);
  assert.equal(parseAmount(' 1.5 '), 150_000_000n);
  assert.equal(parseAmount('.25'), 25_000_000n);
  assert.equal(parseAmount('0.00000001'), 1n);
  assert.equal(parseAmount('2.', 2), 200n);
  for (const bad of ['', '.', '-1', '1e3', '1.000000001', 'abc', '1,5']) assert.equal(parseAmount(bad), undefined, bad);
  for (const units of [0n, 1n, 99_999_999n, 123_456_789_012n]) assert.equal(parseAmount(formatAmount(units)), units);
});
