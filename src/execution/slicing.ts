// Deterministic time slicing, as the replica does it: a message that runs past its slice pauses at the slice
// boundary and continues, one slice at a time, between later rounds, so one long message never holds the
// replica. Every update, callback, task and install step runs under WebAssembly.promising on its canister's
// own instance, so a message runs once: when it pauses, the instance it runs on (with its stable memory and
// log) moves to a copy of the canister, and the canister gets back its state from before the message, rebuilt
// from the undo journals, which queries, the state hash and persistence see until the message ends and a
// round takes the copy's changes over. The message stays at the head of the canister's input queue
// meanwhile, so an aborted run (a restart, uninstall_code, an install) leaves it to run again from its start,
// as the replica does with an aborted execution.
import { type CanisterMessage, type CanisterState, principalKey, type StableMemory, touch, type WasmState } from '../state/index.ts';
import { checkResult, commit, entryCall, type ExecutionOutcome, finish, type Started, start } from './execute.ts';
import { setPause } from './imports.ts';
import { hostOf, rebuild } from './instance.ts';
import { type Settlement, settlementNow } from './jspi.ts';
import type { Journal } from './journal.ts';
import type { ExecutionRequest } from './request.ts';
import { callPromising } from './returned.ts';
import type { RoundContext } from './round_context.ts';

/** What the message's kind does with its outcome once it ended (cycles, response, call context). */
export type Completion = (round: RoundContext, canister: CanisterState, outcome: ExecutionOutcome) => void;

/** A copy of `canister` for a paused execution to go on with: its own maps and log; wasm and stable memory its current ones. */
export function copyForPause(canister: CanisterState): CanisterState {
  const copied = { callContexts: new Map(canister.callContexts), callbacks: new Map(canister.callbacks), consumed: { ...canister.consumed } };
  return { ...canister, ...copied, logs: [...canister.logs] };
}

/**
 * Stable memory as it was before the executions `journals` recorded, in their order (the pages are copies:
 * the journals' stay their own).
 */
export function stableBefore(stable: StableMemory, journals: readonly Journal[]): StableMemory {
  const before = stable.clone();
  for (const journal of [...journals].reverse()) {
    for (const [index, content] of journal.stablePages) {
      if (content) before.pages.set(index, content.slice());
      else before.pages.delete(index);
    }
    before.sizePages = journal.stablePagesBefore;
  }
  return before;
}

/** The canister's instance as before the execution `journal` recorded on `running`, as a new instance. */
export function instanceBefore(running: WasmState, journal: Journal): WasmState {
  const wasm = rebuild(running, journal.heapBytesBefore, journal.globalsBefore);
  journal.rollbackHeap(new Uint8Array(wasm.memory.buffer));
  return wasm;
}

/** Drops the log records from `nextLogIdx` on (records a full log pushed out to make room stay out, as on a rollback). */
export function truncateLog(canister: CanisterState, nextLogIdx: bigint): void {
  canister.logs = canister.logs.filter((record) => record.idx < nextLogIdx);
  canister.nextLogIdx = nextLogIdx;
}

/** One execution on its canister's instance, run slice by slice through WebAssembly.promising. */
export class SlicedRun {
  readonly #started: Started;
  readonly #slice: bigint;
  readonly #nextLogIdx: bigint;
  /** Set while the run waits at a slice boundary: grants the next slice. */
  #resume: (() => void) | undefined;
  /** Set while a slice runs: called when it pauses or the execution ends. */
  #sliceEnded: (() => void) | undefined;
  #begun = false;
  #outcome: ExecutionOutcome | undefined;

