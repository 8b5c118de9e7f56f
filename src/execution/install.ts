// install_code: install, reinstall and upgrade as one atomic sequence (interface spec, "IC method install_code").
import { type CallOrigin, type CanisterMessage, type CanisterState, memoryUsage, type Principal, StableMemory, type WasmState } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import type { ApiContext } from './context.ts';
import { chargeExecution, executionCost, liquidBalance } from './cycles.ts';
import { canisterError, HELP, trapToUserError, UserError, WASM_MODULE_NOT_FOUND } from './errors.ts';
import { commit, type ExecutionOutcome, execute, rollback } from './execute.ts';
import { type ExecutionRequest, requestFor } from './request.ts';
import type { RoundContext } from './round_context.ts';
import { copyForPause, holdPaused, instanceBefore, type Paused, SlicedRun, stableBefore, truncateLog } from './slicing.ts';
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

/** The install sequence asks for one execution at a time and is given its outcome: run directly or slice by slice. */
type Sequence = Generator<ExecutionRequest, UserError | undefined, ExecutionOutcome>;

/** One step of the sequence on the canister's current instance; a trap becomes a UserError. */
function* runStep(step: Step, context: ApiContext, exportName: string): Sequence {
  const outcome = yield requestFor(step.canister, context, { kind: 'export', name: exportName }, step.env, {
    instructions: step.budget.left,
    responded: true,
    instructionsBeforeContext: step.env.instructionLimits.install - step.budget.left,
  });
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
function* runSequence(step: Step, request: InstallRequest, oldWasm: WasmState | undefined): Sequence {
  if (request.mode === 'upgrade' && !request.skipPreUpgrade && oldWasm && hasExport(oldWasm, 'canister_pre_upgrade')) {
    const failure = yield* runStep(step, { kind: 'preUpgrade', caller: request.caller }, 'canister_pre_upgrade');
    if (failure) return failure;
  }
  // `step.canister` is read afresh after every step: a paused step moves the installation to a copy (slicing.ts).
  // The new code starts without a timer: post_upgrade (or init) sees 0 as the previous value, and it
  // sees the new canister version (pre_upgrade saw the old one) ('Canister version', ic-ref-test canister version).
  step.canister.globalTimer = 0n;
  step.canister.version += 1n;
  const fresh = instantiate(request.module);
  if (request.wasmMemoryPersistence === 'keep' && oldWasm) loadHeap(fresh, new Uint8Array(oldWasm.memory.buffer));
  step.canister.wasm = fresh;
  if (request.module.hasStart) {
    const failure = yield* runStep(step, { kind: 'start' }, '__capsule_start');
    if (failure) return failure;
  }
  const entry = request.mode === 'upgrade' ? 'canister_post_upgrade' : 'canister_init';
  if (hasExport(fresh, entry)) {
    return yield* runStep(step, { kind: 'init', caller: request.caller, arg: request.arg }, entry);
  }
  return undefined;
}

/** Runs the sequence, each step to its end within the call. */
function drive(sequence: Sequence): UserError | undefined {
  let next = sequence.next();
  while (!next.done) next = sequence.next(execute(next.value));
  return next.value;
}

/** Runs the sequence step by step under JS Promise Integration: its result, or the step's run paused at its first slice boundary. */
function driveSliced(sequence: Sequence): UserError | undefined | SlicedRun {
  let next = sequence.next();
  while (!next.done) {
    const run = new SlicedRun(next.value, next.value.env.instructionLimits.installSlice);
    const outcome = run.runFirstSlice();
    if (!outcome) return run;
    next = sequence.next(outcome);
  }
  return next.value;
}

function restore(canister: CanisterState, step: Step, oldWasm: WasmState | undefined, oldStable: StableMemory, preUpgradeJournal: Journal | undefined, old: { timer: bigint; version: bigint }): void {
  for (const journal of [...step.journals].reverse()) journal.rollbackStable(canister.stable);
  canister.stable = oldStable;
  canister.globalTimer = old.timer;
  canister.version = old.version;
  canister.wasm = oldWasm;
  if (oldWasm && preUpgradeJournal) rollback(canister, preUpgradeJournal);
}

/** What an installation changes before its sequence runs, to be undone or completed. */
interface Attempt {
  step: Step;
  wasm64: boolean;
  usageBefore: bigint;
  oldWasm: WasmState | undefined;
  oldStable: StableMemory;
  old: { timer: bigint; version: bigint };
  hadPreUpgrade: boolean;
}

function begin(env: ExecutionEnvironment, canister: CanisterState, request: InstallRequest): Attempt {
  const oldWasm = canister.wasm;
  const attempt: Attempt = {
    step: { canister, firstLogIdx: canister.nextLogIdx, env, budget: { left: env.instructionLimits.install }, journals: [], apis: [] },
    // The replica prices install_code by the canister's current execution mode (an empty canister counts as wasm32).
    wasm64: oldWasm?.module.pointerWidth === 64,
    usageBefore: memoryUsage(canister),
    oldWasm,
    oldStable: canister.stable,
    old: { timer: canister.globalTimer, version: canister.version },
    hadPreUpgrade: request.mode === 'upgrade' && !request.skipPreUpgrade && oldWasm !== undefined && hasExport(oldWasm, 'canister_pre_upgrade'),
  };
  if (request.mode !== 'upgrade') canister.stable = new StableMemory();
  return attempt;
}

function undo(canister: CanisterState, attempt: Attempt): void {
  const { step, oldWasm, oldStable, hadPreUpgrade, old } = attempt;
  restore(canister, step, oldWasm, oldStable, hadPreUpgrade ? step.journals[0] : undefined, old);
}

/** Charges the sequence's instructions, then undoes a failed one or commits a successful one. */
function end(env: ExecutionEnvironment, canister: CanisterState, request: InstallRequest, attempt: Attempt, result: UserError | undefined): UserError | undefined {
  const failure = result ?? takeInstallMemory(env.subnetMemory, canister, attempt.usageBefore);
  chargeExecution(canister, executionCost(env, env.instructionLimits.install - attempt.step.budget.left, attempt.wasm64));
  if (failure) {
    undo(canister, attempt);
    return failure;
  }
  finish(env, canister, request, attempt.step);
  return undefined;
}

/** How a paused installation ends: the management call it answers waits at the head of the canister's queue meanwhile. */
export interface InstallPause {
  /** The call's origin: the queued call is the one with this very origin. */
  origin: CallOrigin;
  ended: (round: RoundContext, failure: UserError | undefined) => void;
}

/**
 * Installs code atomically; on failure the canister is exactly as before (except cycles spent). With `pause`,
 * a sequence past its slice is undone and continues on a copy of the canister, slice by slice between rounds
 * (deterministic time slicing): 'paused', and `pause.ended` answers later.
 */
export function installCode(env: ExecutionEnvironment, canister: CanisterState, request: InstallRequest, pause?: InstallPause): UserError | undefined | 'paused' {
  const invalid = checkMode(canister, request);
  if (invalid) return invalid;
  const wasm64 = canister.wasm?.module.pointerWidth === 64;
  const prepaid = executionCost(env, env.instructionLimits.install, wasm64);
  const liquid = liquidBalance(env, canister);
  if (liquid < prepaid) {
    return new UserError('CanisterOutOfCycles', `Canister ${canister.id.toText()} is out of cycles: please top up the canister with at least ${prepaid - liquid} additional cycles`);
  }
  const attempt = begin(env, canister, request);
  const sequence = runSequence(attempt.step, request, attempt.oldWasm);
  const result = pause ? driveSliced(sequence) : drive(sequence);
  if (!(result instanceof SlicedRun)) return end(env, canister, request, attempt, result);
  holdPaused(canister, new PausedInstall(canister, request, pause!, attempt, sequence, result));
  return 'paused';
}

/**
 * Moves an installation paused in a step to a copy of the canister, which it goes on changing; the canister
 * gets back its state from before the installation, rebuilt from the steps' journals.
 */
function detach(canister: CanisterState, attempt: Attempt, run: SlicedRun): CanisterState {
  const copy = copyForPause(canister);
  const journal = run.moveTo(copy);
  const { step, oldWasm, oldStable, hadPreUpgrade, old } = attempt;
  step.canister = copy;
  // An upgrade changed the old stable memory in place; a (re)install wrote a new one.
  canister.stable = copy.stable === oldStable ? stableBefore(copy.stable, [...step.journals, journal]) : oldStable;
  // The old instance stays the copy's (pre_upgrade may still run on it, or a failure roll it back): the
  // canister gets a new one as before pre_upgrade, or the old one if nothing ran on it.
  canister.wasm = oldWasm && hadPreUpgrade ? instanceBefore(oldWasm, step.journals[0] ?? journal) : oldWasm;
  canister.globalTimer = old.timer;
  canister.version = old.version;
  truncateLog(canister, step.firstLogIdx);
  return copy;
}

/** An installation paused at a slice boundary: its sequence runs on a copy of the canister, step by step. */
class PausedInstall implements Paused {
  readonly queued = true;
  readonly install = true;
  readonly #origin: CallOrigin;
  readonly #request: InstallRequest;
  readonly #ended: InstallPause['ended'];
  readonly #copy: CanisterState;
  readonly #cyclesBefore: { cycles: bigint; instructions: bigint };
  readonly #attempt: Attempt;
  readonly #sequence: Sequence;
  #run: SlicedRun | undefined;
  #result: { failure: UserError | undefined } | undefined;

  constructor(canister: CanisterState, request: InstallRequest, pause: InstallPause, attempt: Attempt, sequence: Sequence, run: SlicedRun) {
    this.#origin = pause.origin;
    this.#request = request;
    this.#ended = pause.ended;
    this.#attempt = attempt;
    this.#sequence = sequence;
    this.#run = run;
    this.#copy = detach(canister, attempt, run);
    this.#cyclesBefore = { cycles: this.#copy.cycles, instructions: this.#copy.consumed.instructions };
  }

  get ended(): boolean {
    return this.#result !== undefined;
  }

  holds(message: CanisterMessage): boolean {
    return message.kind === 'request' && message.origin === this.#origin;
  }

  /** Runs the next slice of the current step; a step that ended gives way to the next one, which starts with the next slice. */
  async runSlice(): Promise<void> {
    if (!this.#run) return;
    await this.#run.runSlice();
    const outcome = this.#run.outcome;
    if (outcome) this.#advance(this.#sequence.next(outcome));
  }

  complete(round: RoundContext, canister: CanisterState): void {
    const copy = this.#copy;
    const failure = end(round.env, copy, this.#request, this.#attempt, this.#result!.failure);
    canister.cycles += copy.cycles - this.#cyclesBefore.cycles;
    canister.consumed.instructions += copy.consumed.instructions - this.#cyclesBefore.instructions;
    canister.logs = copy.logs;
    canister.nextLogIdx = copy.nextLogIdx;
    if (!failure) {
      const { wasm, stable, version, globalTimer, certifiedData, onLowWasmMemory, lastInstallAt } = copy;
      Object.assign(canister, { wasm, stable, version, globalTimer, certifiedData, onLowWasmMemory, lastInstallAt });
    }
    this.#ended(round, failure);
  }

  #advance(next: IteratorResult<ExecutionRequest, UserError | undefined>): void {
    if (next.done) {
      this.#run = undefined;
      this.#result = { failure: next.value };
      return;
    }
    this.#run = new SlicedRun(next.value, next.value.env.instructionLimits.installSlice);
  }
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
