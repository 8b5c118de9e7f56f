// One local subnet and what drives it: ingress submission, rounds, the round's certification and
// queries. Every front end — the library (api/), the IC HTTP interface (http/), the CLI — is a front
// end of a Replica, so they share certificates, fees and defaults by construction.
import { createHash } from 'node:crypto';
import {
  type BlsKeyPair,
  blsCertificateSigner,
  type CertificateDelegation,
  type CertifiedState,
  type NodeKey,
  nodeKeyFromSeed,
  type PeerSubnet,
  StateCertifier,
  type TreePath,
} from '../certification/index.ts';
import { type DataCertificate, evictIdleInstances, evictionSlack, executeQuery, type ExecutionEnvironment, inspectMessage, instanceStatistics, pausedCanistersOf, runSlices, UserError } from '../execution/index.ts';
import { answerHttpOutcall, candid, effectiveCanisterIdOf, ingressControllerRefusal, ingressRefusal, managementQuery } from '../management/index.ts';
import { environmentOf, executeRound, type IngressMessage, setIngressStatus, type XNetRound } from '../scheduler/index.ts';
import {
  type CallerInfo,
  type CallResult,
  type CanisterMessage,
  getCanister,
  type HttpOutcallAnswer,
  type IngressStatus,
  MANAGEMENT_CANISTER,
  type PendingHttpOutcall,
  type Principal,
  principalEquals,
  QueryStatsCollector,
  type SubnetState,
  stateHash,
  unansweredHttpOutcalls,
} from '../state/index.ts';
import { CYCLES_MINTING_CANISTER, systemCanisterAt, systemQuery } from '../system_canisters/index.ts';
import type { ReplicaOptions } from './defaults.ts';
import { ExecutionThreads } from './execution_threads.ts';
import { unsignedEnvelopeBytes } from './ingress_size.ts';
import { RoundRecorder } from './round_recorder.ts';
import { deriveBytes, newSubnetState } from './subnet.ts';

/** Management methods users may call with a query (interface spec, management canister: "also as query", "query only"). */
const USER_QUERY_METHODS: ReadonlySet<string> = new Set(['canister_status', 'canister_metrics', 'fetch_canister_logs', 'list_canisters']);

export interface IngressSubmission {
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
  /** The request id of the HTTP interface, or any unique id for library calls. */
  messageId?: string;
  /** Size of the whole request as received (HTTP body); library calls are sized by `unsignedEnvelopeBytes`. */
  bytes?: number;
  /** The request's verified `sender_info`: the canister reads it with ic0.msg_caller_info_*. */
  callerInfo?: CallerInfo;
}

export interface QueryRequest {
  canisterId: Principal;
  method: string;
  arg: Uint8Array;
  caller: Principal;
  callerInfo?: CallerInfo;
}

/** Raised when a round's certification is asked for before the round is durable. */
export class UncertifiedStateError extends Error {
  constructor(round: bigint) {
    super(`Round ${round} is not durable yet, so it has no certification`);
    this.name = 'UncertifiedStateError';
  }
}

/** Where rounds are made durable: while it reports a failure, front ends refuse ingress and report unhealthy. */
export interface Durability {
  /** Why the last round could not be made durable (the state was reverted to the last one that was). */
  readonly failure: string | undefined;
  /** The state could not even be read back after a failure: the in-memory state may hold unsaved rounds. */
  readonly broken: boolean;
  /** Tries to make rounds durable again; returns whether they are. */
  retry(): boolean;
}

/** How a replica that is one subnet of a network reaches the others (set by the network). */
export interface NetworkMembership {
  /** The other subnets, which this subnet's state tree lists. */
  readonly peers: readonly PeerSubnet[];
  /** The root subnet's delegation for this subnet; undefined for the root subnet itself. */
  readonly delegation: (() => CertificateDelegation) | undefined;
  /** Runs one round on every subnet of the network (what a front end's round becomes). */
  tick(time?: bigint): void;
  /** Whether any subnet has work or a message between subnets waits for induction. */
  hasWork(): boolean;
  /** Whether a message of any subnet is paused at a slice boundary. */
  hasPausedExecutions(): boolean;
  /** The next slice of every paused execution of every subnet. */
  runSlices(): Promise<void>;
}

