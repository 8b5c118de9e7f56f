// Deterministic time slicing, as the replica does it: a message that runs past its slice pauses at the slice
// boundary and continues, one slice at a time, between later rounds, so one long message never holds the
// replica. A paused message runs on a copy of its canister (own instance, stable memory and log): the canister
// itself keeps its state from before the message, which queries, the state hash and persistence see, until
// the message ends and a round takes the copy's changes over. The message stays at the head of the
// canister's input queue meanwhile, so an aborted run (a restart, uninstall_code, an install) leaves it to
// run again from its start, as the replica does with an aborted execution.
import { type CanisterMessage, type CanisterState, principalKey, touch } from '../state/index.ts';
import { checkResult, commit, entryCall, type ExecutionOutcome, finish, type Started, start } from './execute.ts';
import { hostOf, rebuild, snapshotGlobals } from './instance.ts';
import { promising } from './jspi.ts';
import type { ExecutionRequest } from './request.ts';
import type { RoundContext } from './round_context.ts';

/** What the message's kind does with its outcome once it ended (cycles, response, call context). */
export type Completion = (round: RoundContext, canister: CanisterState, outcome: ExecutionOutcome) => void;

/** A copy of the canister to run a paused execution on, as the direct run saw it, with an instance that can pause. */
export function pausableCopy(canister: CanisterState): CanisterState {
  const source = canister.wasm;
  const wasm = source && rebuild(source, source.heapSize, snapshotGlobals(source), true);
  const copied = { callContexts: new Map(canister.callContexts), callbacks: new Map(canister.callbacks), consumed: { ...canister.consumed } };
  return { ...canister, ...copied, wasm, stable: canister.stable.clone(), logs: [...canister.logs] };
}

/** One execution on a pausable instance, run slice by slice through WebAssembly.promising. */
export class SlicedRun {
  readonly #started: Started;
  readonly #slice: bigint;
  /** Set while the run waits at a slice boundary: grants the next slice. */
  #resume: (() => void) | undefined;
  /** Set while a slice runs: called when it pauses or the execution ends. */
  #sliceEnded: (() => void) | undefined;
  #begun = false;
  #outcome: ExecutionOutcome | undefined;

  /** `request.canister` runs a pausable instance; its journal stays open (the round that takes the changes over commits it). */
  constructor(request: ExecutionRequest, slice: bigint) {
    this.#slice = slice;
    this.#started = start({ ...request, keepJournal: true }, slice);
    hostOf(this.#started.api.wasm).pause = () => this.#pause();
  }

  get outcome(): ExecutionOutcome | undefined {
    return this.#outcome;
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
    let call: ReturnType<typeof entryCall>;
    try {
      call = entryCall(canister.wasm!, entry);
    } catch (error) {
      return this.#end(true, error);
    }
    promising(call.fn)(...call.args).then(
      (result) => {
        try {
          checkResult(entry, result);
        } catch (error) {
          return this.#end(true, error);
        }
        this.#end(false, undefined);
      },
      (error: unknown) => this.#end(true, error),
    );
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
    hostOf(this.#started.api.wasm).pause = undefined;
    this.#outcome = finish(this.#started, failed, failure);
    this.#sliceEnded?.();
  }
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

  constructor(canister: CanisterState, message: CanisterMessage | undefined, request: ExecutionRequest, complete: Completion) {
    this.#copy = pausableCopy(canister);
    this.#message = message;
    this.#complete = complete;
    this.#run = new SlicedRun({ ...request, canister: this.#copy }, request.env.instructionLimits.slice);
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
      // The copy's instance carries the heap and globals (its import pauses only under WebAssembly.promising).
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
 * Continues `request`, whose direct run reached its first slice boundary and was rolled back, as a paused
 * execution of `message` (none: a task). Called before the caller undoes what it changed for the execution.
 */
export function pauseExecution(canister: CanisterState, message: CanisterMessage | undefined, request: ExecutionRequest, complete: Completion): void {
  holdPaused(canister, new PausedMessage(canister, message, request, complete));
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
