// `npm run bench` compares each number with the previous run's, found by the same path in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, comparisonLines, leaves, withPrevious } from '../../bench/_compare.ts';

const before = { execution: { motokoCounter: [{ persistence: 'enhanced', updatesPerSecond: 400 }, { persistence: 'classical', updatesPerSecond: 500 }] }, http: { error: 'ECONNRESET' } };
const now = { execution: { motokoCounter: [{ persistence: 'classical', updatesPerSecond: 450 }, { persistence: 'enhanced', updatesPerSecond: 600 }] }, http: { perSecond: 10 } };

test('array elements are named by their name or persistence, so runs compare even when the order changes', () => {
  assert.deepEqual([...leaves(now).keys()], [
    'execution.motokoCounter[classical].persistence',
    'execution.motokoCounter[classical].updatesPerSecond',
    'execution.motokoCounter[enhanced].persistence',
    'execution.motokoCounter[enhanced].updatesPerSecond',
    'http.perSecond',
  ]);
  assert.equal(at(before, 'execution.motokoCounter[enhanced].updatesPerSecond'), 400);
  assert.equal(at(now, 'execution.motokoCounter[enhanced].updatesPerSecond'), 600);
  assert.equal(at(now, 'execution.motokoCounter[enhanced].missing'), undefined);
  assert.equal(at({ list: [7, 8] }, 'list[1]'), 8);
});

test('each number is printed beside the previous one and the ratio now/before; a new number stands alone', () => {
  const lines = comparisonLines(now, before);
  assert.match(lines[3]!, /^execution\.motokoCounter\[enhanced\]\.updatesPerSecond\s+600 {2}\(before: 400, ×1\.50\)$/);
  assert.match(lines[1]!, /updatesPerSecond\s+450 {2}\(before: 500, ×0\.90\)$/);
  assert.match(lines[4]!, /^http\.perSecond\s+10$/);
  assert.equal(withPrevious(1.23456, undefined), '1.235');
  assert.equal(withPrevious('text', 2), 'text  (before: 2)');
});
