// The README's library example runs as written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('examples/counter.ts counts to 2', () => {
  const script = fileURLToPath(new URL('../../examples/counter.ts', import.meta.url));
  const output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  assert.match(output, /counted to 2n/);
});
