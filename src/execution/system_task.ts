// System tasks: canister_heartbeat, canister_global_timer, canister_on_low_wasm_memory (interface spec, 'Entry points').
import type { CallContext, CanisterState } from '../state/index.ts';
import { applyChanges, openCallContext, settle } from './call_context.ts';
import type { SystemTask } from './context.ts';
import { chargeExecution, executionCost, liquidBalance } from './cycles.ts';
import { InternalError } from './errors.ts';
import type { ExecutionOutcome } from './execute.ts';
import { executeSliced, pauseExecution, SlicedRun } from './slicing.ts';
import { requestFor } from './request.ts';
import type { RoundContext } from './round_context.ts';

const EXPORTS: Record<SystemTask, 'canister_heartbeat' | 'canister_global_timer' | 'canister_on_low_wasm_memory'> = {
  heartbeat: 'canister_heartbeat',
  globalTimer: 'canister_global_timer',
  onLowWasmMemory: 'canister_on_low_wasm_memory',
};

export function hasTask(canister: CanisterState, task: SystemTask): boolean {
  return canister.wasm?.module.systemMethods.has(EXPORTS[task]) ?? false;
}

/**
 * Runs a task if the canister exports it and can pay; returns whether it ran (or paused: deterministic time
 * slicing then continues it like an update, with the timer set again until it ends). The global timer is
 * consumed either way.
 */
export function executeSystemTask(round: RoundContext, canister: CanisterState, task: SystemTask): boolean {
  const timer = canister.globalTimer;
  if (task === 'globalTimer') canister.globalTimer = 0n;
  if (!hasTask(canister, task) || canister.status.kind !== 'running') return false;
  const wasm64 = canister.wasm!.module.pointerWidth === 64;
  const prepaid = executionCost(round.env, round.env.instructionLimits.update, wasm64);
  if (liquidBalance(round.env, canister) < prepaid) return false;
  const callContext = openCallContext(canister, { origin: { kind: 'system' }, availableCycles: 0n, methodKind: 'task' });
  const context = { kind: 'systemTask', task, callContextId: callContext.id } as const;
  const entry = { kind: 'export', name: EXPORTS[task] } as const;
  const execution = requestFor(canister, context, entry, round.env, { instructions: round.env.instructionLimits.update, prepaid, responded: true });
  const outcome = executeSliced(execution);
  if (!(outcome instanceof SlicedRun)) {
    conclude(round, canister, callContext, outcome);
    return true;
  }
  pauseExecution(canister, undefined, outcome, (later, target, ended) => {
    if (target.nextCallContextId !== callContext.id) throw new InternalError(`canister ${target.id.toText()} opened a call context while paused`);
    target.callContexts.set(callContext.id, callContext);
    target.nextCallContextId = callContext.id + 1;
    if (task === 'globalTimer') target.globalTimer = 0n;
    conclude(later, target, callContext, ended);
  });
  // Until the task ends, the canister's state is the one before it: no call context, the timer still set.
  canister.callContexts.delete(callContext.id);
  canister.nextCallContextId = callContext.id;
  canister.globalTimer = timer;
  return true;
}

function conclude(round: RoundContext, canister: CanisterState, callContext: CallContext, outcome: ExecutionOutcome): void {
  const cost = executionCost(round.env, outcome.instructions, canister.wasm!.module.pointerWidth === 64);
  callContext.instructionsExecuted += outcome.instructions;
  if (outcome.ok) {
    canister.version += 1n;
    applyChanges(round, canister, callContext, outcome.api, cost);
  } else {
    chargeExecution(canister, cost);
  }
  // A task's context needs no response: mark it answered so it is deleted once its calls return.
  callContext.responded = true;
  settle(round, canister, callContext, undefined);
}
