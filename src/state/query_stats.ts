// Query statistics: counted by non-replicated queries, so they live beside the replicated state, never
// in it (the IC keeps them in a query stats collector too). The replica owns one collector, gives it to
// executions through their environment, and `canister_status` reports it.
import { type Principal, principalKey } from './principal.ts';

export interface QueryStats {
  calls: bigint;
  instructions: bigint;
  requestBytes: bigint;
  responseBytes: bigint;
}

/** The statistics of a canister that ran no query. */
export const NO_QUERY_STATS: Readonly<QueryStats> = Object.freeze({ calls: 0n, instructions: 0n, requestBytes: 0n, responseBytes: 0n });

export class QueryStatsCollector {
  readonly #byCanister = new Map<string, QueryStats>();

  /** Counts one query executed by `canister`: its instructions, argument and response sizes. */
  record(canister: Principal, instructions: bigint, requestBytes: number, responseBytes: number): void {
    const key = principalKey(canister);
    const stats = this.#byCanister.get(key) ?? { ...NO_QUERY_STATS };
    stats.calls += 1n;
    stats.instructions += instructions;
    stats.requestBytes += BigInt(requestBytes);
    stats.responseBytes += BigInt(responseBytes);
    this.#byCanister.set(key, stats);
  }

  /** The totals of a canister (zeros when it never ran a query). */
  of(canister: Principal): Readonly<QueryStats> {
    return { ...(this.#byCanister.get(principalKey(canister)) ?? NO_QUERY_STATS) };
  }
}
