// Call contexts (spec §3.1–3.3): commit an execution's changes, answer callers, detect starvation.
import type { CanisterState } from '../state/canister.ts';
import type { CallContext, CallResult } from '../state/messages.ts';
import { UserError } from './errors.ts';
import { respondTo, type RoundContext } from './round_context.ts';
import type { SystemApi } from './system_api.ts';

export function openCallContext(canister: CanisterState, init: Omit<CallContext, 'id' | 'responded' | 'deleted' | 'outstandingCalls' | 'instructionsExecuted'>): CallContext {
  const context: CallContext = {
    ...init,
    id: canister.nextCallContextId++,
    responded: false,
    deleted: false,
    outstandingCalls: 0,
    instructionsExecuted: 0n,
  };
  canister.callContexts.set(context.id, context);
  return context;
}

export function rejectOf(error: UserError): CallResult {
  return { kind: 'reject', code: error.rejectCode, message: error.message, errorCode: error.errorCode };
}

/** Answers the context's caller; the cycles it did not accept go back (§3.11). */
export function respond(round: RoundContext, canister: CanisterState, context: CallContext, result: CallResult): void {
  const refund = context.availableCycles;
  context.availableCycles = 0n;
  context.responded = true;
  respondTo(round, context.origin, canister.id, result, refund);
}

/** A context that can no longer respond is answered by the system; a finished one is deleted. */
export function settle(round: RoundContext, canister: CanisterState, context: CallContext, failure: UserError | undefined): void {
  if (context.outstandingCalls > 0) return;
  if (!context.responded && !context.deleted) {
    const error =
      failure ?? new UserError('CanisterDidNotReply', `Canister ${canister.id.toText()} did not produce a response`);
    respond(round, canister, context, rejectOf(error));
  }
  canister.callContexts.delete(context.id);
}

/** Applies the System API's recorded changes of a successful execution (R5: checked, then applied). */
export function applyChanges(round: RoundContext, canister: CanisterState, context: CallContext | undefined, api: SystemApi, cost: bigint): void {
  canister.cycles += api.acceptedCycles + api.mintedCycles - api.cyclesOut - cost;
  if (canister.cycles < 0n) canister.cycles = 0n;
  canister.consumed.instructions += cost;
  canister.consumed.burned += api.burnedCycles;
  if (api.certifiedData) canister.certifiedData = api.certifiedData;
  if (api.globalTimer !== undefined) canister.globalTimer = api.globalTimer;
  for (const call of api.calls) {
    const deadline = call.timeoutSeconds === undefined ? 0n : round.env.time + BigInt(call.timeoutSeconds) * 1_000_000_000n;
    const callbackId = canister.nextCallbackId++;
    canister.callbacks.set(callbackId, {
      id: callbackId,
      callContextId: context!.id,
      callee: call.callee,
      onReply: call.onReply,
      onReject: call.onReject,
      onCleanup: call.onCleanup,
      cyclesSent: call.cycles,
      reservation: call.reservation,
      deadline,
      method: call.method,
    });
    canister.consumed.transmission += call.fee;
    context!.outstandingCalls += 1;
    round.outbox.push({
      kind: 'request',
      caller: canister.id,
      receiver: call.callee,
      method: call.method,
      arg: call.arg,
      cycles: call.cycles,
      origin: { kind: 'canister', caller: canister.id, callbackId, deadline },
      deadline,
    });
  }
  if (context) {
    context.availableCycles = api.availableCycles;
    if (api.response) {
      const result: CallResult =
        api.response.kind === 'reply'
          ? { kind: 'reply', payload: api.response.payload }
          : { kind: 'reject', code: 4, message: api.response.message };
      respond(round, canister, context, result);
    }
  }
}
