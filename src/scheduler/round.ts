// One deterministic round: time and ingress are inputs; canisters run in id order and
// their outputs are delivered in that order, so the same inputs always give the same state.
import {
  completePausedExecution,
  executeRequest,
  executeResponse,
  executeSystemTask,
  type ExecutionEnvironment,
  guaranteedResponseMemory,
  hasPausedExecution,
  hasTask,
  ingressInductionCost,
  pausedCanistersOf,
  type RoundContext,
  type SubnetMemory,
  storageCost,
} from '../execution/index.ts';
import { deliverHttpOutcalls, finishStopping, uninstall } from '../management/index.ts';
import {
  type CanisterMessage,
  type CanisterState,
  COMPOSITE_QUERY_MAX_DEPTH,
  DEFAULT_MESSAGE_MEMORY_CAPACITY,
  getCanister,
  heapBytes,
  MANAGEMENT_CANISTER,
  memoryUsage,
  type Principal,
  principalEquals,
  type QueryStatsCollector,
  type Request,
  subnetMemoryTaken,
  type SubnetState,
  touch,
} from '../state/index.ts';
import { systemCanisterAt } from '../system_canisters/index.ts';
import { type IngressMessage, pruneIngressHistory, setIngressStatus } from './ingress.ts';
import { callManagement, callSystemCanister, route } from './routing.ts';
import { runOnWorkers, type ThreadPool } from './workers.ts';
import type { XNetRound } from './xnet.ts';

const PRUNE_INTERVAL = 64n;

export interface RoundInput {
  /** Wall-clock proposal; the round's time is at least 1 ns after the previous round's. */
  time: bigint;
  ingress: IngressMessage[];
  /** The front end's query statistics, which `canister_status` reports. */
  queryStats?: QueryStatsCollector;
  /** For a subnet of a network: the routing table and the messages other subnets sent it. */
  xnet?: XNetRound;
  /** Sees every message routed in the round, in routing order (the replica's round recorder). */
  observe?: (message: CanisterMessage) => void;
  /** Workers that execute the round's canisters, and their threads (default 1: in canonical order); no state depends on it. */
  workers?: { count: number; threads?: ThreadPool };
}

/**
 * What canisters may still take of the subnet's memory, summed over every canister on first use: a query
 * or an ingress check that grows no memory never pays for the walk. A round reads it at its start.
 */
function subnetMemoryOf(state: SubnetState): SubnetMemory {
  const { memoryCapacity, memoryReservation } = state.config;
  let available: bigint | undefined;
  return {
    reservation: memoryReservation,
    get available(): bigint {
      available ??= memoryCapacity - memoryReservation - subnetMemoryTaken(state);
      return available;
    },
    set available(value: bigint) {
      available = value;
    },
  };
}

export function environmentOf(state: SubnetState, cyclesMintingCanister: Principal, queryStats?: QueryStatsCollector): ExecutionEnvironment {
  const config = state.config;
  return {
    time: state.time,
    subnetId: config.subnetId,
    subnetSize: config.subnetSize,
    rootKeyDer: config.rootKeyDer,
    costs: config.costs,
    cyclesMintingCanister,
    instructionLimits: config.instructionLimits,
    queueCapacity: config.queueCapacity,
    subnetMemory: subnetMemoryOf(state),
    queryStats,
    // A state stored before this bound existed has none: the replica's default applies.
    messageMemory: { capacity: config.messageMemoryCapacity ?? DEFAULT_MESSAGE_MEMORY_CAPACITY, measure: () => guaranteedResponseMemory(state.canisters.values()) },
    compositeQueryMaxDepth: config.compositeQueryMaxDepth ?? COMPOSITE_QUERY_MAX_DEPTH,
  };
}

/**
 * The replica charges memory and compute allocations every `duration_between_allocation_charges`
 * (10 s), not every round: an idle round then changes no canister (rs/config/src/subnet_config.rs).
 */
export const STORAGE_CHARGE_INTERVAL = 10_000_000_000n;

