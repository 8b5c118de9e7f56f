// chargeExecution: the one way an execution's cost leaves the balance, kept consistent with the
// consumed-cycles counters that canister_metrics reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chargeExecution, executeRequest, executeSystemTask } from '../../src/execution/index.ts';
import { ingress, round, watCanister } from './_canister.ts';

const TRAPS = `(module
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 1)
  (func (export "canister_update fail") (call $trap (i32.const 0) (i32.const 0)))
  (func (export "canister_heartbeat") (call $trap (i32.const 0) (i32.const 0))))`;

test('chargeExecution takes the cost from the balance and counts it as consumed by instructions', async () => {
  const canister = await watCanister(TRAPS, 1_000n);
  chargeExecution(canister, 300n);
  assert.equal(canister.cycles, 700n);
  assert.equal(canister.consumed.instructions, 300n);
});

test('chargeExecution takes at most the balance, and counts only what it took', async () => {
  const canister = await watCanister(TRAPS, 100n);
  chargeExecution(canister, 300n);
  assert.equal(canister.cycles, 0n);
  assert.equal(canister.consumed.instructions, 100n);
});

test('a trapping update pays for its instructions, and the payment is counted as consumed', async () => {
  const canister = await watCanister(TRAPS);
  const before = canister.cycles;
  executeRequest(round(), canister, ingress('fail'));
  assert.ok(canister.consumed.instructions > 0n);
  assert.equal(before - canister.cycles, canister.consumed.instructions);
});

test('a trapping heartbeat pays for its instructions, and the payment is counted as consumed', async () => {
  const canister = await watCanister(TRAPS);
  const before = canister.cycles;
  assert.equal(executeSystemTask(round(), canister, 'heartbeat'), true);
  assert.ok(canister.consumed.instructions > 0n);
  assert.equal(before - canister.cycles, canister.consumed.instructions);
});
