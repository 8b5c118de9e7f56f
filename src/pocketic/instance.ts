// One PocketIC instance: a network of subnets (one Replica each), driven by the REST API. Operations
// on one instance run one at a time in arrival order (never a 409 "busy"); instances are independent.
// Time is PocketIC's: the same on every subnet, `set_time` takes effect at the next round, rounds
// otherwise add 1 ns; a tick runs one round on every subnet.
import { HttpContext, interfaceRoutes } from '../http/index.ts';
import { DEFAULT_HTTP_FETCH, HttpOutcallFetcher, Network, type Replica, wallClockNanos } from '../replica/index.ts';
import { canisterIdFromIndex, type IngressStatus, type Principal, type SubnetState } from '../state/index.ts';
import { instanceDeleted, PocketIcError } from './errors.ts';
import { InstanceApi } from './instance_api.ts';
import type { InstanceOptions } from './instance_config.ts';
import { layoutSubnets } from './subnet_layout.ts';

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
  readonly network: Network;
  /** The IC HTTP interface of this instance (`/instances/<id>/api/…`), routed to the subnet a request concerns. */
  readonly http: InstanceApi;
  #queue: Promise<unknown> = Promise.resolve();
  #pendingTime: bigint | undefined;
  #deleted = false;
  #autoProgress: NodeJS.Timeout | undefined;
  /** In live mode (auto progress) outcalls are made for real, as PocketIC does; otherwise only mocked. */
  #fetchers: HttpOutcallFetcher[] = [];
  readonly #printedLogs = new Map<string, bigint>();

  constructor(id: number, options: InstanceOptions, seed: Uint8Array, hooks: InstanceHooks) {
    this.id = id;
    this.options = options;
    this.network = new Network({ seed, time: options.time, subnets: layoutSubnets(options.subnets, options.mainnetNnsSubnetId), stateDir: options.stateDir });
    for (const replica of this.network.subnets) replica.afterRound((state) => this.#afterRound(state, hooks));
    // The instance's own auto progress makes the outcalls (see startAutoProgress), not the API's driver.
    const routers = this.network.subnets.map((replica) => {
      const context = new HttpContext({ replica, clock: () => this.time(), idleRoundMs: Number.POSITIVE_INFINITY, httpOutcalls: 'manual' });
      return { replica, context, router: interfaceRoutes(context) };
    });
    this.http = new InstanceApi(this.network, routers, this.defaultSubnet);
    if (options.autoProgressDelayMs !== undefined) this.startAutoProgress(options.autoProgressDelayMs);
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  /** The subnet canisters are created on when a call names none: the one of the default effective canister id. */
  get defaultSubnet(): Replica {
    return this.network.subnetOf(this.defaultEffectiveCanisterId)!;
  }

  /** PocketIC's default effective canister id: the first id of the first application subnet (else verified application, system, any). */
  get defaultEffectiveCanisterId(): Principal {
    const specs = this.network.specs;
    const kinds = ['Application/', 'VerifiedApplication/', 'System/'];
    const index = kinds.map((kind) => specs.findIndex((spec) => spec.label.startsWith(kind))).find((i) => i >= 0) ?? 0;
    const replica = this.network.subnets[index]!;
    return canisterIdFromIndex(replica.state.config.ranges.at(-1)!.start);
  }

  /** The subnet with this id, or PocketIC's error. */
  subnet(subnetId: Principal): Replica {
    const replica = this.network.subnet(subnetId);
    if (!replica) throw new PocketIcError(400, `SubnetNotFound(${subnetId.toText()})`);
    return replica;
  }

  /** The status of an ingress message and the subnet it was submitted to. */
  ingress(messageId: string): { replica: Replica; status: IngressStatus } | undefined {
    for (const replica of this.network.subnets) {
      const status = replica.ingressStatus(messageId);
      if (status) return { replica, status };
    }
    return undefined;
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
    return this.#pendingTime ?? this.network.root.state.time;
  }

  setTime(nanos: bigint): void {
    const current = this.time();
    if (nanos < current) throw new PocketIcError(400, `SettingTimeIntoPast((current=${current}, set=${nanos}))`);
    this.#pendingTime = nanos;
  }

  /** Sets the time of the latest state of every subnet too, so that queries see it without a round. */
  setCertifiedTime(nanos: bigint): void {
    this.setTime(nanos);
    for (const replica of this.network.subnets) replica.state.time = nanos;
  }

  /**
   * One round on every subnet at the instance time (1 ns after the previous round if the time was not set),
   * after the next slice of every paused execution.
   */
  async tick(): Promise<void> {
    await this.network.runSlices();
    const time = this.#pendingTime;
    this.#pendingTime = undefined;
    this.network.tick(time);
  }

  /** Runs ticks until the message completes; another instance's requests are served between ticks. */
  async awaitIngress(messageId: string): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      const status = this.ingress(messageId)?.status.status;
      if (status === undefined) throw new PocketIcError(400, `IngressMessageNotFound(${messageId})`);
      if (status === 'replied' || status === 'rejected' || status === 'done') return;
      if (this.#deleted) throw instanceDeleted();
      if (rounds >= MAX_AWAIT_ROUNDS) throw new PocketIcError(400, `The ingress message ${messageId} did not complete within ${MAX_AWAIT_ROUNDS} rounds`);
      await this.tick();
      if (this.#fetchers.length > 0) await this.#fetchesBetweenRounds();
      else if (rounds > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** In live mode: starts the fetches of new outcalls, and waits for one while nothing else can progress. */
  async #fetchesBetweenRounds(): Promise<void> {
    for (const fetcher of this.#fetchers) fetcher.startPending();
    const fetching = (): boolean => this.network.subnets.some((replica) => replica.pendingHttpOutcalls().some(({ id }) => this.isFetching(replica, id)));
    while (!this.network.hasWork() && fetching() && !this.#deleted) await new Promise((resolve) => setTimeout(resolve, MIN_AUTO_PROGRESS_MS));
  }

  get autoProgress(): boolean {
    return this.#autoProgress !== undefined;
  }

  /** Rounds run on their own and time follows the wall clock. */
  startAutoProgress(artificialDelayMs: number): void {
    if (this.#autoProgress) throw new PocketIcError(400, 'Auto progress mode has already been enabled.');
    this.#fetchers = this.network.subnets.map((replica) => new HttpOutcallFetcher(replica, DEFAULT_HTTP_FETCH, () => {}));
    this.#autoProgress = setInterval(
      () =>
        void this.run(async () => {
          const wall = wallClockNanos();
          if (wall > this.time()) this.#pendingTime = wall;
          await this.tick();
          for (const fetcher of this.#fetchers) fetcher.startPending();
        }).catch(() => {}),
      Math.max(MIN_AUTO_PROGRESS_MS, artificialDelayMs),
    );
  }

  stopAutoProgress(): void {
    clearInterval(this.#autoProgress);
    this.#autoProgress = undefined;
    for (const fetcher of this.#fetchers) fetcher.close();
    this.#fetchers = [];
  }

  /** Whether live mode is fetching this outcall of `replica` now. */
  isFetching(replica: Replica, id: bigint): boolean {
    return this.#fetchers[this.network.subnets.indexOf(replica)]?.isFetching(id) ?? false;
  }

  /** Marks the instance deleted at once; its state is released after the operation in progress. */
  delete(): Promise<void> {
    if (this.#deleted) return Promise.resolve();
    this.#deleted = true;
    this.stopAutoProgress();
    this.http.close();
    const closed = this.#queue.then(() => this.network.close());
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
