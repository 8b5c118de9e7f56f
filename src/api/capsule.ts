// The in-process library: a local Internet Computer subnet driven by method calls (no server). A thin
// facade over the replica layer, which every front end shares.
import { UserError } from '../execution/index.ts';
import { candid, emptySettings } from '../management/index.ts';
import type { StoreOptions } from '../persistence/index.ts';
import { DEFAULT_HTTP_FETCH, fetchHttpOutcall, type HttpFetchOptions, type OpenedReplica, openReplica, type Replica, type ReplicaConfig } from '../replica/index.ts';
import {
  ANONYMOUS,
  type CanisterState,
  DEFAULT_PROVISIONAL_CYCLES,
  type HttpHeader,
  type HttpOutcallAnswer,
  type HttpOutcallRequest,
  MANAGEMENT_CANISTER,
  type Principal,
  type PrincipalLike,
  toPrincipal,
} from '../state/index.ts';
import { CallError, CallTimeoutError, CapsuleClosedError, HttpOutcallPendingError, unwrap } from './errors.ts';
import { installCodeArg, type InstallOptions } from './install_arg.ts';

export interface CapsuleOptions extends ReplicaConfig {
  /** Rounds an update call may take before it is given up (default 10,000). */
  maxRoundsPerCall?: number;
  /**
   * Keep the state in this directory: every round is durable before its results are returned, and a
   * later `create` with the same directory continues where it stopped (even after kill -9).
   */
  stateDir?: string;
  /** Tuning and warnings of the durable store (with `stateDir`). */
  store?: StoreOptions;
  /**
   * Canister HTTP outcalls: 'manual' (the default) leaves them pending until `mockHttpOutcall`
   * answers them, so tests stay offline and deterministic; 'fetch' makes them over the network
   * between rounds while a call waits for them (HTTPS, or plain HTTP to this machine).
   */
  httpOutcalls?: 'manual' | 'fetch' | HttpFetchOptions;
}

export interface CallOptions {
  canisterId: PrincipalLike;
  method: string;
  arg?: Uint8Array;
  sender?: PrincipalLike;
}

export interface LogRecord {
  idx: bigint;
  /** Nanoseconds since the epoch. */
  timestampNanos: bigint;
  content: Uint8Array;
  text: string;
}

/** An HTTP outcall a canister made that waits for its answer (interface spec, section 'IC method http_request'). */
export interface HttpOutcall extends HttpOutcallRequest {
  id: bigint;
  canisterId: Principal;
}

/** The answer given to an outcall: an HTTP response (before the canister's transform) or a reject. */
export type HttpOutcallMock =
  | { status: number; headers?: HttpHeader[]; body?: Uint8Array | string }
  | { reject: { code: number; message: string } };

const EMPTY_ARG = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

/** The opened replica behind each handle: reachable by Capsule's own tests, not through the package. */
const opened = new WeakMap<Capsule, OpenedReplica>();

/** The replica behind a handle (tests and benchmarks of this repository; not exported by the package). */
export function openedReplicaOf(capsule: Capsule): OpenedReplica {
  const value = opened.get(capsule);
  if (!value) throw new TypeError('not a Capsule');
  return value;
}

export class Capsule {
  readonly #replica: Replica;
  readonly #maxRounds: number;
  readonly #fetch: HttpFetchOptions | undefined;
  #closed = false;

  private constructor(replica: OpenedReplica, maxRounds: number, fetch: HttpFetchOptions | undefined) {
    this.#replica = replica.replica;
    this.#maxRounds = maxRounds;
    this.#fetch = fetch;
    opened.set(this, replica);
  }

  /** A fresh in-memory subnet, or the subnet kept in `stateDir`. */
  static async create(options: CapsuleOptions = {}): Promise<Capsule> {
    const outcalls = options.httpOutcalls ?? 'manual';
    const fetch = outcalls === 'manual' ? undefined : outcalls === 'fetch' ? DEFAULT_HTTP_FETCH : outcalls;
    return new Capsule(openReplica(options), options.maxRoundsPerCall ?? 10_000, fetch);
  }

  get subnetId(): Principal {
    return this.#replica.state.config.subnetId;
  }

  /** The subnet's public key (DER), which verifies every certificate this subnet issues. */
  get rootKey(): Uint8Array {
    return this.#replica.state.config.rootKeyDer;
  }

