// `capsule start --funding`: lazy by default, icp-cli on request, anything else a usage error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand, UsageError } from '../../src/cli/args.ts';

test('capsule start funds lazily unless --funding icp-cli is given, and refuses other modes', () => {
  const plain = parseCommand(['start']);
  const icpCli = parseCommand(['start', '--funding', 'icp-cli']);
  assert.ok(!(plain instanceof UsageError) && plain.kind === 'start' && plain.funding === 'lazy');
  assert.ok(!(icpCli instanceof UsageError) && icpCli.kind === 'start' && icpCli.funding === 'icp-cli');
  const wrong = parseCommand(['start', '--funding', 'everyone']);
  assert.ok(wrong instanceof UsageError && /Invalid --funding everyone/.test(wrong.message));
});
