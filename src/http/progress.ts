// Auto-progress: the HTTP front end drives the replica's rounds itself. A round runs as soon as
// ingress is queued (batched with whatever else arrived in the same event-loop turn), again while
// canisters have messages in their queues, and every `idleMs` otherwise so that time follows the
// wall clock and timers and heartbeats fire. The round's time comes from the clock of this top
// layer (time is an input of a round, never read inside one: docs/architecture.md).
import type { Replica } from '../api/replica.ts';

export interface RoundDriverOptions {
  readonly replica: Replica;
  /** Wall clock, ns since the epoch. */
  readonly clock: () => bigint;
  /** Rounds run at least this often (ms) when nothing else triggers them; Infinity: never. */
  readonly idleMs: number;
  /** Told about rounds that throw (the server keeps running). */
  readonly onError: (error: unknown) => void;
}

const TERMINAL = new Set(['replied', 'rejected', 'done']);
/** The longest delay setInterval accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RoundDriver {
  readonly #options: RoundDriverOptions;
  readonly #waiters = new Map<string, Set<() => void>>();
  #scheduled = false;
  #lastRound = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  rounds = 0;

  constructor(options: RoundDriverOptions) {
    this.#options = options;
    // No idle rounds for an infinite idleMs; timers longer than 2^31-1 ms would fire every 1 ms.
    if (!Number.isFinite(options.idleMs)) return;
    this.#idleTimer = setInterval(() => {
      if (performance.now() - this.#lastRound >= options.idleMs) this.kick();
    }, Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(options.idleMs / 4))));
    this.#idleTimer.unref();
  }

  /** Run a round soon (once per event-loop turn, however many requests ask). */
  kick(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  /** Resolves true once the request reaches a terminal status, false after `timeoutMs`. */
  waitFor(messageId: string, timeoutMs: number): Promise<boolean> {
    if (this.#isTerminal(messageId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(messageId);
      if (!waiters) this.#waiters.set(messageId, (waiters = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(messageId);
        resolve(false);
      }, timeoutMs);
      waiters.add(done);
    });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #run(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    const { replica, clock, onError } = this.#options;
    try {
      replica.round(clock());
      this.rounds++;
    } catch (e) {
      onError(e);
    }
    this.#lastRound = performance.now();
    this.#notify();
    if (replica.hasWork()) this.kick();
  }

  #isTerminal(messageId: string): boolean {
    const status = this.#options.replica.ingressStatus(messageId)?.status;
    return status !== undefined && TERMINAL.has(status);
  }

  #notify(): void {
    for (const [messageId, waiters] of this.#waiters) {
      if (!this.#isTerminal(messageId)) continue;
      this.#waiters.delete(messageId);
      for (const done of waiters) done();
    }
  }
}
