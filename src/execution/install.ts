// install_code: install, reinstall and upgrade as one atomic sequence (interface spec, "IC method install_code").
import { type CanisterState, memoryUsage, type Principal, StableMemory, type WasmState } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import type { ApiContext } from './context.ts';
import { chargeExecution, executionCost, liquidBalance } from './cycles.ts';
import { canisterError, HELP, trapToUserError, UserError, WASM_MODULE_NOT_FOUND } from './errors.ts';
import { commit, execute, rollback } from './execute.ts';
import { requestFor } from './request.ts';
import { instantiate, loadHeap } from './instance.ts';
import type { Journal } from './journal.ts';
import { takeInstallMemory } from './subnet_memory.ts';
import type { ExecutionEnvironment, SystemApi } from './system_api.ts';

export type InstallMode = 'install' | 'reinstall' | 'upgrade';

export interface InstallRequest {
  module: CanisterModule;
  mode: InstallMode;
  arg: Uint8Array;
  caller: Principal;
  skipPreUpgrade: boolean;
  wasmMemoryPersistence: 'keep' | 'replace' | undefined;
}

interface Step {
  canister: CanisterState;
  /** The first log index written by this installation (older records go on (re)install). */
  firstLogIdx: bigint;
  env: ExecutionEnvironment;
  budget: { left: bigint };
  journals: Journal[];
  apis: SystemApi[];
}

function checkMode(canister: CanisterState, request: InstallRequest): UserError | undefined {
  const id = canister.id.toText();
  if (request.mode === 'install' && canister.wasm) {
    return new UserError('CanisterNonEmpty', `Canister ${id} cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.`);
  }
  if (request.mode !== 'upgrade') return undefined;
  const old = canister.wasm?.module;
  if (!old) return canisterError('CanisterWasmModuleNotFound', id, WASM_MODULE_NOT_FOUND, HELP.wasmModuleNotFound);
  if (old.enhancedOrthogonalPersistence && request.wasmMemoryPersistence === undefined) {
    return new UserError('CanisterContractViolation', 'Missing upgrade option: Enhanced orthogonal persistence requires the `wasm_memory_persistence` upgrade option.');
  }
  if (request.wasmMemoryPersistence === 'keep' && !request.module.enhancedOrthogonalPersistence) {
    return new UserError('CanisterContractViolation', 'Invalid upgrade option: The `wasm_memory_persistence: opt Keep` upgrade option requires that the new canister module supports enhanced orthogonal persistence.');
  }
  return undefined;
}

/** Runs one step of the sequence on the canister's current instance; a trap becomes a UserError. */
function runStep(step: Step, context: ApiContext, exportName: string): UserError | undefined {
  const outcome = execute(
    requestFor(step.canister, context, { kind: 'export', name: exportName }, step.env, {
      instructions: step.budget.left,
      responded: true,
      instructionsBeforeContext: step.env.instructionLimits.install - step.budget.left,
    }),
  );
  step.budget.left -= outcome.instructions;
  if (!outcome.ok) return trapToUserError(outcome.trap, step.canister.id.toText(), outcome.backtrace);
  step.journals.push(outcome.journal);
  step.apis.push(outcome.api);
  return undefined;
}

function hasExport(wasm: WasmState, name: string): boolean {
  return typeof wasm.instance.exports[name] === 'function';
}

/** Runs pre_upgrade (old instance), then start and init/post_upgrade (new instance). */
function runSequence(step: Step, request: InstallRequest, oldWasm: WasmState | undefined): UserError | undefined {
  const canister = step.canister;
  if (request.mode === 'upgrade' && !request.skipPreUpgrade && oldWasm && hasExport(oldWasm, 'canister_pre_upgrade')) {
    const failure = runStep(step, { kind: 'preUpgrade', caller: request.caller }, 'canister_pre_upgrade');
    if (failure) return failure;
  }
  // The new code starts without a timer: post_upgrade (or init) sees 0 as the previous value, and it
  // sees the new canister version (pre_upgrade saw the old one) ('Canister version', ic-ref-test canister version).
  canister.globalTimer = 0n;
  canister.version += 1n;
  const fresh = instantiate(request.module);
  if (request.wasmMemoryPersistence === 'keep' && oldWasm) loadHeap(fresh, new Uint8Array(oldWasm.memory.buffer));
  canister.wasm = fresh;
  if (request.module.hasStart) {
    const failure = runStep(step, { kind: 'start' }, '__capsule_start');
    if (failure) return failure;
  }
  const entry = request.mode === 'upgrade' ? 'canister_post_upgrade' : 'canister_init';
  if (hasExport(fresh, entry)) {
    return runStep(step, { kind: 'init', caller: request.caller, arg: request.arg }, entry);
  }
  return undefined;
}

