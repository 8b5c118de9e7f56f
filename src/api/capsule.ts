// The in-process library: a local Internet Computer subnet driven by method calls (no server).
import { UserError } from '../execution/index.ts';
import { candid, emptySettings } from '../management/index.ts';
import { ANONYMOUS, DEFAULT_PROVISIONAL_CYCLES, type InstructionLimits, MANAGEMENT_CANISTER, type Principal, type PrincipalLike, toPrincipal } from '../state/index.ts';
import type { DurableStore, StoreOptions } from '../persistence/index.ts';
import { CallError, unwrap } from './errors.ts';
import { type OpenedReplica, openReplica } from './open_replica.ts';
import { Replica } from './replica.ts';

export interface CapsuleOptions {
  /** Initial time in nanoseconds since the epoch (default: now). */
  time?: bigint;
  /** `application`: the 13-node application subnet prices (default); `free`: no cycles are charged. */
  costSchedule?: 'application' | 'free';
  /** Lower per-message instruction limits (default: the IC's 40 B update, 5 B query, 300 B install). */
  instructionLimits?: Partial<InstructionLimits>;
  /** Seed of the subnet's keys and randomness (default: random). Same seed + same calls = same state hash. */
  seed?: Uint8Array;
  /** Rounds an update call may take before it is given up (default 10,000). */
  maxRoundsPerCall?: number;
  /**
   * Keep the state in this directory: every round is durable before its results are returned, and a
   * later `create` with the same directory continues where it stopped (even after kill -9).
   */
  stateDir?: string;
  /** Tuning and warnings of the durable store (with `stateDir`). */
  store?: StoreOptions;
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

const EMPTY_ARG = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);
const MILLION = 1_000_000n;

export class Capsule {
  readonly #replica: Replica;
  readonly #maxRounds: number;
  readonly #opened: OpenedReplica | undefined;
  #closed = false;

  private constructor(replica: Replica, maxRounds: number, opened?: OpenedReplica) {
    this.#replica = replica;
    this.#maxRounds = maxRounds;
    this.#opened = opened;
  }

  /** The durable store, when created with `stateDir` (its `stats` count bytes written). */
  get store(): DurableStore | undefined {
    return this.#opened?.store;
  }

  /** The replica behind this library handle (for front ends such as the HTTP interface). */
  get replica(): Replica {
    return this.#replica;
  }

  /** A fresh in-memory subnet, or the subnet kept in `stateDir`. */
  static async create(options: CapsuleOptions = {}): Promise<Capsule> {
    if (options.stateDir !== undefined) {
      const { seed, time, costSchedule, instructionLimits } = options;
      const opened = openReplica({ ...options.store, stateDir: options.stateDir, seed, time, costSchedule, instructionLimits });
      return new Capsule(opened.replica, options.maxRoundsPerCall ?? 10_000, opened);
    }
    const replica = new Replica({
      seed: options.seed ?? Replica.randomSeed(),
      time: options.time ?? BigInt(Date.now()) * MILLION,
      costSchedule: options.costSchedule ?? 'application',
      instructionLimits: options.instructionLimits,
    });
    return new Capsule(replica, options.maxRoundsPerCall ?? 10_000);
  }

