// The `http` target of the conformance suite: the surface of the library's Capsule, but every
// canister-facing operation (create, install, update calls, management calls, queries, ingress
// submissions) is a real signed CBOR request to `startHttpServer` on loopback in front of the
// test's replica. What the IC's HTTP interface has no counterpart for (rounds, time, cycle
// balances, logs, the state hash) stays in-process on the same replica.
//
// The server's clock is the replica's time and idle rounds are off, so rounds run only when
// ingress arrives (and while messages are queued) and time moves only when a test moves it.
import type { Capsule, CallOptions, LogRecord } from '../../src/api/index.ts';
import { CallError, type Principal } from '../../src/api/index.ts';
import { startHttpServer, type HttpServerHandle } from '../../src/http/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import type { Replica } from '../../src/replica/index.ts';
import { candid, emptySettings, effectiveCanisterIdOf } from '../../src/management/index.ts';
import { ANONYMOUS, canisterIdFromIndex, DEFAULT_PROVISIONAL_CYCLES, MANAGEMENT_CANISTER, type PrincipalLike, toPrincipal } from '../../src/state/index.ts';
import type { TestKey } from '../http/_envelopes.ts';
import { HttpClient, type HttpRequestSpec } from './_http_client.ts';

const EMPTY_ARG = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

type CreateOptions = Parameters<Capsule['createCanister']>[0];
type InstallOptions = Parameters<Capsule['installCode']>[0];

export interface Submission {
  readonly sender: Principal;
  readonly receiver: Principal;
  readonly method: string;
  readonly arg: Uint8Array;
}

const open = new Set<HttpSubnet>();

/**
 * Closes every server of this process; registered with node:test's `after` when a test file
 * loads the module (a hook registered later, inside a `before`, would run at the end of that hook).
 */
export async function closeAll(): Promise<void> {
  for (const subnet of open) {
    if (process.env.CAPSULE_HTTP_STATS) process.stderr.write(`[capsule http] ${process.argv[1]}: ${JSON.stringify({ ...subnet.counters, rounds: subnet.rounds })}\n`);
  }
  await Promise.all([...open].map((s) => s.close()));
}

export class HttpSubnet {
  readonly #inner: Capsule;
  readonly #server: HttpServerHandle;
  readonly #client: HttpClient;
  /** v2 submissions whose answer has not arrived; every later operation waits for them. */
  readonly #inflight = new Set<Promise<void>>();
  #submitFailure: unknown;
  #closed = false;

  private constructor(inner: Capsule, server: HttpServerHandle, client: HttpClient) {
    this.#inner = inner;
    this.#server = server;
    this.#client = client;
  }

  /** Serves `inner`'s replica on a free loopback port; the server closes when the test file ends (closeAll). */
  static async start(inner: Capsule, keys: readonly TestKey[]): Promise<HttpSubnet> {
    const replica = replicaOf(inner);
    const syncTimeout = process.env.CAPSULE_HTTP_SYNC_TIMEOUT_MS ? Number(process.env.CAPSULE_HTTP_SYNC_TIMEOUT_MS) : undefined;
    const server = await startHttpServer({
      replica,
      port: 0,
      clock: () => replica.state.time,
      idleRoundMs: Number.POSITIVE_INFINITY,
      // CAPSULE_HTTP_SYNC_TIMEOUT_MS=0 answers calls 202 at once: exercises the read_state polling.
      limits: syncTimeout === undefined ? undefined : { syncCallTimeoutMs: syncTimeout },
      log: (line) => process.stderr.write(`[capsule http] ${line}\n`),
    });
    const keyMap = new Map(keys.map((k) => [toPrincipal({ toUint8Array: () => k.principal }).toText(), k]));
    const verifyEvery = process.env.CAPSULE_HTTP_VERIFY_EVERY ? Number(process.env.CAPSULE_HTTP_VERIFY_EVERY) : 1;
    const client = await HttpClient.connect({ url: server.url, keys: keyMap, now: () => replica.state.time, subnetId: inner.subnetId, verifyEvery });
    const subnet = new HttpSubnet(inner, server, client);
    open.add(subnet);
    return subnet;
  }

