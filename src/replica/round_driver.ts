// Auto-progress: a server front end lets the replica drive its own rounds. A round runs as soon as
// ingress is queued (batched with whatever else arrived in the same event-loop turn), again while
// canisters have messages in their queues, and every `idleMs` otherwise so that time follows the
// wall clock and timers and heartbeats fire. The round's time comes from the front end's clock: time
// is an input of a round, never read inside one.
import { type HttpFetchOptions, HttpOutcallFetcher } from './http_fetch.ts';
import { eventLoopTurns, type Replica } from './replica.ts';

export interface RoundDriverOptions {
  readonly replica: Replica;
  /** Wall clock, ns since the epoch. */
  readonly clock: () => bigint;
  /** Rounds run at least this often (ms) when nothing else triggers them; Infinity: never. */
  readonly idleMs: number;
  /** Told about rounds that throw (the server keeps running). */
  readonly onError: (error: unknown) => void;
  /** Make canister HTTP outcalls over the network between rounds; absent: they wait for a mock. */
  readonly fetchHttpOutcalls?: HttpFetchOptions;
}

/** How a wait ends: the request is terminal, the timeout passed, or a round could not be made durable. */
export type WaitOutcome = 'done' | 'timeout' | 'failed';

const TERMINAL = new Set(['replied', 'rejected', 'done']);
/** The longest delay setInterval accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RoundDriver {
  readonly #options: RoundDriverOptions;
  readonly #waiters = new Map<string, Set<(outcome: WaitOutcome) => void>>();
  #scheduled = false;
  #lastRound = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Paused executions run their next slices: no round starts meanwhile. */
  #slicing = false;
  readonly #fetcher: HttpOutcallFetcher | undefined;
  rounds = 0;

  constructor(options: RoundDriverOptions) {
    this.#options = options;
    const fetching = options.fetchHttpOutcalls;
    this.#fetcher = fetching ? new HttpOutcallFetcher(options.replica, fetching, () => this.kick()) : undefined;
    // Outcalls restored with the state are fetched as soon as the driver runs.
    if (this.#fetcher && options.replica.pendingHttpOutcalls().length > 0) this.kick();
    // No idle rounds for an infinite idleMs; timers longer than 2^31-1 ms would fire every 1 ms.
    if (!Number.isFinite(options.idleMs)) return;
    this.#idleTimer = setInterval(() => {
      if (performance.now() - this.#lastRound >= options.idleMs) this.kick();
    }, Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(options.idleMs / 4))));
    this.#idleTimer.unref();
  }

  /** Run a round soon (once per event-loop turn, however many requests ask). */
  kick(): void {
    if (this.#scheduled || this.#closed || this.#slicing) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  /** Resolves once the request reaches a terminal status, `timeoutMs` passes, or a round fails to be durable. */
  waitFor(messageId: string, timeoutMs: number): Promise<WaitOutcome> {
    if (this.#isTerminal(messageId)) return Promise.resolve('done');
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(messageId);
      if (!waiters) this.#waiters.set(messageId, (waiters = new Set()));
      const done = (outcome: WaitOutcome): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(messageId);
        resolve('timeout');
      }, timeoutMs);
      waiters.add(done);
    });
  }

  close(): void {
    this.#closed = true;
    this.#fetcher?.close();
    clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #run(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    const { replica, clock, onError } = this.#options;
    // No rounds while the store cannot make them durable; it is retried once per idle interval.
    if (replica.durabilityFailure(true)) {
      this.#lastRound = performance.now();
      return this.#failWaiters();
    }
    try {
      replica.drive(clock());
      this.rounds++;
    } catch (e) {
      onError(e);
    }
    this.#lastRound = performance.now();
    if (replica.durabilityFailure()) return this.#failWaiters();
    this.#notify();
    this.#fetcher?.startPending();
    if (replica.hasPausedExecutions()) return this.#runSlices();
    if (replica.hasWork()) this.kick();
  }

  /**
   * The next slices run after the round. Before the next round, the event loop turns twice more: a request
   * that arrived during a slice is accepted in one turn and read and answered in the next.
   */
  #runSlices(): void {
    this.#slicing = true;
    this.#options.replica
      .runSlices()
      .catch(this.#options.onError)
      .finally(async () => {
        await eventLoopTurns(2);
        this.#slicing = false;
        this.kick();
      });
  }

  #isTerminal(messageId: string): boolean {
    const status = this.#options.replica.ingressStatus(messageId)?.status;
    return status !== undefined && TERMINAL.has(status);
  }

  #notify(): void {
    for (const [messageId, waiters] of this.#waiters) {
      if (!this.#isTerminal(messageId)) continue;
      this.#waiters.delete(messageId);
      for (const done of waiters) done('done');
    }
  }

  /** The failed round was reverted: its results are withheld and every waiting client is told to retry. */
  #failWaiters(): void {
    const waiting = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waiters of waiting) for (const done of waiters) done('failed');
  }
}
