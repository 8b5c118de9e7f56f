// Executing a response: refunds first (the callback sees them), then the reply or reject callback, the
// cleanup callback if that traps, and last the unused prepayment of the execution (interface spec,
// "Abstract behavior": callback invocation and cleanup).
import type { Callback, CallContext, CallerInfo, CanisterState, Closure, Response } from '../state/index.ts';
import { applyChanges, settle } from './call_context.ts';
import { chargeExecution, executionCost, responseTransmissionReservation, scale } from './cycles.ts';
import { cleanupFailed, InternalError, trapToUserError } from './errors.ts';
import { execute, type ExecutionOutcome } from './execute.ts';
import { executeSliced, pauseExecution, SlicedRun } from './slicing.ts';
import { adjustMessageMemory } from './message_memory.ts';
import { requestFor } from './request.ts';
import type { RoundContext } from './round_context.ts';

function responseBytes(response: Response): number {
  return response.result.kind === 'reply' ? response.result.payload.length : response.result.message.length;
}

/**
 * Before the callback runs, as the replica does: the cycles the callee did not accept and the unused
 * part of the response's transmission reservation go back to the canister, so the callback sees them.
 * Returns the part of the reservation that prepaid this execution.
 */
function refundBeforeCallback(round: RoundContext, canister: CanisterState, callback: Callback, response: Response): bigint {
  const maxTransmission = responseTransmissionReservation(round.env);
  const reservedTransmission = callback.reservation < maxTransmission ? callback.reservation : maxTransmission;
  const transmission = scale(round.env, round.env.costs.interCanisterByte * BigInt(responseBytes(response)));
  const charged = transmission < reservedTransmission ? transmission : reservedTransmission;
  canister.cycles += response.refund + (reservedTransmission - charged);
  canister.consumed.transmission += charged;
  return callback.reservation - reservedTransmission;
}

/** After the callback: the execution's prepayment less its cost goes back (it never costs more than that prepayment). */
function settleExecution(canister: CanisterState, prepaid: bigint, cost: bigint): void {
  canister.cycles += prepaid;
  chargeExecution(canister, cost < prepaid ? cost : prepaid);
}

function runCleanup(round: RoundContext, canister: CanisterState, closure: Closure, context: CallContext, rejectCode: number) {
  const cleanup = { kind: 'cleanup', composite: false, caller: callerOf(context, canister), ...callerInfoOf(context), callContextId: context.id, rejectCode } as const;
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
  return outcome;
}

/** The `sender_info` of the user request that opened the context: callbacks see it as the method did. */
function callerInfoOf(context: CallContext): { callerInfo?: CallerInfo } {
  return context.origin.kind === 'ingress' && context.origin.callerInfo ? { callerInfo: context.origin.callerInfo } : {};
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

/** What delivering a response changes before its callback runs; undone while the callback is paused. */
interface Delivery {
  context: CallContext;
  prepaid: bigint;
}

/** Takes the callback out, refunds what comes back and counts the call as answered; undefined when nothing runs. */
function deliver(round: RoundContext, canister: CanisterState, callback: Callback, response: Response): Delivery | undefined {
  canister.callbacks.delete(callback.id);
  if (callback.deadline === 0n) adjustMessageMemory(round.env.messageMemory, -1);
  const context = canister.callContexts.get(callback.callContextId);
  if (!context) {
    canister.cycles += response.refund;
    return undefined;
  }
  const prepaid = refundBeforeCallback(round, canister, callback, response);
  context.outstandingCalls -= 1;
  // Deleted contexts (uninstall) and empty canisters get their cycles but run nothing.
  if (context.deleted || !canister.wasm) {
    settleExecution(canister, prepaid, 0n);
    settle(round, canister, context, undefined);
    return undefined;
  }
  return { context, prepaid };
}

export function executeResponse(round: RoundContext, canister: CanisterState, response: Response): void {
  const callback = canister.callbacks.get(response.callbackId);
  // A response to a callback that is gone (timed out, or its canister was reinstalled) is dropped.
  if (!callback) return;
  const before = { cycles: canister.cycles, transmission: canister.consumed.transmission };
  const delivery = deliver(round, canister, callback, response);
  if (!delivery) return;
  const { context } = delivery;
  const closure = response.result.kind === 'reply' ? callback.onReply : callback.onReject;
  const callbackContext = {
    kind: 'callback',
    composite: false,
    caller: callerOf(context, canister),
    ...callerInfoOf(context),
    callContextId: context.id,
    result: response.result,
    refunded: response.refund,
    deadline: context.origin.kind === 'canister' ? context.origin.deadline : 0n,
  } as const;
  const execution = requestFor(canister, callbackContext, { kind: 'closure', closure }, round.env, {
    instructions: round.env.instructionLimits.update,
    responded: context.responded,
    availableCycles: context.availableCycles,
    instructionsBeforeContext: context.instructionsExecuted,
  });
  const outcome = executeSliced(execution);
  if (!(outcome instanceof SlicedRun)) return conclude(round, canister, callback, response, delivery, outcome);
  pauseExecution(canister, response, outcome, (later, target, ended) => {
    const again = deliver(later, target, callback, response);
    if (!again) throw new InternalError(`the call context of a paused callback of canister ${target.id.toText()} is gone`);
    conclude(later, target, callback, response, again, ended);
  });
  // Until the callback ends, the canister's state is the one before the response (deterministic time slicing).
  canister.callbacks.set(callback.id, callback);
  if (callback.deadline === 0n) adjustMessageMemory(round.env.messageMemory, 1);
  canister.cycles = before.cycles;
  canister.consumed.transmission = before.transmission;
  context.outstandingCalls += 1;
}

/** Charges the callback, applies its changes or runs the cleanup, and settles the call context. */
function conclude(round: RoundContext, canister: CanisterState, callback: Callback, response: Response, delivery: Delivery, outcome: ExecutionOutcome): void {
  const { context, prepaid } = delivery;
  const wasm64 = canister.wasm?.module.pointerWidth === 64;
  context.instructionsExecuted += outcome.instructions;
  if (outcome.ok) {
    // Only successful executions bump the version (spec changelog 0.20.0).
    canister.version += 1n;
    settleExecution(canister, prepaid, executionCost(round.env, outcome.instructions, wasm64));
    applyChanges(round, canister, context, outcome.api, 0n);
    settle(round, canister, context, undefined);
    return;
  }
  const rejectCode = response.result.kind === 'reject' ? response.result.code : 0;
  const cleanup = callback.onCleanup ? runCleanup(round, canister, callback.onCleanup, context, rejectCode) : undefined;
  settleExecution(canister, prepaid, executionCost(round.env, outcome.instructions + (cleanup?.instructions ?? 0n), wasm64));
  const id = canister.id.toText();
  const error = cleanup && !cleanup.ok ? cleanupFailed(id, outcome, cleanup) : trapToUserError(outcome.trap, id, outcome.backtrace);
  settle(round, canister, context, error);
}