  get replica(): Replica {
    return replicaOf(this.#inner);
  }

  get subnetId(): Principal {
    return this.#inner.subnetId;
  }

  /** The root key as `/api/v2/status` publishes it. */
  get rootKey(): Uint8Array {
    return this.#client.rootKey;
  }

  /** Requests sent, certificates verified and read_state polls (CAPSULE_HTTP_STATS=1 prints them). */
  get counters(): HttpClient['counters'] {
    return this.#client.counters;
  }

  /** Rounds the server's round driver ran. */
  get rounds(): number {
    return this.#server.context.rounds.rounds;
  }

  async createCanister(options: CreateOptions = {}): Promise<Principal> {
    const settings = { ...emptySettings(), controllers: options.controllers ? ([options.controllers.map(toPrincipal)] as [Principal[]]) : ([] as []) };
    const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', {
      amount: [options.cycles ?? DEFAULT_PROVISIONAL_CYCLES],
      settings: [settings],
      specified_id: options.specifiedId ? [toPrincipal(options.specifiedId)] : [],
      sender_canister_version: [],
    });
    const reply = await this.callManagement('provisional_create_canister_with_cycles', arg, options.sender);
    return candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id;
  }

  async installCode(options: InstallOptions): Promise<void> {
    const canisterId = toPrincipal(options.canisterId);
    const modeName = options.mode ?? 'install';
    let persistence = options.wasmMemoryPersistence;
    if (modeName === 'upgrade' && persistence === undefined && this.replica.canister(canisterId)?.wasm?.module.enhancedOrthogonalPersistence) {
      persistence = 'keep';
    }
    const upgrade = {
      skip_pre_upgrade: options.skipPreUpgrade ? ([true] as [boolean]) : ([] as []),
      wasm_memory_persistence: persistence ? ([{ [persistence]: null }] as [{ keep: null }]) : ([] as []),
    };
    const mode = modeName === 'upgrade' ? { upgrade: [upgrade] as [never] } : ({ [modeName]: null } as { install: null });
    const arg = candid.encodeManagementArg('install_code', {
      mode,
      canister_id: canisterId,
      wasm_module: options.wasm,
      arg: options.arg ?? EMPTY_ARG,
      sender_canister_version: [],
    });
    await this.callManagement('install_code', arg, options.sender);
  }

  async updateCall(options: CallOptions): Promise<Uint8Array> {
    await this.#settled();
    return this.#client.call(this.#canisterSpec(options));
  }

  async queryCall(options: CallOptions): Promise<Uint8Array> {
    await this.#settled();
    return this.#client.query(this.#canisterSpec(options));
  }

  async callManagement(method: string, arg: Uint8Array, sender?: PrincipalLike): Promise<Uint8Array> {
    await this.#settled();
    return this.#client.call(this.#managementSpec(method, arg, sender));
  }

  async addCycles(canisterId: PrincipalLike, amount: bigint): Promise<bigint> {
    const id = toPrincipal(canisterId);
    await this.callManagement('provisional_top_up_canister', candid.encodeManagementArg('provisional_top_up_canister', { canister_id: id, amount }));
    return this.getCycleBalance(id);
  }

  /** Queues an ingress message (v2 call) and returns its request id without waiting. */
  submit(submission: Submission): string {
    const spec =
      submission.receiver.toUint8Array().length === 0
        ? this.#managementSpec(submission.method, submission.arg, submission.sender)
        : { canisterId: submission.receiver, ecid: submission.receiver, method: submission.method, arg: submission.arg, sender: submission.sender };
    const { messageId, sent } = this.#client.submit(spec);
    const tracked: Promise<void> = sent.then(
      () => void this.#inflight.delete(tracked),
      (e: unknown) => {
        this.#inflight.delete(tracked);
        this.#submitFailure ??= e;
      },
    );
    this.#inflight.add(tracked);
    return messageId;
  }

  // ---- controls without an HTTP counterpart: in-process, after pending submissions arrived

  async advanceTime(nanos: bigint): Promise<void> {
    await this.#settled();
    return this.#inner.advanceTime(nanos);
  }

  async setTime(nanos: bigint): Promise<void> {
    await this.#settled();
    return this.#inner.setTime(nanos);
  }

  async tick(rounds = 1): Promise<void> {
    await this.#settled();
    return this.#inner.tick(rounds);
  }

  async getTime(): Promise<bigint> {
    await this.#settled();
    return this.#inner.getTime();
  }

  async getCycleBalance(canisterId: PrincipalLike): Promise<bigint> {
    await this.#settled();
    return this.#inner.getCycleBalance(canisterId);
  }

  async canisterLogs(canisterId: PrincipalLike): Promise<LogRecord[]> {
    await this.#settled();
    return this.#inner.canisterLogs(canisterId);
  }

  async stateHash(): Promise<string> {
    await this.#settled();
    return this.#inner.stateHash();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    open.delete(this);
    await Promise.allSettled([...this.#inflight]);
    await this.#server.close();
    await this.#inner.close();
  }

  /** Waits for pending v2 submissions; a refused one surfaces here (as the library's submit would throw). */
  async #settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
    const failure = this.#submitFailure;
    if (failure === undefined) return;
    this.#submitFailure = undefined;
    throw failure instanceof CallError || failure instanceof Error ? failure : new Error(String(failure));
  }

  #canisterSpec(options: CallOptions): HttpRequestSpec {
    const canisterId = toPrincipal(options.canisterId);
    const sender = options.sender === undefined ? ANONYMOUS : toPrincipal(options.sender);
    return { canisterId, ecid: canisterId, method: options.method, arg: options.arg ?? EMPTY_ARG, sender };
  }

  /** The effective canister id of a management call: the canister it names, else one of the subnet. */
  #managementSpec(method: string, arg: Uint8Array, sender?: PrincipalLike): HttpRequestSpec {
    let named: Principal | null = null;
    try {
      named = effectiveCanisterIdOf(method, arg);
    } catch {
      // undecodable: any id of the subnet (the server answers the decoding error)
    }
    const ecid = named ?? canisterIdFromIndex(this.replica.state.config.ranges[0]!.start);
    const from = sender === undefined ? ANONYMOUS : toPrincipal(sender);
    return { canisterId: MANAGEMENT_CANISTER, ecid, method, arg, sender: from };
  }
}
