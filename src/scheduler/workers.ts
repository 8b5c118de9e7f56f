// How an inner round's canisters are shared among workers: each canister is pinned to one worker by its id,
// runs on its own round context, and the contexts' outputs are merged in canonical order afterwards, so the
// order in which the workers ran never shows in the state.
import type { RoundContext } from '../execution/index.ts';
import { type CanisterState, principalKey } from '../state/index.ts';
import { InnerRoundMemory } from './inner_round_memory.ts';

/** The worker a canister is pinned to: a function of its id only, so it keeps its worker as canisters come and go. */
export function workerOf(canister: CanisterState, workers: number): number {
  // FNV-1a over the id's key: cheap, and spreads consecutive ids over the workers.
  let hash = 0x811c9dc5;
  for (const char of principalKey(canister.id)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % workers;
}

/**
 * Runs `canisters` (in canonical order) worker by worker, each on a context of its own with its own view of the
 * subnet's memory, then appends their messages and ingress results to `round` in canonical order and takes
 * their memory over: what a run in canonical order produces, since canisters are independent within an inner round.
 */
export function runOnWorkers(round: RoundContext, canisters: readonly CanisterState[], workers: number, run: (context: RoundContext, index: number) => void): void {
  if (canisters.length === 0) return;
  const memory = new InnerRoundMemory(round.env);
  const contexts: RoundContext[] = canisters.map(() => ({ env: memory.environment(), outbox: [], ingressResults: [] }));
  const assigned: number[][] = Array.from({ length: workers }, () => []);
  for (const [index, canister] of canisters.entries()) assigned[workerOf(canister, workers)]!.push(index);
  for (const indices of assigned) for (const index of indices) run(contexts[index]!, index);
  memory.merge();
  for (const context of contexts) {
    for (const message of context.outbox) round.outbox.push(message);
    for (const result of context.ingressResults) round.ingressResults.push(result);
  }
}
