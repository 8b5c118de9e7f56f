// The conformance suite over HTTP inside `npm test`: the same test files as the in-process run
// (test/conformance/), with CAPSULE_TARGET=http, so that every assertion also holds through real
// signed CBOR requests (see test/conformance/_target.ts and docs/conformance.md).
//
// One test process (the groups run one after another) so that it takes a single slot of
// `npm test --test-concurrency=3`. Every group runs, on a deterministic sample (CAPSULE_HTTP_SAMPLE=5:
// wasm32 only, a fifth of the API-availability matrix, see _target.ts, and a third of every other group's tests
// by a hash of their names, see _sampled_test.ts), and only every 20th
// certificate's BLS signature is checked (the others are decoded and read unverified). The full run
// took 509 s on 2 busy cores (221 s of CPU), the sample about 108 s alone on a quiet machine (2026-12-03).
// `npm run test:conformance:http` runs every case and checks every certificate.
// CAPSULE_HTTP_SAMPLE=1 and CAPSULE_HTTP_VERIFY_EVERY=1 do so here; CAPSULE_HTTP_GROUPS=calls,cycles runs only those.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./conformance/run.ts', import.meta.url));

function groupArgs(): string[] {
  const groups = process.env.CAPSULE_HTTP_GROUPS;
  return groups === undefined || groups === '' || groups === 'all' ? [] : groups.split(',').map((g) => g.trim());
}

function runSuite(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT (set for files run by `node --test`), run.ts's run() runs its files.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, [runner, '--target=http', '--concurrency=1', ...args], {
      env: {
        ...env,
        CAPSULE_TARGET: 'http',
        CAPSULE_HTTP_VERIFY_EVERY: env.CAPSULE_HTTP_VERIFY_EVERY ?? '20',
        CAPSULE_HTTP_SAMPLE: env.CAPSULE_HTTP_SAMPLE ?? '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('the conformance suite passes over HTTP (CAPSULE_TARGET=http)', { timeout: 15 * 60_000 }, async (t) => {
  const { code, output } = await runSuite(groupArgs());
  const lines = output.trim().split('\n');
  for (const line of lines) t.diagnostic(line);
  const summary = /^(\d+) passed, (\d+) failed/.exec(lines.at(-1) ?? '');
  assert.ok(summary && Number(summary[1]) > 0 && summary[2] === '0', `over HTTP:\n${output}`);
  assert.equal(code, 0, `run.ts exited with ${code}:\n${output}`);
});
