// One PocketIC instance: a Replica with its application subnet, driven by the REST API. Operations
// on one instance run one at a time in arrival order (never a 409 "busy"); instances are independent.
// Time is PocketIC's: `set_time` takes effect at the next round, rounds otherwise add 1 ns.
import { HttpContext, interfaceRoutes, type Router } from '../http/index.ts';
import { DEFAULT_HTTP_FETCH, HttpOutcallFetcher, type OpenedReplica, openReplica, type Replica, wallClockNanos } from '../replica/index.ts';
import type { Principal, SubnetState } from '../state/index.ts';
import { instanceDeleted, PocketIcError } from './errors.ts';
import type { InstanceOptions } from './instance_config.ts';

/** Rounds an awaited ingress message may take before it is given up. */
const MAX_AWAIT_ROUNDS = 10_000;
/** Auto progress runs rounds at least this far apart (ms), however small the artificial delay. */
const MIN_AUTO_PROGRESS_MS = 10;

export interface InstanceHooks {
  /** A canister's log line (debug_print, trap): the executable prints it on stderr. */
  canisterLog(canisterId: Principal, line: string): void;
}

export class PocketIcInstance {
  readonly id: number;
  readonly options: InstanceOptions;
  readonly replica: Replica;
  /** The IC HTTP interface of this instance (`/instances/<id>/api/…`). */
  readonly http: { context: HttpContext; router: Router };
  readonly #opened: OpenedReplica;
  #queue: Promise<unknown> = Promise.resolve();
  #pendingTime: bigint | undefined;
  #deleted = false;
  #autoProgress: NodeJS.Timeout | undefined;
  /** In live mode (auto progress) outcalls are made for real, as PocketIC does; otherwise only mocked. */
  #fetcher: HttpOutcallFetcher | undefined;
  readonly #printedLogs = new Map<string, bigint>();

  constructor(id: number, options: InstanceOptions, seed: Uint8Array, hooks: InstanceHooks) {
    this.id = id;
    this.options = options;
    this.#opened = openReplica({
      seed,
      time: options.time,
      costSchedule: options.costSchedule,
      instructionLimits: options.instructionLimits,
      stateDir: options.stateDir,
    });
    this.replica = this.#opened.replica;
    this.replica.afterRound((state) => this.#afterRound(state, hooks));
    // The instance's own auto progress makes the outcalls (see startAutoProgress), not the API's driver.
    const context = new HttpContext({ replica: this.replica, clock: () => this.time(), idleRoundMs: Number.POSITIVE_INFINITY, httpOutcalls: 'manual' });
    this.http = { context, router: interfaceRoutes(context) };
    if (options.autoProgressDelayMs !== undefined) this.startAutoProgress(options.autoProgressDelayMs);
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  get state(): SubnetState {
    return this.replica.state;
  }

  /** Runs `operation` after every earlier operation on this instance has finished. */
  run<T>(operation: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(() => {
      if (this.#deleted) throw instanceDeleted();
      return operation();
    });
    this.#queue = result.catch(() => {});
    return result;
  }

  /** The instance time: a time set for the next round, else the latest round's. */
  time(): bigint {
    return this.#pendingTime ?? this.state.time;
  }

  setTime(nanos: bigint): void {
    const current = this.time();
    if (nanos < current) throw new PocketIcError(400, `SettingTimeIntoPast((current=${current}, set=${nanos}))`);
    this.#pendingTime = nanos;
  }

  /** Sets the time of the latest state too, so that queries see it without a round. */
  setCertifiedTime(nanos: bigint): void {
    this.setTime(nanos);
    this.state.time = nanos;
  }

  /**
   * One round at the instance time (1 ns after the previous round if the time was not set), after the next
   * slice of every paused execution.
   */
  async tick(): Promise<void> {
    await this.replica.runSlices();
    const time = this.#pendingTime;
    this.#pendingTime = undefined;
    this.replica.round(time);
  }

  /** Runs rounds until the message completes; another instance's requests are served between rounds. */
  async awaitIngress(messageId: string): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      const status = this.replica.ingressStatus(messageId)?.status;
      if (status === undefined) throw new PocketIcError(400, `IngressMessageNotFound(${messageId})`);
      if (status === 'replied' || status === 'rejected' || status === 'done') return;
      if (this.#deleted) throw instanceDeleted();
      if (rounds >= MAX_AWAIT_ROUNDS) throw new PocketIcError(400, `The ingress message ${messageId} did not complete within ${MAX_AWAIT_ROUNDS} rounds`);
      await this.tick();
      if (this.#fetcher) await this.#fetchesBetweenRounds(this.#fetcher);
      else if (rounds > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** In live mode: starts the fetches of new outcalls, and waits for one while nothing else can progress. */
  async #fetchesBetweenRounds(fetcher: HttpOutcallFetcher): Promise<void> {
    fetcher.startPending();
    const waiting = (): boolean => !this.replica.hasWork() && this.replica.pendingHttpOutcalls().some(({ id }) => fetcher.isFetching(id));
    while (waiting() && !this.#deleted) await new Promise((resolve) => setTimeout(resolve, MIN_AUTO_PROGRESS_MS));
  }

  get autoProgress(): boolean {
    return this.#autoProgress !== undefined;
  }

  /** Rounds run on their own and time follows the wall clock. */
  startAutoProgress(artificialDelayMs: number): void {
    if (this.#autoProgress) throw new PocketIcError(400, 'Auto progress mode has already been enabled.');
    const fetcher = new HttpOutcallFetcher(this.replica, DEFAULT_HTTP_FETCH, () => {});
    this.#fetcher = fetcher;
    this.#autoProgress = setInterval(
      () =>
        void this.run(async () => {
          const wall = wallClockNanos();
          if (wall > this.time()) this.#pendingTime = wall;
          await this.tick();
          fetcher.startPending();
        }).catch(() => {}),
      Math.max(MIN_AUTO_PROGRESS_MS, artificialDelayMs),
    );
  }

  stopAutoProgress(): void {
    clearInterval(this.#autoProgress);
    this.#autoProgress = undefined;
    this.#fetcher?.close();
    this.#fetcher = undefined;
  }

  /** Whether live mode is fetching this outcall now. */
  isFetching(id: bigint): boolean {
    return this.#fetcher?.isFetching(id) ?? false;
  }

  /** Marks the instance deleted at once; its state is released after the operation in progress. */
  delete(): Promise<void> {
    if (this.#deleted) return Promise.resolve();
    this.#deleted = true;
    this.stopAutoProgress();
    this.http.context.close();
    const closed = this.#queue.then(() => this.#opened.close());
    this.#queue = closed.catch(() => {});
    return closed;
  }

  #afterRound(state: SubnetState, hooks: InstanceHooks): void {
    if (this.#pendingTime !== undefined && this.#pendingTime <= state.time) this.#pendingTime = undefined;
    for (const canister of state.canisters.values()) {
      const key = canister.id.toHex();
      const printed = this.#printedLogs.get(key) ?? 0n;
      const last = canister.logs.at(-1);
      if (!last || last.idx < printed) continue;
      for (const record of canister.logs) {
        if (record.idx >= printed) hooks.canisterLog(canister.id, new TextDecoder().decode(record.content));
      }
      this.#printedLogs.set(key, last.idx + 1n);
    }
  }
}
