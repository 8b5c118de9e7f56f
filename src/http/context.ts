// What every endpoint handler shares: the replica (with its certifier and node key), the clock and the
// round driver, and the limits of the interface.
import { type CertifiedState, startBackgroundSigner, startCryptoThreads, type TreePath } from '../certification/index.ts';
import { DEFAULT_HTTP_FETCH, type HttpFetchOptions, type Replica, RoundDriver, wallClockNanos } from '../replica/index.ts';
import type { Principal } from '../state/index.ts';

export interface HttpLimits {
  /** Largest request body accepted (the replica's HTTP handler allows 5 MB). */
  readonly maxRequestBytes: number;
  /** Largest ingress message (method name + arg) of an application subnet: 2 MiB (the IC's resource limits). */
  readonly maxIngressBytes: number;
  /** How long a v3/v4 call waits for its result before answering 202 (ms). */
  readonly syncCallTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (ms). */
  readonly idleTimeoutMs: number;
  /** A request's headers must arrive within this long (ms) … */
  readonly headersTimeoutMs: number;
  /** … and its whole body within this long (ms). */
  readonly requestTimeoutMs: number;
  /** Open connections beyond this many are refused. */
  readonly maxConnections: number;
}

export interface HttpContextOptions {
  readonly replica: Replica;
  /** Wall clock in ns since the epoch (default: Date.now()). */
  readonly clock?: () => bigint;
  /** Rounds run at least this often (ms, default 200); Infinity: only when requests or messages need them. */
  readonly idleRoundMs?: number;
  readonly limits?: Partial<HttpLimits>;
  readonly log?: (line: string) => void;
  /** Routine events a client causes (aborted requests); silent by default. */
  readonly debug?: (line: string) => void;
  /** Canister HTTP outcalls: fetched over the network (the default), or 'manual' to leave them pending for a mock. */
  readonly httpOutcalls?: HttpFetchOptions | 'manual';
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxRequestBytes: 5 * 1024 * 1024,
  maxIngressBytes: 2 * 1024 * 1024,
  syncCallTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1_024,
};

export class HttpContext {
  readonly replica: Replica;
  readonly rounds: RoundDriver;
  readonly limits: HttpLimits;
  readonly log: (line: string) => void;
  readonly debug: (line: string) => void;
  readonly #clock: () => bigint;

  constructor(options: HttpContextOptions) {
    const replica = options.replica;
    this.replica = replica;
    this.#clock = options.clock ?? wallClockNanos;
    this.log = options.log ?? (() => {});
    this.debug = options.debug ?? (() => {});
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    startBackgroundSigner();
    startCryptoThreads();
    this.rounds = new RoundDriver({
      replica,
      clock: this.#clock,
      idleMs: options.idleRoundMs ?? 200,
      onError: (e) => this.log(`round failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      fetchHttpOutcalls: options.httpOutcalls === 'manual' ? undefined : (options.httpOutcalls ?? DEFAULT_HTTP_FETCH),
    });
  }

  /** The time requests are judged by (expiry, query timestamps): the wall clock, never behind the state. */
  now(): bigint {
    const wall = this.#clock();
    return wall > this.replica.state.time ? wall : this.replica.state.time;
  }

  get subnetId(): Principal {
    return this.replica.state.config.subnetId;
  }

  /** The latest round's certification (signed once per round). */
  certified(): CertifiedState {
    return this.replica.certified();
  }

  /** An encoded certificate of the latest round revealing `paths` and `/time`. */
  certificate(paths: readonly TreePath[]): Uint8Array {
    return this.replica.certificate(paths);
  }

  /** The same, signed off the event loop's thread: requests and rounds go on meanwhile. */
  certificateInBackground(paths: readonly TreePath[]): Promise<Uint8Array> {
    return this.replica.certificateInBackground(paths);
  }

  close(): void {
    this.rounds.close();
  }
}
