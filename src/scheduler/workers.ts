// How an inner round's canisters are shared among workers: each canister is pinned to one worker by its id,
// runs on its own round context, and the contexts' outputs are merged in canonical order afterwards, so the
// order in which the workers ran never shows in the state.
import type { RoundContext } from '../execution/index.ts';
import { type CanisterMessage, type CanisterState, principalKey } from '../state/index.ts';
import { InnerRoundMemory } from './inner_round_memory.ts';

/** The worker a canister is pinned to: a function of its id only, so it keeps its worker as canisters come and go. */
export function workerOf(canister: CanisterState, workers: number): number {
  // FNV-1a over the id's key: cheap, and spreads consecutive ids over the workers.
  let hash = 0x811c9dc5;
  for (const char of principalKey(canister.id)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % workers;
}

/** One canister's messages of an inner round, for a thread of the worker it is pinned to. */
export interface ThreadJob {
  readonly canister: CanisterState;
  readonly messages: readonly CanisterMessage[];
  /** Whether its timer, heartbeat and low-memory hook run first (the first inner round of a round). */
  readonly tasks: boolean;
  /** The canister's own context: the job's outputs go there, and its memory and instructions into its environment. */
  readonly context: RoundContext;
  readonly worker: number;
}

/**
 * Runs jobs on worker threads. `start` hands over those worth a thread and returns at once, saying which; `finish`
 * waits for them and applies each that ran to its canister and context, returning which did (the others run on
 * the replica's thread). `observe` learns what a canister's run on the replica's thread took.
 */
export interface ThreadPool {
  start(jobs: readonly ThreadJob[]): boolean[];
  finish(): boolean[];
  observe(canister: CanisterState, milliseconds: number): void;
}

export interface Workers {
  readonly count: number;
  /** Threads for the canisters `threadable` lets go (undefined: every worker runs on the replica's thread). */
  readonly threads?: ThreadPool;
  /** Canister `index`'s messages if its work may leave the replica's thread (undefined: it runs here). */
  readonly threadable?: (index: number) => readonly CanisterMessage[] | undefined;
  /** Whether canisters run their tasks before their messages (the first inner round). */
  readonly tasks?: boolean;
}

/**
 * Runs `canisters` (in canonical order) worker by worker, each on a context of its own with its own view of the
 * subnet's memory, then appends their messages and ingress results to `round` in canonical order and takes
 * their memory over: what a run in canonical order produces, since canisters are independent within an inner round.
 * With threads, the eligible canisters run there while the others run here.
 */
export function runOnWorkers(round: RoundContext, canisters: readonly CanisterState[], workers: Workers, run: (context: RoundContext, index: number) => void): void {
  if (canisters.length === 0) return;
  const memory = new InnerRoundMemory(round.env);
  const contexts: RoundContext[] = canisters.map(() => ({ env: memory.environment(), outbox: [], ingressResults: [] }));
  const assigned: number[][] = Array.from({ length: workers.count }, () => []);
  for (const [index, canister] of canisters.entries()) assigned[workerOf(canister, workers.count)]!.push(index);
  const threads = workers.threads;
  const candidates = threads ? threadedJobs(canisters, contexts, workers) : [];
  const posted = candidates.length > 0 ? threads!.start(candidates.map(({ job }) => job)) : [];
  const onThread = new Set(candidates.filter((_, i) => posted[i]).map(({ index }) => index));
  const runHere = (index: number): void => {
    // Wall-clock time decides only where a canister runs next, never what it computes.
    const started = performance.now();
    run(contexts[index]!, index);
    threads?.observe(canisters[index]!, performance.now() - started);
  };
  for (const indices of assigned) for (const index of indices) if (!onThread.has(index)) runHere(index);
  const ran = onThread.size > 0 ? threads!.finish() : [];
  // A job a thread could not run (it paused at a slice boundary, or the thread failed) runs here.
  for (const [i, { index }] of candidates.entries()) if (posted[i] && !ran[i]) runHere(index);
  memory.merge();
  for (const context of contexts) {
    for (const message of context.outbox) round.outbox.push(message);
    for (const result of context.ingressResults) round.ingressResults.push(result);
  }
}

function threadedJobs(canisters: readonly CanisterState[], contexts: RoundContext[], workers: Workers): { job: ThreadJob; index: number }[] {
  const { threads, threadable } = workers;
  if (!threads || !threadable || workers.count < 2) return [];
  const jobs: { job: ThreadJob; index: number }[] = [];
  for (const [index, canister] of canisters.entries()) {
    const messages = threadable(index);
    if (messages) jobs.push({ index, job: { canister, messages, tasks: workers.tasks ?? false, context: contexts[index]!, worker: workerOf(canister, workers.count) } });
  }
  return jobs;
}