  /** Creates a canister through `provisional_create_canister_with_cycles`. */
  async createCanister(options: { sender?: PrincipalLike; cycles?: bigint; controllers?: PrincipalLike[]; specifiedId?: PrincipalLike } = {}): Promise<Principal> {
    const settings = { ...emptySettings(), controllers: options.controllers ? ([options.controllers.map(toPrincipal)] as [Principal[]]) : ([] as []) };
    const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', {
      amount: [options.cycles ?? DEFAULT_PROVISIONAL_CYCLES],
      settings: [settings],
      specified_id: options.specifiedId ? [toPrincipal(options.specifiedId)] : [],
      sender_canister_version: [],
    });
    const reply = await this.#callManagement('provisional_create_canister_with_cycles', arg, options.sender);
    return candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id;
  }

  /** install_code; `upgrade` of an enhanced-orthogonal-persistence module keeps memory by default, as IC tooling does. */
  async installCode(options: InstallOptions): Promise<void> {
    this.#assertOpen();
    const enhanced = this.#replica.canister(toPrincipal(options.canisterId))?.wasm?.module.enhancedOrthogonalPersistence ?? false;
    await this.#callManagement('install_code', installCodeArg(options, enhanced), options.sender);
  }

  /** An update call through ingress; runs rounds until it and every call it causes completes. */
  async updateCall(options: CallOptions): Promise<Uint8Array> {
    const receiver = toPrincipal(options.canisterId);
    const sender = options.sender === undefined ? ANONYMOUS : toPrincipal(options.sender);
    return this.#call(receiver, sender, options.method, options.arg ?? EMPTY_ARG);
  }

  /** A non-replicated query against the current state; nothing it does persists. */
  async queryCall(options: CallOptions): Promise<Uint8Array> {
    this.#assertOpen();
    const result = this.#replica.query({
      canisterId: toPrincipal(options.canisterId),
      method: options.method,
      arg: options.arg ?? EMPTY_ARG,
      caller: options.sender === undefined ? ANONYMOUS : toPrincipal(options.sender),
    });
    return unwrap(result);
  }

  /** Calls a management method as an ingress message and returns its Candid reply. */
  async callManagement(method: string, arg: Uint8Array, sender?: PrincipalLike): Promise<Uint8Array> {
    return this.#callManagement(method, arg, sender);
  }

  /** Moves time forward by `nanos` nanoseconds; the next round runs at the new time. */
  async advanceTime(nanos: bigint): Promise<void> {
    this.#assertOpen();
    if (typeof nanos !== 'bigint' || nanos < 0n) throw new TypeError(`advanceTime takes nanoseconds as a non-negative bigint, got ${String(nanos)}`);
    this.#replica.state.time += nanos;
  }

  /** Sets the time (nanoseconds since the epoch); time never goes backwards. */
  async setTime(nanos: bigint): Promise<void> {
    this.#assertOpen();
    if (nanos < this.#replica.state.time) throw new RangeError(`Time cannot go backwards: ${nanos} < ${this.#replica.state.time}`);
    this.#replica.state.time = nanos;
  }

  /** Submits an update call without running rounds; `awaitCall` runs them until it completes. */
  async submitCall(options: CallOptions): Promise<string> {
    this.#assertOpen();
    const sender = options.sender === undefined ? ANONYMOUS : toPrincipal(options.sender);
    const messageId = this.#replica.submit({ sender, receiver: toPrincipal(options.canisterId), method: options.method, arg: options.arg ?? EMPTY_ARG });
    if (messageId instanceof UserError) throw new CallError(messageId.rejectCode, messageId.message, messageId.errorCode, messageId.backtrace);
    return messageId;
  }

  /** Runs rounds until the submitted call completes; its reply, or a `CallError`. */
  async awaitCall(messageId: string): Promise<Uint8Array> {
    return this.#await(messageId);
  }

  /** HTTP outcalls waiting for an answer (with `httpOutcalls: 'manual'`, until `mockHttpOutcall` gives it). */
  pendingHttpOutcalls(): HttpOutcall[] {
    this.#assertOpen();
    // Copies: what a test does with them must not reach the replicated state.
    return this.#replica.pendingHttpOutcalls().map(({ id, canisterId, request }) => ({
      id,
      canisterId,
      url: request.url,
      method: request.method,
      headers: request.headers.map(({ name, value }) => ({ name, value })),
      body: request.body.slice(),
      maxResponseBytes: request.maxResponseBytes,
      transform: request.transform && { method: request.transform.method, context: request.transform.context.slice() },
    }));
  }

  /** Answers a pending outcall; the next round runs the canister's transform and delivers the result. */
  mockHttpOutcall(id: bigint, mock: HttpOutcallMock): void {
    this.#assertOpen();
    if (!this.#replica.answerHttpOutcall(id, answerOf(mock))) throw new TypeError(`No HTTP outcall ${id} is waiting for an answer`);
  }

  /** Runs `rounds` rounds (timers, heartbeats and queued messages progress). */
  async tick(rounds = 1): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.#round();
  }

  /** Current time in nanoseconds since the epoch. */
  async getTime(): Promise<bigint> {
    this.#assertOpen();
    return this.#replica.state.time;
  }

  async getCycleBalance(canisterId: PrincipalLike): Promise<bigint> {
    return this.#canister(canisterId).cycles;
  }

  /** Adds cycles (provisional top-up) and returns the new balance. */
  async addCycles(canisterId: PrincipalLike, amount: bigint): Promise<bigint> {
    const id = toPrincipal(canisterId);
    await this.#callManagement('provisional_top_up_canister', candid.encodeManagementArg('provisional_top_up_canister', { canister_id: id, amount }));
    return this.#canister(id).cycles;
  }

  /** The canister's log: debug_print output and trap messages, with timestamps. */
  async canisterLogs(canisterId: PrincipalLike): Promise<LogRecord[]> {
    return this.#canister(canisterId).logs.map((record) => ({
      idx: record.idx,
      timestampNanos: record.timestampNanos,
      content: record.content,
      text: new TextDecoder().decode(record.content),
    }));
  }

  /** SHA-256 of the whole replicated state: same inputs, same hash. */
  async stateHash(): Promise<string> {
    this.#assertOpen();
    return this.#replica.stateHash();
  }

  /** Ends the handle; with `stateDir`, writes a checkpoint and releases the directory. Later calls throw. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    openedReplicaOf(this).close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new CapsuleClosedError();
  }

  #canister(canisterId: PrincipalLike): CanisterState {
    this.#assertOpen();
    const id = toPrincipal(canisterId);
    const canister = this.#replica.canister(id);
    if (!canister) throw new CallError(3, `Canister ${id.toText()} not found`, 'IC0301');
    return canister;
  }

  /** A round, after the next slice of every paused execution (deterministic time slicing). */
  async #round(): Promise<void> {
    this.#assertOpen();
    if (this.#replica.hasPausedExecutions()) await this.#replica.runSlices();
    this.#replica.round();
  }

  async #callManagement(method: string, arg: Uint8Array, sender?: PrincipalLike): Promise<Uint8Array> {
    return this.#call(MANAGEMENT_CANISTER, sender === undefined ? ANONYMOUS : toPrincipal(sender), method, arg);
  }

  /** Submits an ingress message and runs rounds until it completes. */
  async #call(receiver: Principal, sender: Principal, method: string, arg: Uint8Array): Promise<Uint8Array> {
    this.#assertOpen();
    const messageId = this.#replica.submit({ sender, receiver, method, arg });
    if (messageId instanceof UserError) throw new CallError(messageId.rejectCode, messageId.message, messageId.errorCode, messageId.backtrace);
    return this.#await(messageId);
  }

  async #await(messageId: string): Promise<Uint8Array> {
    this.#assertOpen();
    for (let rounds = 0; ; rounds++) {
      if (rounds >= this.#maxRounds) throw new CallTimeoutError(this.#maxRounds);
      await this.#round();
      const status = this.#replica.ingressStatus(messageId);
      if (status?.status === 'replied') return status.reply;
      if (status?.status === 'rejected') throw new CallError(status.code, status.message, status.errorCode || undefined, status.backtrace);
      if (this.#replica.hasWork() || this.#replica.pendingHttpOutcalls().length === 0) continue;
      if (this.#fetch) {
        await this.#fetchPending(this.#fetch);
      } else {
        throw new HttpOutcallPendingError(messageId);
      }
    }
  }

  /** Fetches every pending outcall over the network, between rounds; the answers are inputs of the next round. */
  async #fetchPending(options: HttpFetchOptions): Promise<void> {
    const pending = this.#replica.pendingHttpOutcalls();
    const answers = await Promise.all(pending.map((outcall) => fetchHttpOutcall(outcall.request, options)));
    for (const [i, outcall] of pending.entries()) this.#replica.answerHttpOutcall(outcall.id, answers[i]!);
  }
}

function answerOf(mock: HttpOutcallMock): HttpOutcallAnswer {
  if ('reject' in mock) {
    const { code, message } = mock.reject;
    if (!Number.isInteger(code) || code < 1 || code > 6) throw new TypeError(`A reject code is 1 to 6, not ${code}`);
    return { kind: 'reject', code, message };
  }
  const body = typeof mock.body === 'string' ? new TextEncoder().encode(mock.body) : (mock.body ?? new Uint8Array(0));
  return { kind: 'response', status: mock.status, headers: mock.headers ?? [], body };
}
