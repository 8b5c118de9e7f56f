// `capsule start --workers N` and `--max-live-instances N`: the replica's defaults unless given, and a usage
// error for anything but a count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand, UsageError } from '../../src/cli/args.ts';

function start(...flags: string[]) {
  const command = parseCommand(['start', ...flags]);
  assert.ok(!(command instanceof UsageError) && command.kind === 'start', String((command as UsageError).message));
  return command;
}

test('capsule start leaves the worker count and the live instance limit to the replica unless given', () => {
  const plain = start();
  assert.equal(plain.workers, undefined);
  assert.equal(plain.maxLiveInstances, undefined);
  const given = start('--workers', '4', '--max-live-instances', '0');
  assert.equal(given.workers, 4);
  assert.equal(given.maxLiveInstances, 0);
});

test('capsule start refuses a worker count below one and a limit that is not a count', () => {
  for (const [flag, value] of [['--workers', '0'], ['--workers', 'many'], ['--workers', '1.5'], ['--max-live-instances', '-1'], ['--max-live-instances', '1e3']]) {
    const refused = parseCommand(['start', `${flag}=${value}`]);
    assert.ok(refused instanceof UsageError && refused.message.startsWith(`Invalid ${flag} ${value}`), `${flag} ${value}`);
  }
});
