// The errors users see: descriptions capped like the replica caps them, and trap backtraces as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trapToUserError, UserError } from '../../src/execution/index.ts';
import { ellipsize, MAX_DESCRIPTION_BYTES } from '../../src/execution/errors.ts';
import { execute } from '../../src/execution/execute.ts';
import { requestFor } from '../../src/execution/request.ts';
import { environment, USER, watCanister } from './_canister.ts';

test('ellipsize keeps the given share of the room from the start and the rest from the end', () => {
  assert.equal(ellipsize('123454321', 9, 50), '123454321');
  assert.equal(ellipsize('123454321', 8, 50), '1234...1');
  assert.equal(ellipsize('123454321', 8, 0), '...54321');
  assert.equal(ellipsize('123454321', 8, 100), '12345...');
  assert.equal(ellipsize('123454321', 5, 20), '1...1');
  assert.equal(ellipsize('123454321', 3, 50), '...');
});

test('ellipsize counts UTF-8 bytes and never cuts a character in half', () => {
  assert.equal(ellipsize('₿₿₿€€€', 9, 40), '₿...€');
  assert.equal(ellipsize('₿₿₿€€€', 3, 2), '...');
});

test('a UserError description over 8 KiB keeps its first 4 KiB and its end around "..."', () => {
  const description = `${'a'.repeat(5_000)}${'b'.repeat(5_000)}`;
  const error = new UserError('CanisterCalledTrap', description);
  assert.equal(new TextEncoder().encode(error.message).length, MAX_DESCRIPTION_BYTES);
  assert.equal(error.message, `${'a'.repeat(4_096)}...${'b'.repeat(MAX_DESCRIPTION_BYTES - 4_096 - 3)}`);
  assert.equal(new UserError('CanisterCalledTrap', 'short').message, 'short');
});

const TRAPS_DEEP = `(module
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 1)
  (data (i32.const 0) "boom")
  (func $inner (call $trap (i32.const 0) (i32.const 4)))
  (func $outer (call $inner))
  (func (export "canister_update fail") (call $outer)))`;

test('a trap carries its wasm backtrace as data, innermost first, and in its description before the help line, as the replica words it', async () => {
  const canister = await watCanister(TRAPS_DEEP);
  const context = { kind: 'update', caller: USER, arg: new Uint8Array(0), callContextId: 1, deadline: 0n } as const;
  const entry = { kind: 'export', name: 'canister_update fail' } as const;
  const outcome = execute(requestFor(canister, context, entry, environment(), { instructions: 1_000_000n, responded: false }));
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  const error = trapToUserError(outcome.trap, canister.id.toText(), outcome.backtrace);
  assert.equal(error.code, 'CanisterCalledTrap');
  assert.deepEqual(error.backtrace?.slice(0, 2), ['inner', 'outer']);
  assert.equal(
    error.message,
    `Error from Canister ${canister.id.toText()}: Canister called \`ic0.trap\` with message: 'boom'\n` +
      `Canister Backtrace:\n${error.backtrace?.map((frame) => `${frame}\n`).join('')}.\n` +
      'Consider gracefully handling failures from this canister or altering the canister to handle exceptions. ' +
      'See documentation: https://internetcomputer.org/docs/current/references/execution-errors#trapped-explicitly',
  );
  assert.match(error.backtrace?.at(-1) ?? '', /^unknown function at index \d+$/);
});

test('a trap without a backtrace has neither the field nor the section', () => {
  const error = trapToUserError({ kind: 'stackOverflow' }, 'aaaaa-aa', undefined);
  assert.equal(error.backtrace, undefined);
  assert.equal(error.message.includes('Canister Backtrace'), false);
});

test('wasm traps are named in the replica words, and those it has no name for are "unknown"', async () => {
  const canister = await watCanister(`(module
    (func (export "canister_update unreachable") unreachable)
    (func (export "canister_update divide") (drop (i32.div_u (i32.const 1) (i32.const 0))))
    (func (export "canister_update overflow") (drop (i32.div_s (i32.const -2147483648) (i32.const -1))))
    (func (export "canister_update convert") (drop (i32.trunc_f32_s (f32.const 1e30)))))`);
  const expected: Record<string, string> = {
    unreachable: 'unreachable',
    divide: 'integer division by 0',
    overflow: 'unknown',
    convert: 'unknown',
  };
  for (const [method, words] of Object.entries(expected)) {
    const context = { kind: 'update', caller: USER, arg: new Uint8Array(0), callContextId: 1, deadline: 0n } as const;
    const outcome = execute(requestFor(canister, context, { kind: 'export', name: `canister_update ${method}` }, environment(), { instructions: 1_000_000n, responded: false }));
    assert.equal(outcome.ok, false);
    if (outcome.ok) continue;
    assert.deepEqual(outcome.trap, { kind: 'wasm', message: words });
  }
});