  /** Runs on `request.canister`'s instance; a run that pauses keeps its journal open (the round that takes the changes over commits it). */
  constructor(request: ExecutionRequest, slice: bigint) {
    this.#slice = slice;
    this.#nextLogIdx = request.canister.nextLogIdx;
    this.#started = start(request, slice);
    setPause(hostOf(this.#started.api.wasm), () => this.#pause());
  }

  get outcome(): ExecutionOutcome | undefined {
    return this.#outcome;
  }

  /** Runs the first slice within this call: the outcome when the execution ended in it, undefined when it paused. */
  runFirstSlice(): ExecutionOutcome | undefined {
    this.#begin();
    return this.#outcome;
  }

  /**
   * Moves the paused run to a copy of `canister`, which it goes on changing (its first slice is not run again);
   * the canister gets a new instance, stable memory and log as they were before the execution.
   */
  detach(canister: CanisterState): CanisterState {
    const copy = copyForPause(canister);
    const journal = this.moveTo(copy);
    canister.wasm = instanceBefore(copy.wasm!, journal);
    canister.stable = stableBefore(copy.stable, [journal]);
    truncateLog(canister, this.#nextLogIdx);
    return copy;
  }

  /** From now on the run changes `copy` (its System API and its request); returns the run's journal. */
  moveTo(copy: CanisterState): Journal {
    const started = this.#started;
    started.api.canister = copy;
    started.request = { ...started.request, canister: copy, keepJournal: true };
    return started.journal;
  }

  /** Runs the next slice; settles once the execution paused again or ended. */
  runSlice(): Promise<void> {
    if (this.#outcome) return Promise.resolve();
    const sliceEnded = new Promise<void>((resolve) => {
      this.#sliceEnded = resolve;
    });
    const resume = this.#resume;
    this.#resume = undefined;
    if (resume) resume();
    else if (!this.#begun) this.#begin();
    return sliceEnded;
  }

  #begin(): void {
    this.#begun = true;
    const { entry, canister } = this.#started.request;
    let call: ReturnType<typeof callPromising>;
    try {
      const { fn, args } = entryCall(canister.wasm!, entry);
      call = callPromising(fn, args);
    } catch (error) {
      return this.#end(true, error);
    }
    if (call.returned) return this.#settle({ settled: true, failed: false, value: undefined });
    if (!this.#resume) {
      // Not returned and not paused: it trapped (or cannot tell), and its promise already holds the outcome.
      const now = settlementNow(call.promise);
      if (now.settled) return this.#settle(now);
    }
    call.promise.then(
      (value) => this.#settle({ settled: true, failed: false, value }),
      (error: unknown) => this.#settle({ settled: true, failed: true, error }),
    );
  }

  #settle(settlement: Settlement & { settled: true }): void {
    if (settlement.failed) return this.#end(true, settlement.error);
    try {
      checkResult(this.#started.request.entry, settlement.value);
    } catch (error) {
      return this.#end(true, error);
    }
    this.#end(false, undefined);
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      this.#resume = () => {
        this.#grantSlice();
        resolve();
      };
      this.#sliceEnded?.();
    });
  }

  /** The next slice's instructions move from the reserve to the counter (whatever the last slice overran stays charged). */
  #grantSlice(): void {
    const { api } = this.#started;
    const remaining = (api.wasm.counter.value as bigint) + api.reserve;
    const next = this.#slice < remaining ? this.#slice : remaining;
    api.wasm.counter.value = next;
    api.reserve = remaining - next;
  }

  #end(failed: boolean, failure: unknown): void {
    setPause(hostOf(this.#started.api.wasm), undefined);
    this.#outcome = finish(this.#started, failed, failure);
    this.#sliceEnded?.();
  }
}

/**
 * Runs `request` on its canister's own instance: the outcome when it ended within its first slice, otherwise
 * the run, paused at the slice boundary, for `pauseExecution` (the canister still shows the first slice's changes).
 */
export function executeSliced(request: ExecutionRequest): ExecutionOutcome | SlicedRun {
  const slice = request.env.instructionLimits.slice;
  const run = new SlicedRun(request, slice);
  const outcome = run.runFirstSlice();
  if (outcome) return outcome;
  // The round's budget counts the first slice now (the execution's total is counted when it ends).
  if (request.env.meter) request.env.meter.instructions += slice;
  return run;
}

/** What a canister holds while an execution of it is paused. */
export interface Paused {
  /** Whether the paused message waits at the head of the canister's queue (a task has none). */
  readonly queued: boolean;
  /** Whether `message` is the paused one. */
  holds(message: CanisterMessage): boolean;
  /** A paused install_code holds the management canister's other calls to the canister too. */
  readonly install: boolean;
  readonly ended: boolean;
  runSlice(): Promise<void>;
  /** Within a round: takes the ended execution's changes over into the canister and answers for it. */
  complete(round: RoundContext, canister: CanisterState): void;
}

/** A message or task paused at a slice boundary. */
class PausedMessage implements Paused {
  readonly #message: CanisterMessage | undefined;
  readonly install = false;
  readonly #copy: CanisterState;
  readonly #run: SlicedRun;
  readonly #complete: Completion;

  constructor(canister: CanisterState, message: CanisterMessage | undefined, run: SlicedRun, complete: Completion) {
    this.#copy = run.detach(canister);
    this.#message = message;
    this.#complete = complete;
    this.#run = run;
  }

  get queued(): boolean {
    return this.#message !== undefined;
  }

  holds(message: CanisterMessage): boolean {
    return message === this.#message;
  }

  get ended(): boolean {
    return this.#run.outcome !== undefined;
  }

  runSlice(): Promise<void> {
    return this.#run.runSlice();
  }