/** Charges storage for the time since the last charge, once 10 s have passed; a canister that cannot pay is uninstalled (spec, "Canister cycles"). */
function chargeStorage(state: SubnetState, round: RoundContext, canister: CanisterState): void {
  // Storage is free: leaving the canister untouched keeps an idle round free on disk.
  if (round.env.costs.storagePerGibSecond === 0n) return;
  // A paused execution takes its changes of the balance over when it ends; storage is charged after that.
  if (hasPausedExecution(canister)) return;
  const elapsed = round.env.time - canister.storageChargedUntil;
  if (elapsed < STORAGE_CHARGE_INTERVAL) return;
  touch(canister);
  canister.storageChargedUntil = round.env.time;
  const cost = storageCost(round.env, memoryUsage(canister), elapsed);
  const fromReserved = cost < canister.reservedCycles ? cost : canister.reservedCycles;
  canister.reservedCycles -= fromReserved;
  const rest = cost - fromReserved;
  const paid = rest < canister.cycles ? rest : canister.cycles;
  canister.cycles -= paid;
  canister.consumed.memory += fromReserved + paid;
  if (paid < rest && canister.wasm) runOutOfCycles(state, round, canister);
}

/** Out of cycles: like uninstall_code, plus allocations reset and history entries dropped (count kept). */
function runOutOfCycles(state: SubnetState, round: RoundContext, canister: CanisterState): void {
  uninstall({ state, round }, canister);
  canister.settings = { ...canister.settings, computeAllocation: 0n, memoryAllocation: 0n };
  canister.history = [];
}

function induct(state: SubnetState, round: RoundContext, message: IngressMessage): void {
  setIngressStatus(state, message, 'processing');
  const origin = {
    kind: 'ingress',
    messageId: message.messageId,
    sender: message.sender,
    ...(message.callerInfo ? { callerInfo: message.callerInfo } : {}),
  } as const;
  if (principalEquals(message.receiver, MANAGEMENT_CANISTER)) {
    const target = getCanister(state, message.effectiveId);
    if (target) target.cycles -= minimum(ingressInductionCost(round.env, message.bytes), target.cycles);
    const request = { kind: 'request', caller: message.sender, receiver: MANAGEMENT_CANISTER, method: message.method, arg: message.arg, cycles: 0n, origin, deadline: 0n } as const;
    callManagement({ state, round }, request);
    return;
  }
  // System canisters are part of the replica: no queue, no induction fee (as for the management canister).
  const system = systemCanisterAt(state, message.receiver);
  if (system) {
    callSystemCanister({ state, round }, system, { caller: message.sender, method: message.method, arg: message.arg, cycles: 0n, origin });
    return;
  }
  const canister = getCanister(state, message.receiver);
  if (!canister) return;
  const fee = ingressInductionCost(round.env, message.bytes);
  canister.cycles -= minimum(fee, canister.cycles);
  canister.consumed.ingress += fee;
  canister.inputQueue.push({ kind: 'request', caller: message.sender, receiver: message.receiver, method: message.method, arg: message.arg, cycles: 0n, origin, deadline: 0n });
}

