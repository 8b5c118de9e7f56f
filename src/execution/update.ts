// Executing a request on a canister: an update method, or a query method in replicated mode (interface spec, "Abstract behavior":
// message execution).
import { type CallContext, type CanisterState, principalEquals, type Request } from '../state/index.ts';
import { applyChanges, executionRejectFor, openCallContext, rejectOf, settle } from './call_context.ts';
import { chargeExecution, executionCost, liquidBalance } from './cycles.ts';
import { InternalError, trapToUserError, UserError } from './errors.ts';
import { execute, type ExecutionOutcome, rollback } from './execute.ts';
import { type ExecutionRequest, requestFor } from './request.ts';
import { executeSliced, pauseExecution, SlicedRun } from './slicing.ts';
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

/** A request that passed the checks, with its call context open and its execution ready to run. */
interface Admitted {
  callContext: CallContext;
  execution: ExecutionRequest;
  isQuery: boolean;
}

/** The checks before a request runs; undefined when it was rejected. */
function admit(round: RoundContext, canister: CanisterState, request: Request): Admitted | undefined {
  const callable = checkCallable(canister, request.method);
  if (callable instanceof UserError) return void rejectRequest(round, canister, request, callable);
  if (callable === 'compositeQuery') {
    const error = new UserError(
      'CompositeQueryCalledInReplicatedMode',
      `Error from Canister ${canister.id.toText()}: Composite query cannot be called in replicated mode`,
    );
    return void rejectRequest(round, canister, request, error);
  }
  const wasm64 = canister.wasm!.module.pointerWidth === 64;
  const isQuery = callable === 'query';
  const instructionLimit = isQuery ? round.env.instructionLimits.query : round.env.instructionLimits.update;
  const prepaid = executionCost(round.env, instructionLimit, wasm64);
  const liquid = liquidBalance(round.env, canister);
  if (liquid < prepaid) return void rejectRequest(round, canister, request, outOfCycles(canister, request, prepaid, liquid));
  const minimum = canister.settings.minimumIncomingCanisterCallCycles;
  if (request.origin.kind === 'canister' && request.cycles < minimum) {
    const error = new UserError(
      'InsufficientCyclesInCall',
      `Canister ${canister.id.toText()} requires at least ${minimum} cycles attached to a call, but ${request.cycles} were attached`,
    );
    return void rejectRequest(round, canister, request, error);
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
  const budget = { instructions: instructionLimit, prepaid, responded: false, availableCycles: request.cycles };
  return { callContext, execution: requestFor(canister, context, entry, round.env, budget), isQuery };
}

/** Charges the execution, applies its changes and answers the caller. */
function conclude(round: RoundContext, canister: CanisterState, admitted: Admitted, outcome: ExecutionOutcome): void {
  const { callContext, isQuery } = admitted;
  const cost = executionCost(round.env, outcome.instructions, canister.wasm!.module.pointerWidth === 64);
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

/**
 * Executes a request. An update that runs past its first slice continues as a paused execution (slicing.ts),
 * and the canister shows its state from before it; its call context opens again, under the same id, when it ends.
 * Queries are not sliced.
 */
export function executeRequest(round: RoundContext, canister: CanisterState, request: Request): void {
  const admitted = admit(round, canister, request);
  if (!admitted) return;
  const { execution, callContext } = admitted;
  const outcome = admitted.isQuery ? execute(execution) : executeSliced(execution);
  if (!(outcome instanceof SlicedRun)) return conclude(round, canister, admitted, outcome);
  pauseExecution(canister, request, outcome, (later, target, ended) => {
    if (target.nextCallContextId !== callContext.id) throw new InternalError(`canister ${target.id.toText()} opened a call context while paused`);
    target.callContexts.set(callContext.id, callContext);
    target.nextCallContextId = callContext.id + 1;
    conclude(later, target, admitted, ended);
  });
  // Until the update ends, the canister's state is the one before it: no call context.
  canister.callContexts.delete(callContext.id);
  canister.nextCallContextId = callContext.id;
}