  complete(round: RoundContext, canister: CanisterState): void {
    const outcome = this.#run.outcome!;
    if (outcome.ok) {
      // The copy's instance carries the heap and globals the execution left.
      canister.wasm = this.#copy.wasm;
      canister.stable = this.#copy.stable;
      commit(canister, outcome.journal, round.env.subnetMemory);
    }
    canister.logs = this.#copy.logs;
    canister.nextLogIdx = this.#copy.nextLogIdx;
    this.#complete(round, canister, outcome);
  }
}

const pausedExecutions = new WeakMap<CanisterState, Paused>();

/**
 * The canisters with a paused execution, so that asking which there are costs nothing per canister. Weakly
 * held: a state dropped with an execution still paused (a restart, a discarded test replica) is collected.
 */
class PausedCanisters {
  readonly #references = new Set<WeakRef<CanisterState>>();
  readonly #referenceOf = new WeakMap<CanisterState, WeakRef<CanisterState>>();

  add(canister: CanisterState): void {
    if (this.#referenceOf.has(canister)) return;
    const reference = new WeakRef(canister);
    this.#referenceOf.set(canister, reference);
    this.#references.add(reference);
  }

  delete(canister: CanisterState): void {
    const reference = this.#referenceOf.get(canister);
    if (!reference) return;
    this.#referenceOf.delete(canister);
    this.#references.delete(reference);
  }

  /** Those of `canisters` (a subnet's canisters by key), in canonical (id) order. */
  of(canisters: ReadonlyMap<string, CanisterState>): CanisterState[] {
    const found: [string, CanisterState][] = [];
    for (const reference of this.#references) {
      const canister = reference.deref();
      if (!canister) {
        this.#references.delete(reference);
        continue;
      }
      const key = principalKey(canister.id);
      if (canisters.get(key) === canister) found.push([key, canister]);
    }
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, canister]) => canister);
  }
}

const pausedCanisters = new PausedCanisters();
/** Canisters whose install_code is paused (a subset of the paused ones). */
const pausedInstalls = new PausedCanisters();

/**
 * Holds `run`, paused at its first slice boundary, as the canister's paused execution of `message` (none: a
 * task). Called before the caller undoes what it changed for the execution.
 */
export function pauseExecution(canister: CanisterState, message: CanisterMessage | undefined, run: SlicedRun, complete: Completion): void {
  holdPaused(canister, new PausedMessage(canister, message, run, complete));
}

/** Holds `canister` with a paused execution of another kind (install_code). */
export function holdPaused(canister: CanisterState, paused: Paused): void {
  pausedExecutions.set(canister, paused);
  pausedCanisters.add(canister);
  if (paused.install) pausedInstalls.add(canister);
  else pausedInstalls.delete(canister);
}

export function hasPausedExecution(canister: CanisterState): boolean {
  return pausedExecutions.has(canister);
}

export function hasPausedInstall(canister: CanisterState): boolean {
  return pausedExecutions.get(canister)?.install ?? false;
}

/** Whether any canister of `canisters` has a paused install_code. */
export function anyPausedInstall(canisters: ReadonlyMap<string, CanisterState>): boolean {
  return pausedInstalls.of(canisters).length > 0;
}

/** The canisters of `canisters` (a subnet's, by key) with a paused execution, in id order. */
export function pausedCanistersOf(canisters: ReadonlyMap<string, CanisterState>): CanisterState[] {
  return pausedCanisters.of(canisters);
}

/**
 * Drops the canister's paused execution: its message, still at the head of the input queue, runs again from
 * its start; a timer is still set and fires again, a heartbeat comes again.
 */
export function abortPausedExecution(canister: CanisterState): void {
  pausedExecutions.delete(canister);
  pausedCanisters.delete(canister);
  pausedInstalls.delete(canister);
}

/** Runs the next slice of each canister's paused execution, one canister after the other. */
export async function runSlices(canisters: readonly CanisterState[]): Promise<void> {
  for (const canister of canisters) await pausedExecutions.get(canister)?.runSlice();
}

/**
 * Within a round: completes the canister's paused execution if it ended (its message leaves the queue).
 * Returns whether an execution is still paused, so that the canister runs nothing else this round.
 */
export function completePausedExecution(round: RoundContext, canister: CanisterState): boolean {
  const paused = pausedExecutions.get(canister);
  if (!paused) return false;
  if (!paused.ended) return true;
  abortPausedExecution(canister);
  if (paused.queued) {
    const head = canister.inputQueue.shift();
    if (!head || !paused.holds(head)) throw new Error(`the paused message of canister ${canister.id.toText()} left its queue`);
  }
  touch(canister);
  paused.complete(round, canister);
  return false;
}