  get subnetId(): Principal {
    return this.#replica.state.config.subnetId;
  }

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
  async installCode(options: {
    canisterId: PrincipalLike;
    wasm: Uint8Array;
    arg?: Uint8Array;
    sender?: PrincipalLike;
    mode?: 'install' | 'reinstall' | 'upgrade';
    wasmMemoryPersistence?: 'keep' | 'replace';
    skipPreUpgrade?: boolean;
  }): Promise<void> {
    const canisterId = toPrincipal(options.canisterId);
    const modeName = options.mode ?? 'install';
    let persistence = options.wasmMemoryPersistence;
    if (modeName === 'upgrade' && persistence === undefined && this.#replica.canister(canisterId)?.wasm?.module.enhancedOrthogonalPersistence) {
      persistence = 'keep';
    }
    const mode =
      modeName === 'upgrade'
        ? { upgrade: [{ skip_pre_upgrade: options.skipPreUpgrade ? [true] as [boolean] : [] as [], wasm_memory_persistence: persistence ? [{ [persistence]: null } as { keep: null }] as [{ keep: null }] : [] as [] }] as [never] }
        : ({ [modeName]: null } as { install: null });
    const arg = candid.encodeManagementArg('install_code', {
      mode,
      canister_id: canisterId,
      wasm_module: options.wasm,
      arg: options.arg ?? EMPTY_ARG,
      sender_canister_version: [],
    });
    await this.#callManagement('install_code', arg, options.sender);
  }

  /** An update call through ingress; runs rounds until it and every call it causes completes. */
  async updateCall(options: CallOptions): Promise<Uint8Array> {
    const receiver = toPrincipal(options.canisterId);
    const sender = options.sender === undefined ? ANONYMOUS : toPrincipal(options.sender);
    const arg = options.arg ?? EMPTY_ARG;
    return this.#call(receiver, sender, options.method, arg);
  }

  /** A non-replicated query against the current state; nothing it does persists. */
  async queryCall(options: CallOptions): Promise<Uint8Array> {
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

  async advanceTime(milliseconds: number): Promise<void> {
    this.#replica.state.time += BigInt(Math.round(milliseconds * 1e6));
  }

  /** Sets the time (nanoseconds since the epoch); time never goes backwards. */
  async setTime(nanos: bigint): Promise<void> {
    if (nanos < this.#replica.state.time) throw new RangeError(`Time cannot go backwards: ${nanos} < ${this.#replica.state.time}`);
    this.#replica.state.time = nanos;
  }

  /** Runs `rounds` rounds (timers, heartbeats and queued messages progress). */
  async tick(rounds = 1): Promise<void> {
    for (let i = 0; i < rounds; i++) this.#round();
  }

  /** Current time in nanoseconds since the epoch. */
  async getTime(): Promise<bigint> {
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

  /** SHA-256 of the replicated state (see src/state/state_hash.ts). */
  async stateHash(): Promise<string> {
    return this.#replica.stateHash();
  }

  /** Ends the handle; with `stateDir`, writes a checkpoint and releases the directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opened?.close();
  }

  #canister(canisterId: PrincipalLike) {
    const id = toPrincipal(canisterId);
    const canister = this.#replica.canister(id);
    if (!canister) throw new CallError(3, `Canister ${id.toText()} not found`, 'IC0301');
    return canister;
  }

  #round(): void {
    if (this.#closed) throw new Error('This Capsule is closed');
    this.#replica.round();
  }

  async #callManagement(method: string, arg: Uint8Array, sender?: PrincipalLike): Promise<Uint8Array> {
    return this.#call(MANAGEMENT_CANISTER, sender === undefined ? ANONYMOUS : toPrincipal(sender), method, arg);
  }

  /** Submits an ingress message and runs rounds until it completes. */
  async #call(receiver: Principal, sender: Principal, method: string, arg: Uint8Array): Promise<Uint8Array> {
    const messageId = this.#replica.submit({ sender, receiver, method, arg });
    if (messageId instanceof UserError) throw toCallError(messageId);
    for (let rounds = 0; ; rounds++) {
      if (rounds >= this.#maxRounds) throw new Error(`The call did not complete within ${this.#maxRounds} rounds`);
      this.#round();
      const status = this.#replica.ingressStatus(messageId);
      if (status?.status === 'replied') return status.reply;
      if (status?.status === 'rejected') throw new CallError(status.code, status.message, status.errorCode || undefined);
    }
  }
}

function toCallError(error: UserError): CallError {
  return new CallError(error.rejectCode, error.message, error.errorCode);
}