export class Replica {
  readonly state: SubnetState;
  /** The subnet's threshold key: it signs certifications. Alone, it is the root key; in a network, see `state.config.rootKeyDer`. */
  readonly rootKey: BlsKeyPair;
  readonly seed: Uint8Array;
  /** The subnet's one node: its Ed25519 key signs query responses (listed under /subnet/<sid>/node). */
  readonly nodeKey: NodeKey;
  #certifier: StateCertifier;
  readonly subnetType: PeerSubnet['subnetType'];
  /** Counted by non-replicated queries, so kept beside the replicated state, not in it. */
  readonly queryStats = new QueryStatsCollector();
  /** The last rounds' timing and calls, for live views; not replicated, like the query statistics. */
  readonly recorder = new RoundRecorder();
  #pending: IngressMessage[] = [];
  /** A round ran but its after-round hooks (the durable commit) did not complete: it may not be certified. */
  #uncommitted = false;
  readonly #afterRound: ((state: SubnetState) => void)[] = [];
  #durability: Durability | undefined;
  #network: NetworkMembership | undefined;
  /** Set while paused executions run their next slices (between rounds). */
  #slicing: Promise<void> | undefined;
  readonly #maxLiveInstances: number;
  /** Workers that execute a round's canisters; no state depends on it. */
  readonly workers: number;
  /** Their threads (none for one worker). */
  readonly #threads: ExecutionThreads | undefined;
  #instantiationsSeen = instanceStatistics().instantiations;
  /** An upper bound of this subnet's live instances (see #evictIdle). */
  #liveAtMost = 0;

  constructor(options: ReplicaOptions) {
    const { state, rootKey } = newSubnetState(options);
    this.state = state;
    this.rootKey = rootKey;
    this.seed = options.seed;
    this.nodeKey = nodeKeyFromSeed(deriveBytes(options.seed, 'capsule node key'));
    this.subnetType = options.subnet?.type ?? 'application';
    this.#maxLiveInstances = options.maxLiveInstances;
    this.workers = options.workers;
    // A thread that failed is replaced; its canisters ran here. Reported, since it means the work was done twice.
    this.#threads = options.workers > 1 ? new ExecutionThreads((error) => process.emitWarning(error)) : undefined;
    this.#certifier = this.#newCertifier(undefined);
  }

  get certifier(): StateCertifier {
    return this.#certifier;
  }

