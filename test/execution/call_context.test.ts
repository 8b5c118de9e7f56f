// applyChanges commits a successful execution's recorded changes; a cycles-accounting bug is loud.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, InternalError, openCallContext } from '../../src/execution/index.ts';
import { execute } from '../../src/execution/execute.ts';
import { requestFor } from '../../src/execution/request.ts';
import { environment, round, USER, watCanister } from './_canister.ts';

const REPLIES = `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_update hello") (call $reply)))`;

async function succeeded(cycles: bigint) {
  const canister = await watCanister(REPLIES, cycles);
  const callContext = openCallContext(canister, { origin: { kind: 'system' }, availableCycles: 0n, methodKind: 'update' });
  const context = { kind: 'update', caller: USER, arg: new Uint8Array(0), callContextId: callContext.id, deadline: 0n } as const;
  const outcome = execute(
    requestFor(canister, context, { kind: 'export', name: 'canister_update hello' }, environment(), { instructions: 1_000_000n, responded: false }),
  );
  assert.equal(outcome.ok, true);
  return { canister, callContext, api: outcome.api };
}

test('applyChanges takes the cost and the cycles sent from the balance and answers the caller', async () => {
  const { canister, callContext, api } = await succeeded(1_000n);
  api.cyclesOut = 100n;
  applyChanges(round(), canister, callContext, api, 50n);
  assert.equal(canister.cycles, 850n);
  assert.equal(canister.consumed.instructions, 50n);
  assert.equal(callContext.responded, true);
});

test('applyChanges throws an internal error, and changes nothing, when the balance would go negative', async () => {
  const { canister, callContext, api } = await succeeded(1_000n);
  api.cyclesOut = 1_001n;
  assert.throws(() => applyChanges(round(), canister, callContext, api, 0n), InternalError);
  assert.equal(canister.cycles, 1_000n);
  assert.equal(canister.consumed.instructions, 0n);
  assert.equal(callContext.responded, false);
});
