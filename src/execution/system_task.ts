// System tasks: canister_heartbeat, canister_global_timer, canister_on_low_wasm_memory (interface spec, 'Entry points').
import type { CanisterState } from '../state/index.ts';
import { applyChanges, openCallContext, settle } from './call_context.ts';
import type { SystemTask } from './context.ts';
import { executionCost, freezingLimit, liquidBalance } from './cycles.ts';
import { execute } from './execute.ts';
import type { RoundContext } from './round_context.ts';

const EXPORTS: Record<SystemTask, 'canister_heartbeat' | 'canister_global_timer' | 'canister_on_low_wasm_memory'> = {
  heartbeat: 'canister_heartbeat',
  globalTimer: 'canister_global_timer',
  onLowWasmMemory: 'canister_on_low_wasm_memory',
};

export function hasTask(canister: CanisterState, task: SystemTask): boolean {
  return canister.wasm?.module.systemMethods.has(EXPORTS[task]) ?? false;
}

/** Runs a task if the canister exports it and can pay; returns whether it ran. */
export function executeSystemTask(round: RoundContext, canister: CanisterState, task: SystemTask): boolean {
  if (!hasTask(canister, task) || canister.status.kind !== 'running') return false;
  const wasm64 = canister.wasm!.module.pointerWidth === 64;
  const prepaid = executionCost(round.env, round.env.instructionLimits.update, wasm64);
  if (liquidBalance(round.env, canister) < prepaid) return false;
  const callContext = openCallContext(canister, { origin: { kind: 'system' }, availableCycles: 0n, methodKind: 'task' });
  const outcome = execute({
    canister,
    context: { kind: 'systemTask', task, callContextId: callContext.id },
    entry: { kind: 'export', name: EXPORTS[task] },
    env: round.env,
    limits: { instructions: round.env.instructionLimits.update, maxReplySize: 0, freezingLimit: freezingLimit(round.env, canister), prepaid },
    responded: true,
    availableCycles: 0n,
    instructionsBeforeContext: 0n,
    wasmMemoryLimit: undefined,
    keepJournal: false,
  });
  const cost = executionCost(round.env, outcome.instructions, wasm64);
  callContext.instructionsExecuted += outcome.instructions;
  if (outcome.ok) {
    canister.version += 1n;
    applyChanges(round, canister, callContext, outcome.api, cost);
  } else {
    canister.cycles -= cost < canister.cycles ? cost : canister.cycles;
  }
  // A task's context needs no response: mark it answered so it is deleted once its calls return.
  callContext.responded = true;
  settle(round, canister, callContext, undefined);
  return true;
}