  #newCertifier(peers: readonly PeerSubnet[] | undefined): StateCertifier {
    return new StateCertifier({
      signer: blsCertificateSigner(this.rootKey),
      nodes: [{ nodeId: this.nodeKey.nodeId, publicKeyDer: this.nodeKey.publicKeyDer }],
      subnetType: this.subnetType,
      publicKeyDer: this.rootKey.publicKeyDer,
      peers,
    });
  }

  /** Makes this replica one subnet of a network: its tree lists the peers, its certificates carry the delegation. */
  joinNetwork(membership: NetworkMembership): void {
    this.#network = membership;
    this.#certifier = this.#newCertifier(membership.peers);
  }

  /** A front end's round: one round of this subnet, or a tick of the whole network it belongs to. */
  drive(time?: bigint): void {
    if (this.#network) this.#network.tick(time);
    else this.round(time);
  }

  env(): ExecutionEnvironment {
    return environmentOf(this.state, CYCLES_MINTING_CANISTER, this.queryStats);
  }

  canister(id: Principal) {
    return getCanister(this.state, id);
  }

  /**
   * Checks an ingress message as the IC does before accepting it (management ingress rules,
   * `canister_inspect_message`; interface spec, "Ingress message inspection") and queues it for the
   * next round. Returns its id.
   */
  submit(submission: IngressSubmission): string | UserError {
    const { sender, receiver, method, arg } = submission;
    const messageId = submission.messageId ?? this.#nextMessageId(submission);
    let effectiveId = receiver;
    if (principalEquals(receiver, MANAGEMENT_CANISTER)) {
      const refusal = ingressRefusal(method);
      if (refusal) return refusal;
      try {
        effectiveId = effectiveCanisterIdOf(method, arg) ?? this.state.config.subnetId;
      } catch (error) {
        if (!(error instanceof candid.CandidDecodeError)) throw error;
        return new UserError('InvalidManagementPayload', `Error decoding candid: ${error.message}`);
      }
      const notController = ingressControllerRefusal(this.state, method, sender, effectiveId);
      if (notController) return notController;
    } else if (!systemCanisterAt(this.state, receiver)) {
      // System canisters (cycles ledger, CMC) have no wasm and no canister_inspect_message: accepted as is.
      const canister = getCanister(this.state, receiver);
      if (!canister) return new UserError('CanisterNotFound', `Canister ${receiver.toText()} not found`);
      const refused = inspectMessage(() => this.env(), canister, { caller: sender, method, arg, callerInfo: submission.callerInfo });
      if (refused) return refused;
    }
    const bytes = submission.bytes ?? unsignedEnvelopeBytes(submission);
    const message: IngressMessage = { messageId, sender, receiver, method, arg, effectiveId, bytes, ...(submission.callerInfo ? { callerInfo: submission.callerInfo } : {}) };
    setIngressStatus(this.state, message, 'received');
    this.#pending.push(message);
    return messageId;
  }

  /**
   * Runs one round with the queued ingress messages, then the after-round hooks (the durable commit).
   * `time` is the proposed block time: a front end reads its clock; the round's time is at least 1 ns
   * after the previous round's. If a hook throws, the round is not committed and stays uncertified.
   */
  round(time?: bigint, xnet?: XNetRound): void {
    if (this.#slicing) throw new Error('A round cannot start while paused executions run their slices');
    const ingress = this.#pending.splice(0);
    this.#uncommitted = true;
    const started = performance.now();
    this.recorder.startRound(this.state.round + 1n, ingress);
    const observe = (message: CanisterMessage) => this.recorder.message(message);
    executeRound(this.state, { time: time ?? this.state.time, ingress, queryStats: this.queryStats, xnet, observe, workers: { count: this.workers, threads: this.#threads } }, CYCLES_MINTING_CANISTER);
    const executed = performance.now();
    this.#evictIdle();
    try {
      for (const hook of this.#afterRound) hook(this.state);
    } catch (error) {
      // A failed commit reverts the state to the last durable round, which may be certified again;
      // a broken store could not revert, so nothing is certified any more.
      this.#uncommitted = this.#durability?.broken !== false;
      throw error;
    }
    this.#uncommitted = false;
    this.recorder.endRound(this.state, executed - started, performance.now() - executed);
  }

  /** Whether a message (of any subnet of its network) is paused at a slice boundary; `runSlices` continues it. */
  hasPausedExecutions(): boolean {
    return this.#network ? this.#network.hasPausedExecutions() : this.hasOwnPausedExecutions();
  }

  /** Whether a message of this subnet is paused at a slice boundary (deterministic time slicing). */
  hasOwnPausedExecutions(): boolean {
    return pausedCanistersOf(this.state.canisters).length > 0;
  }

  /**
   * Runs the next slice of every paused execution, one canister after the other, between two rounds; the round after
   * completes those that ended. Their number of slices depends only on how often this runs between rounds
   * (once per round for every front end), never on the wall clock.
   */
  runSlices(): Promise<void> {
    return this.#network ? this.#network.runSlices() : this.runOwnSlices();
  }

  /** The next slice of every paused execution of this subnet. */
  runOwnSlices(): Promise<void> {
    // Front ends that drive rounds concurrently (several library calls) share one run of the slices.
    if (this.#slicing) return this.#slicing;
    const paused = pausedCanistersOf(this.state.canisters);
    if (paused.length === 0) return Promise.resolve();
    const run = async (): Promise<void> => {
      for (const [i, canister] of paused.entries()) {
        // Between two canisters' slices the event loop turns twice (a waiting request is accepted, then answered).
        if (i > 0) await eventLoopTurns(2);
        await runSlices([canister]);
      }
    };
    this.#slicing = run().finally(() => {
      this.#slicing = undefined;
    });
    return this.#slicing;
  }

  /** Whether the next round (of any subnet of its network) has something to do. */
  hasWork(): boolean {
    return this.#network ? this.#network.hasWork() : this.hasOwnWork();
  }

  /** Whether this subnet's next round has something to do: queued ingress, messages in canister queues, paused executions, or answered outcalls. */
  hasOwnWork(): boolean {
    if (this.#pending.length > 0 || this.hasOwnPausedExecutions()) return true;
    for (const canister of this.state.canisters.values()) if (canister.inputQueue.length > 0) return true;
    return this.state.httpOutcalls.pending.some((outcall) => outcall.answer !== undefined);
  }

  /** Outcalls waiting for an answer from outside (a mock or a real fetch), oldest first. */
  pendingHttpOutcalls(): PendingHttpOutcall[] {
    return unansweredHttpOutcalls(this.state);
  }

  /** Gives a pending outcall its answer, which the next round transforms and delivers; false if none waits under `id`. */
  answerHttpOutcall(id: bigint, answer: HttpOutcallAnswer): boolean {
    return answerHttpOutcall(this.state, id, answer);
  }

  /** Registers a hook that runs after every round, before any result of the round is read. */
  afterRound(hook: (state: SubnetState) => void): void {
    this.#afterRound.push(hook);
  }

  /** Reports durability failures to front ends (set by `openReplica`). */
  useDurability(durability: Durability): void {
    this.#durability = durability;
  }

  /** Why rounds cannot be made durable now (undefined: they can); with `retry`, first tries to heal. */
  durabilityFailure(retry = false): string | undefined {
    const durability = this.#durability;
    if (!durability?.failure) return undefined;
    if (retry) durability.retry();
    return durability.failure;
  }

  ingressStatus(messageId: string): IngressStatus | undefined {
    return this.state.ingress.get(messageId);
  }

  /**
   * The latest round's certification: built and BLS-signed once per round, on first use after the
   * round's durable commit (rounds nobody reads cost no signature).
   */
  certified(): CertifiedState {
    if (this.#uncommitted) throw new UncertifiedStateError(this.state.round);
    return this.certifier.certify(this.state);
  }

  /** An encoded certificate of the latest round revealing `paths` and `/time`. */
  certificate(paths: readonly TreePath[]): Uint8Array {
    return this.certifier.certificate(this.certified(), paths, this.#network?.delegation?.());
  }

  /**
   * The same certificate, its signature computed off this thread when the round was not signed yet (a server's call
   * answers); while another round is signed, it waits for the next signature, which certifies a later round.
   */
  async certificateInBackground(paths: readonly TreePath[]): Promise<Uint8Array> {
    if (this.#uncommitted) throw new UncertifiedStateError(this.state.round);
    const certified = await this.certifier.certifyInBackground(this.state, () => {
      if (this.#uncommitted) throw new UncertifiedStateError(this.state.round);
    });
    return this.certifier.certificate(certified, paths, this.#network?.delegation?.());
  }

  /**
   * A non-replicated query against the latest state. The target canister gets a data certificate
   * (interface spec, "Certified data"): the latest certification revealing its `certified_data`,
   * built during the query if the canister reads it.
   */
  query(request: QueryRequest): CallResult {
    const env = this.env();
    const system = systemCanisterAt(this.state, request.canisterId);
    if (system) return systemQuery(this.state, env, system, request);
    const management = (caller: Principal, method: string, arg: Uint8Array) => managementQuery(this.state, env, caller, method, arg);
    if (principalEquals(request.canisterId, MANAGEMENT_CANISTER) && USER_QUERY_METHODS.has(request.method)) return management(request.caller, request.method, request.arg);
    const dataCertificate = this.canister(request.canisterId) ? this.#dataCertificate(request.canisterId) : undefined;
    const result = executeQuery(env, (id) => getCanister(this.state, id), { ...request, dataCertificate }, management);
    this.#evictIdle();
    return result;
  }

  /**
   * Evicts idle instances down to the limit once they may exceed it by its slack. Instances are created only
   * by instantiation, so the live count is at most what the last pass left plus the instantiations since.
   */
  #evictIdle(): void {
    const { instantiations } = instanceStatistics();
    this.#liveAtMost += instantiations - this.#instantiationsSeen;
    this.#instantiationsSeen = instantiations;
    if (this.#liveAtMost <= this.#maxLiveInstances + evictionSlack(this.#maxLiveInstances)) return;
    this.#liveAtMost = evictIdleInstances(this.state.canisters.values(), this.#maxLiveInstances);
  }

  /** Built when the canister first asks for it: a query that never does costs no certificate (nor the round's signature). */
  #dataCertificate(canisterId: Principal): DataCertificate {
    // An uncommitted round fails the query up front, as building the certificate would.
    if (this.#uncommitted) throw new UncertifiedStateError(this.state.round);
    let certificate: Uint8Array | undefined;
    return () => (certificate ??= this.certificate([['canister', canisterId.toUint8Array(), 'certified_data']]));
  }

  stateHash(): string {
    return stateHash(this.state);
  }

  #nextMessageId(submission: IngressSubmission): string {
    // A function of the inputs only (content, round, place in the round's batch): unique, and the same
    // in a replay, also after a restart, so the ingress history (replicated state) is too.
    const nonce = this.#pending.length;
    return createHash('sha256')
      .update(submission.receiver.toUint8Array())
      .update(submission.sender.toUint8Array())
      .update(submission.method)
      .update(submission.arg)
      .update(`${this.state.round}:${nonce}`)
      .digest('hex');
  }
}

/** Settles after the event loop turned `count` times, handling its I/O each time. */
export function eventLoopTurns(count: number): Promise<void> {
  return new Promise((resolve) => {
    const turn = (left: number): void => {
      if (left === 0) resolve();
      else setImmediate(() => turn(left - 1));
    };
    turn(count);
  });
}
