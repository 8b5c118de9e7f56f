// The README's library example runs as written (extracted from README.md, run with `capsule-ic`
// resolved to this repository), and so does examples/counter.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The first ```ts block after the "## The library" heading of README.md. */
function readmeExample(): string {
  const readme = readFileSync(new URL('README.md', `file://${root}`), 'utf8');
  const section = readme.slice(readme.indexOf('## The library'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README.md has a ```ts block under "## The library"');
  return block[1]!;
}

test('the README library example runs as written and prints the counter and the log it describes', () => {
  // Run from the repository root, so that `import … from 'capsule-ic'` resolves to package.json's exports.
  const output = execFileSync(process.execPath, ['--input-type=module-typescript', '--eval', readmeExample()], { cwd: root, encoding: 'utf8' });
  assert.equal(output.trim(), '1n 1n 1');
});

test('examples/counter.ts counts to 2', () => {
  const script = fileURLToPath(new URL('../../examples/counter.ts', import.meta.url));
  const output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  assert.match(output, /counted to 2n/);
});
