// Executing a request on a canister: an update method, or a query method in replicated mode (interface spec, "Abstract behavior":
// message execution).
import { type CanisterState, principalEquals, type Request } from '../state/index.ts';
import { applyChanges, executionRejectFor, openCallContext, rejectOf, settle } from './call_context.ts';
import { chargeExecution, executionCost, liquidBalance } from './cycles.ts';
import { trapToUserError, UserError } from './errors.ts';
import { execute, rollback } from './execute.ts';
import { requestFor } from './request.ts';
import { checkCallable, exportName } from './method.ts';
import { respondTo, type RoundContext } from './round_context.ts';

/** The replica tells how many cycles are missing only to a controller of the canister. */
function outOfCycles(canister: CanisterState, request: Request, needed: bigint, available: bigint): UserError {
  const caller = request.origin.kind === 'ingress' ? request.origin.sender : request.caller;
  const id = canister.id.toText();
  if (!canister.settings.controllers.some((controller) => principalEquals(controller, caller))) {
    return new UserError('CanisterOutOfCycles', `Canister ${id} is out of cycles`);
  }
  return new UserError('CanisterOutOfCycles', `Canister ${id} is out of cycles: please top up the canister with at least ${needed - available} additional cycles`);
}

/**
 * Rejects a request before any execution: nothing changes but the refund of its cycles. The replica
 * turns away a stopping or stopped canister's requests as it inducts them, in words without an error
 * code; the others fail at execution, and a calling canister sees their code.
 */
function rejectRequest(round: RoundContext, canister: CanisterState, request: Request, error: UserError): void {
  const atInduction = error.code === 'CanisterStopped' || error.code === 'CanisterStopping';
  respondTo(round, request.origin, canister.id, atInduction ? rejectOf(error) : executionRejectFor(request.origin, error), request.cycles);
}

export function executeRequest(round: RoundContext, canister: CanisterState, request: Request): void {
  const callable = checkCallable(canister, request.method);
  if (callable instanceof UserError) return rejectRequest(round, canister, request, callable);
  if (callable === 'compositeQuery') {
    const error = new UserError(
      'CompositeQueryCalledInReplicatedMode',
      `Error from Canister ${canister.id.toText()}: Composite query cannot be called in replicated mode`,
    );
    return rejectRequest(round, canister, request, error);
  }
  const wasm64 = canister.wasm!.module.pointerWidth === 64;
  const isQuery = callable === 'query';
  const instructionLimit = isQuery ? round.env.instructionLimits.query : round.env.instructionLimits.update;
  const prepaid = executionCost(round.env, instructionLimit, wasm64);
  const liquid = liquidBalance(round.env, canister);
  if (liquid < prepaid) return rejectRequest(round, canister, request, outOfCycles(canister, request, prepaid, liquid));
  const minimum = canister.settings.minimumIncomingCanisterCallCycles;
  if (request.origin.kind === 'canister' && request.cycles < minimum) {
    const error = new UserError(
      'InsufficientCyclesInCall',
      `Canister ${canister.id.toText()} requires at least ${minimum} cycles attached to a call, but ${request.cycles} were attached`,
    );
    return rejectRequest(round, canister, request, error);
  }
  const callContext = openCallContext(canister, {
    origin: request.origin,
    availableCycles: request.cycles,
    methodKind: isQuery ? 'query' : 'update',
  });
  const caller = request.origin.kind === 'ingress' ? request.origin.sender : request.caller;
  const callerInfo = request.origin.kind === 'ingress' && request.origin.callerInfo ? { callerInfo: request.origin.callerInfo } : {};
  const context = isQuery
    ? ({ kind: 'replicatedQuery', caller, ...callerInfo, arg: request.arg, callContextId: callContext.id, deadline: request.deadline } as const)
    : ({ kind: 'update', caller, ...callerInfo, arg: request.arg, callContextId: callContext.id, deadline: request.deadline } as const);
  const entry = { kind: 'export', name: exportName(callable, request.method) } as const;
  const outcome = execute(
    requestFor(canister, context, entry, round.env, { instructions: instructionLimit, prepaid, responded: false, availableCycles: request.cycles }),
  );
  const cost = executionCost(round.env, outcome.instructions, wasm64);
  callContext.instructionsExecuted += outcome.instructions;
  if (!outcome.ok) {
    chargeExecution(canister, cost);
    settle(round, canister, callContext, trapToUserError(outcome.trap, canister.id.toText(), outcome.backtrace));
    return;
  }
  if (isQuery) {
    // Replicated queries keep only cycles and the response; memory changes are discarded.
    rollback(canister, outcome.journal);
  } else {
    canister.version += 1n;
  }
  applyChanges(round, canister, callContext, outcome.api, cost);
  settle(round, canister, callContext, undefined);
}
