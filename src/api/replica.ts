// One local subnet and what drives it: ingress submission, rounds, queries. The library API
// (capsule.ts) and the HTTP interface (src/http) are both front ends of a Replica.
import { createHash, randomBytes } from 'node:crypto';
import { nodeKeyFromSeed, type BlsKeyPair, type NodeKey } from '../certification/index.ts';
import { executeQuery, type ExecutionEnvironment, inspectMessage, UserError } from '../execution/index.ts';
import { candid, effectiveCanisterIdOf, ingressRefusal, managementQuery } from '../management/index.ts';
import { environmentOf, executeRound, type IngressMessage, setIngressStatus } from '../scheduler/index.ts';
import { type CallResult, getCanister, type IngressStatus, type InstructionLimits, MANAGEMENT_CANISTER, type Principal, principalEquals, stateHash, type SubnetState } from '../state/index.ts';
import { systemCanisterAt, systemQuery } from '../system_canisters/index.ts';
import { CYCLES_MINTING_CANISTER, deriveBytes, newSubnetState } from './subnet.ts';

export interface ReplicaOptions {
  /** Initial time in nanoseconds since the epoch. */
  time: bigint;
  costSchedule: 'application' | 'free';
  /** Seed of the subnet's keys and randomness. */
  seed: Uint8Array;
  instructionLimits?: Partial<InstructionLimits>;
}

export interface IngressSubmission {
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
  /** The request id of the HTTP interface, or any unique id for library calls. */
  messageId?: string;
  /** Size of the whole request (ingress fees are charged per byte). */
  bytes?: number;
}

export class Replica {
  readonly state: SubnetState;
  readonly rootKey: BlsKeyPair;
  readonly seed: Uint8Array;
  /** The subnet's one node: its Ed25519 key signs query responses (listed under /subnet/<sid>/node). */
  readonly nodeKey: NodeKey;
  #pending: IngressMessage[] = [];
  #nonce = 0n;
  readonly #afterRound: ((state: SubnetState) => void)[] = [];

  constructor(options: ReplicaOptions) {
    const { state, rootKey } = newSubnetState(options);
    this.state = state;
    this.rootKey = rootKey;
    this.seed = options.seed;
    this.nodeKey = nodeKeyFromSeed(deriveBytes(options.seed, 'capsule node key'));
  }

  static randomSeed(): Uint8Array {
    return new Uint8Array(randomBytes(32));
  }

  env(): ExecutionEnvironment {
    return environmentOf(this.state, CYCLES_MINTING_CANISTER);
  }

  canister(id: Principal) {
    return getCanister(this.state, id);
  }

  /**
   * Checks an ingress message as the IC does before accepting it (management ingress rules,
   * canister_inspect_message) and queues it for the next round. Returns its id.
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
    } else if (!systemCanisterAt(this.state, receiver)) {
      // System canisters (cycles ledger, CMC) have no wasm and no canister_inspect_message: accepted as is.
      const canister = getCanister(this.state, receiver);
      if (!canister) return new UserError('CanisterNotFound', `Canister ${receiver.toText()} not found`);
      const refused = inspectMessage(this.env(), canister, sender, method, arg);
      if (refused) return refused;
    }
    const message: IngressMessage = { messageId, sender, receiver, method, arg, effectiveId, bytes: submission.bytes ?? arg.length + method.length };
    setIngressStatus(this.state, message, 'received');
    this.#pending.push(message);
    return messageId;
  }

  /**
   * Runs one round with the queued ingress messages, then the after-round hooks (e.g. the durable
   * commit). `time` is the proposed block time: a front end reads its clock (time is an input); the round's
   * time is at least 1 ns after the previous round's.
   */
  round(time?: bigint): void {
    const ingress = this.#pending.splice(0);
    executeRound(this.state, { time: time ?? this.state.time, ingress }, CYCLES_MINTING_CANISTER);
    for (const hook of this.#afterRound) hook(this.state);
  }

  /** Whether the next round has something to do: queued ingress or messages waiting in canister queues. */
  hasWork(): boolean {
    if (this.#pending.length > 0) return true;
    for (const canister of this.state.canisters.values()) if (canister.inputQueue.length > 0) return true;
    return false;
  }

  /** Registers a hook that runs after every round, before any result of the round is read. */
  afterRound(hook: (state: SubnetState) => void): void {
    this.#afterRound.push(hook);
  }

  ingressStatus(messageId: string): IngressStatus | undefined {
    return this.state.ingress.get(messageId);
  }

  /** A query against the current state; `dataCertificate` is given to the target (HTTP queries). */
  query(request: { canisterId: Principal; method: string; arg: Uint8Array; caller: Principal; dataCertificate?: Uint8Array }): CallResult {
    const env = this.env();
    const system = systemCanisterAt(this.state, request.canisterId);
    if (system) return systemQuery(this.state, env, system, request);
    const management = (caller: Principal, method: string, arg: Uint8Array) => managementQuery(this.state, env, caller, method, arg);
    return executeQuery(env, (id) => getCanister(this.state, id), { ...request, dataCertificate: request.dataCertificate }, management);
  }

  stateHash(): string {
    return stateHash(this.state);
  }

  #nextMessageId(submission: IngressSubmission): string {
    const nonce = this.#nonce++;
    // The round keeps ids unique when a state directory is reopened (the nonce restarts at 0 then,
    // and ids of messages before the last durable round are in the ingress history).
    return createHash('sha256')
      .update(submission.receiver.toUint8Array())
      .update(submission.sender.toUint8Array())
      .update(submission.method)
      .update(submission.arg)
      .update(`${this.state.round}:${nonce}`)
      .digest('hex');
  }
}