function minimum(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Bounded-wait calls past their deadline are answered with SYS_UNKNOWN (interface spec, call_with_best_effort_response). */
function expireCallbacks(round: RoundContext, canister: CanisterState): void {
  // A paused response may be the callback's own: expiry waits until the canister's execution ends.
  if (hasPausedExecution(canister)) return;
  for (const callback of canister.callbacks.values()) {
    if (callback.deadline === 0n || callback.deadline > round.env.time) continue;
    touch(canister);
    callback.deadline = 0n;
    canister.inputQueue.push({
      kind: 'response',
      receiver: canister.id,
      respondent: callback.callee,
      callbackId: callback.id,
      result: { kind: 'reject', code: 6, message: 'Call deadline has expired.', errorCode: 'IC0601' },
      refund: 0n,
      deadline: 0n,
    });
  }
}

function updateLowMemoryHook(canister: CanisterState): boolean {
  const { wasmMemoryLimit, wasmMemoryThreshold } = canister.settings;
  const satisfied = canister.wasm !== undefined && wasmMemoryThreshold > 0n && wasmMemoryLimit > 0n && wasmMemoryLimit - heapBytes(canister) < wasmMemoryThreshold;
  if (!satisfied) {
    canister.onLowWasmMemory = 'conditionNotSatisfied';
    return false;
  }
  if (canister.onLowWasmMemory === 'conditionNotSatisfied') canister.onLowWasmMemory = 'ready';
  return canister.onLowWasmMemory === 'ready';
}

/** Nothing to run and no hook condition to track: most canisters in most rounds. */
function idle(canister: CanisterState): boolean {
  return canister.globalTimer === 0n && canister.onLowWasmMemory === 'conditionNotSatisfied' && canister.settings.wasmMemoryThreshold === 0n && !hasTask(canister, 'heartbeat');
}

function runTasks(round: RoundContext, canister: CanisterState): void {
  if (idle(canister)) return;
  const hookBefore = canister.onLowWasmMemory;
  let ran = false;
  if (canister.globalTimer !== 0n && round.env.time >= canister.globalTimer && canister.wasm && canister.status.kind === 'running') {
    ran = true;
    executeSystemTask(round, canister, 'globalTimer');
  }
  // A task that paused (deterministic time slicing) holds the canister: the others wait for the next round.
  if (ready(canister) && executeSystemTask(round, canister, 'heartbeat')) ran = true;
  if (ready(canister) && updateLowMemoryHook(canister) && executeSystemTask(round, canister, 'onLowWasmMemory')) canister.onLowWasmMemory = 'executed';
  if (ran || canister.onLowWasmMemory !== hookBefore) touch(canister);
}

/**
 * Runs the messages in order. Once an execution paused (deterministic time slicing) the rest goes back to
 * the queue's head, the paused message first. A management call waiting in the queue goes to `management`.
 */
function runMessages(round: RoundContext, canister: CanisterState, messages: readonly CanisterMessage[], management: (request: Request) => void): void {
  if (messages.length > 0) touch(canister);
  for (const [i, message] of messages.entries()) {
    if (ready(canister)) {
      // Management calls wait here behind a paused install_code (routing.ts); aaaaa-aa is the empty principal.
      if (message.kind === 'request' && message.receiver.toUint8Array().length === 0) management(message);
      else if (message.kind === 'request') executeRequest(round, canister, message);
      else executeResponse(round, canister, message);
      if (ready(canister)) continue;
    }
    return void canister.inputQueue.unshift(...messages.slice(i));
  }
}

function onlyOnTheReplicaThread(): void {
  throw new Error('a management call runs only on the replica thread');
}

/**
 * A canister's work of an inner round: its timer, heartbeat and low-memory hook (`tasks`: the first inner round),
 * then its messages. Without a management call among them it needs nothing but the canister and the context, so
 * it may run on an execution thread.
 */
export function executeCanister(round: RoundContext, canister: CanisterState, messages: readonly CanisterMessage[], tasks: boolean, management: (request: Request) => void = onlyOnTheReplicaThread): void {
  if (tasks) runTasks(round, canister);
  runMessages(round, canister, messages, management);
}

/** Whether every message is a call of the canister's own methods or a response to it (a queued management call runs here). */
function toOwnMethods(canister: CanisterState, messages: readonly CanisterMessage[]): boolean {
  return canister.wasm !== undefined && messages.every((message) => message.kind === 'response' || message.receiver.toUint8Array().length > 0);
}

/** A canister with a paused execution runs nothing else: its queue waits (it starts with the paused message). */
function ready(canister: CanisterState): boolean {
  return !hasPausedExecution(canister);
}

/** The canonical order, sorted again only when a message created or deleted a canister (kept across rounds). */
class CanisterOrder {
  #keys: string[] = [];
  #order: CanisterState[] = [];

  constructor(state: SubnetState) {
    this.#sort(state);
  }

  current(state: SubnetState): CanisterState[] {
    const canisters = state.canisters;
    const unchanged = this.#keys.length === canisters.size && this.#keys.every((key, i) => canisters.get(key) === this.#order[i]);
    if (!unchanged) this.#sort(state);
    return this.#order;
  }

  #sort(state: SubnetState): void {
    // Map keys are fixed-width hex of the id bytes, so string order is the ids' byte order.
    this.#keys = [...state.canisters.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.#order = this.#keys.map((key) => state.canisters.get(key)!);
  }
}

