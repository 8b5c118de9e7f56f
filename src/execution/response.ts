// Executing a response: refunds first, then the reply or reject callback, and the cleanup callback
// if that traps (interface spec, "Abstract behavior": callback invocation and cleanup).
import type { Callback, CallContext, CanisterState, Closure, Response } from '../state/index.ts';
import { applyChanges, settle } from './call_context.ts';
import { chargeExecution, executionCost, scale } from './cycles.ts';
import { trapToUserError } from './errors.ts';
import { execute } from './execute.ts';
import { requestFor } from './request.ts';
import type { RoundContext } from './round_context.ts';

function responseBytes(response: Response): number {
  return response.result.kind === 'reply' ? response.result.payload.length : response.result.message.length;
}

/** Credits the refund and the call's reservation less the response's transmission, then charges this execution. */
function credit(round: RoundContext, canister: CanisterState, callback: Callback, response: Response, cost: bigint): void {
  const transmission = scale(round.env, round.env.costs.interCanisterByte * BigInt(responseBytes(response)));
  const reserved = callback.reservation - transmission;
  canister.cycles += response.refund + (reserved > 0n ? reserved : 0n);
  canister.consumed.transmission += transmission;
  // The reservation prepaid the execution: it never costs more than what is left of it.
  chargeExecution(canister, cost < reserved ? cost : reserved > 0n ? reserved : 0n);
}

function runCleanup(round: RoundContext, canister: CanisterState, closure: Closure, context: CallContext, rejectCode: number): bigint {
  const cleanup = { kind: 'cleanup', composite: false, caller: callerOf(context, canister), callContextId: context.id, rejectCode } as const;
  const outcome = execute(
    requestFor(canister, cleanup, { kind: 'closure', closure }, round.env, {
      instructions: round.env.instructionLimits.update,
      responded: context.responded,
      instructionsBeforeContext: context.instructionsExecuted,
    }),
  );
  context.instructionsExecuted += outcome.instructions;
  if (outcome.ok) {
    // A successful cleanup is a successful message execution: it bumps the version ('Canister version').
    canister.version += 1n;
    if (outcome.api.globalTimer !== undefined) canister.globalTimer = outcome.api.globalTimer;
  }
  return outcome.instructions;
}

function callerOf(context: CallContext, canister: CanisterState) {
  switch (context.origin.kind) {
    case 'ingress':
      return context.origin.sender;
    case 'canister':
      return context.origin.caller;
    case 'system':
      return canister.id;
  }
}

export function executeResponse(round: RoundContext, canister: CanisterState, response: Response): void {
  const callback = canister.callbacks.get(response.callbackId);
  // A response to a callback that is gone (timed out, or its canister was reinstalled) is dropped.
  if (!callback) return;
  canister.callbacks.delete(callback.id);
  const context = canister.callContexts.get(callback.callContextId);
  if (!context) {
    canister.cycles += response.refund;
    return;
  }
  context.outstandingCalls -= 1;
  const wasm64 = canister.wasm?.module.pointerWidth === 64;
  // Deleted contexts (uninstall) and empty canisters get their cycles but run nothing.
  if (context.deleted || !canister.wasm) {
    credit(round, canister, callback, response, 0n);
    settle(round, canister, context, undefined);
    return;
  }
  const closure = response.result.kind === 'reply' ? callback.onReply : callback.onReject;
  const callbackContext = {
    kind: 'callback',
    composite: false,
    caller: callerOf(context, canister),
    callContextId: context.id,
    result: response.result,
    refunded: response.refund,
    deadline: context.origin.kind === 'canister' ? context.origin.deadline : 0n,
  } as const;
  const outcome = execute(
    requestFor(canister, callbackContext, { kind: 'closure', closure }, round.env, {
      instructions: round.env.instructionLimits.update,
      responded: context.responded,
      availableCycles: context.availableCycles,
      instructionsBeforeContext: context.instructionsExecuted,
    }),
  );
  context.instructionsExecuted += outcome.instructions;
  if (outcome.ok) {
    // Only successful executions bump the version (spec changelog 0.20.0).
    canister.version += 1n;
    const cost = executionCost(round.env, outcome.instructions, wasm64);
    credit(round, canister, callback, response, cost);
    applyChanges(round, canister, context, outcome.api, 0n);
    settle(round, canister, context, undefined);
    return;
  }
  let instructions = outcome.instructions;
  const rejectCode = response.result.kind === 'reject' ? response.result.code : 0;
  if (callback.onCleanup) instructions += runCleanup(round, canister, callback.onCleanup, context, rejectCode);
  credit(round, canister, callback, response, executionCost(round.env, instructions, wasm64));
  settle(round, canister, context, trapToUserError(outcome.trap, canister.id.toText(), outcome.backtrace));
}