function restore(canister: CanisterState, step: Step, oldWasm: WasmState | undefined, oldStable: StableMemory, preUpgradeJournal: Journal | undefined, old: { timer: bigint; version: bigint }): void {
  for (const journal of [...step.journals].reverse()) journal.rollbackStable(canister.stable);
  canister.stable = oldStable;
  canister.globalTimer = old.timer;
  canister.version = old.version;
  canister.wasm = oldWasm;
  if (oldWasm && preUpgradeJournal) rollback(canister, preUpgradeJournal);
}

/** Installs code atomically; on failure the canister is exactly as before (except cycles spent). */
export function installCode(env: ExecutionEnvironment, canister: CanisterState, request: InstallRequest): UserError | undefined {
  const invalid = checkMode(canister, request);
  if (invalid) return invalid;
  // The replica prices install_code by the canister's current execution mode (an empty canister counts as wasm32).
  const wasm64 = canister.wasm?.module.pointerWidth === 64;
  const prepaid = executionCost(env, env.instructionLimits.install, wasm64);
  const liquid = liquidBalance(env, canister);
  if (liquid < prepaid) {
    return new UserError('CanisterOutOfCycles', `Canister ${canister.id.toText()} is out of cycles: please top up the canister with at least ${prepaid - liquid} additional cycles`);
  }
  const usageBefore = memoryUsage(canister);
  const oldWasm = canister.wasm;
  const oldStable = canister.stable;
  const old = { timer: canister.globalTimer, version: canister.version };
  if (request.mode !== 'upgrade') canister.stable = new StableMemory();
  const step: Step = { canister, firstLogIdx: canister.nextLogIdx, env, budget: { left: env.instructionLimits.install }, journals: [], apis: [] };
  const hadPreUpgrade = request.mode === 'upgrade' && !request.skipPreUpgrade && oldWasm !== undefined && hasExport(oldWasm, 'canister_pre_upgrade');
  const failure = runSequence(step, request, oldWasm) ?? takeInstallMemory(env.subnetMemory, canister, usageBefore);
  const cost = executionCost(env, step.env.instructionLimits.install - step.budget.left, wasm64);
  chargeExecution(canister, cost);
  if (failure) {
    restore(canister, step, oldWasm, oldStable, hadPreUpgrade ? step.journals[0] : undefined, old);
    return failure;
  }
  finish(env, canister, request, step);
  return undefined;
}

function finish(env: ExecutionEnvironment, canister: CanisterState, request: InstallRequest, step: Step): void {
  if (request.mode !== 'upgrade') {
    canister.certifiedData = new Uint8Array(0);
    // (Re)install purges the old logs but keeps what (start) and canister_init printed (fetch_canister_logs).
    canister.logs = canister.logs.filter((record) => record.idx >= step.firstLogIdx);
  }
  canister.globalTimer = 0n;
  canister.onLowWasmMemory = 'conditionNotSatisfied';
  for (const api of step.apis) {
    if (api.certifiedData) canister.certifiedData = api.certifiedData;
    if (api.globalTimer !== undefined && api.context.kind === 'init') canister.globalTimer = api.globalTimer;
    canister.cycles += api.mintedCycles - api.cyclesOut;
  }
  for (const journal of step.journals) commit(canister, journal, undefined);
  canister.dirty.heapReplaced = true;
  if (request.mode !== 'upgrade') canister.dirty.stableReplaced = true;
  canister.lastInstallAt = env.time;
}