const orders = new WeakMap<SubnetState, CanisterOrder>();
const NO_MESSAGES: CanisterMessage[] = [];

function orderOf(state: SubnetState): CanisterOrder {
  let order = orders.get(state);
  if (!order) orders.set(state, (order = new CanisterOrder(state)));
  return order;
}

/**
 * The replica's inner rounds: messages the subnet's canisters send each other are inducted and
 * executed within the same round, until no canister has input or the round's instruction limit is
 * reached. Each canister runs on the input it had when the inner round started (canisters are
 * independent within it: the basis for parallel execution); everything they send is delivered
 * afterwards, in id order. Heartbeats and timers run once per round, in the first inner round.
 */
function executeInnerRounds(state: SubnetState, round: RoundContext, order: CanisterOrder, input: RoundInput): void {
  const meter = round.env.meter!;
  for (let first = true; ; first = false) {
    const canisters = order.current(state);
    // Paused canisters come in id order, as the canonical order has them.
    if (first) for (const canister of pausedCanistersOf(state.canisters)) completePausedExecution(round, canister);
    // Only the first inner round runs tasks, so later ones visit just the canisters that have input.
    const batch: CanisterState[] = [];
    const inputs: CanisterMessage[][] = [];
    for (const canister of canisters) {
      if (!ready(canister)) continue;
      if (canister.inputQueue.length > 0) inputs.push(canister.inputQueue.splice(0));
      else if (first && !idle(canister)) inputs.push(NO_MESSAGES);
      else continue;
      batch.push(canister);
    }
    const threadable = (index: number): readonly CanisterMessage[] | undefined => (toOwnMethods(batch[index]!, inputs[index]!) ? inputs[index] : undefined);
    runOnWorkers(round, batch, { count: 1, ...input.workers, threadable, tasks: first }, (context, index) => {
      executeCanister(context, batch[index]!, inputs[index]!, first, (request) => callManagement({ state, round: context }, request, true));
    });
    route(state, round, input.xnet);
    if (meter.instructions >= state.config.instructionLimits.round) return;
    if (!order.current(state).some((canister) => ready(canister) && canister.inputQueue.length > 0)) return;
  }
}

export function executeRound(state: SubnetState, input: RoundInput, cyclesMintingCanister: Principal): void {
  state.time = input.time > state.time ? input.time : state.time + 1n;
  state.round += 1n;
  const env = { ...environmentOf(state, cyclesMintingCanister, input.queryStats), meter: { instructions: 0n } };
  // Taken before anything runs: executions then take what they grow from it.
  void env.subnetMemory.available;
  const round: RoundContext = { env, outbox: [], ingressResults: [], ...(input.observe ? { observe: input.observe } : {}) };
  const order = orderOf(state);
  for (const canister of order.current(state)) {
    chargeStorage(state, round, canister);
    expireCallbacks(round, canister);
  }
  // The ingress history is scanned every PRUNE_INTERVAL rounds, so a round costs what it does, not
  // what the history holds.
  if (state.round % PRUNE_INTERVAL === 0n) pruneIngressHistory(state);
  for (const message of input.ingress) induct(state, round, message);
  // Messages from other subnets are inducted like ingress, after it, in stream order.
  if (input.xnet) round.outbox.push(...input.xnet.inbound);
  // Outcalls answered since the last round are inputs of this one, like ingress.
  deliverHttpOutcalls({ state, round });
  route(state, round, input.xnet);
  executeInnerRounds(state, round, order, input);
  for (const canister of order.current(state)) finishStopping({ state, round }, canister);
  route(state, round, input.xnet);
}
