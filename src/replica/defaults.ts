// The replica's defaults, resolved in one place so that every front end (library, HTTP server, CLI)
// builds the same subnet from the same options.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  COMPOSITE_QUERY_MAX_DEPTH,
  DEFAULT_MESSAGE_MEMORY_CAPACITY,
  DEFAULT_QUEUE_CAPACITY,
  DEFAULT_SUBNET_MEMORY_CAPACITY,
  DEFAULT_SUBNET_MEMORY_RESERVATION,
  type InstructionLimits,
  type Principal,
} from '../state/index.ts';
import type { SubnetType } from '../certification/index.ts';
import { DEFAULT_MAX_LIVE_INSTANCES } from '../execution/index.ts';

export type CostScheduleName = 'application' | 'free';

/** Where a subnet sits in a network of subnets; a lone replica has its own defaults. */
export interface SubnetPlacement {
  /** A fixed id (PocketIC gives named subnets their mainnet ids); default: self-authenticating over the subnet's key. */
  subnetId?: Principal;
  /** Canister index ranges the subnet hosts, inclusive; automatic ids come from the last one. */
  ranges: { start: bigint; end: bigint }[];
  /** Nodes of the subnet (fees scale with it). */
  size: number;
  type: SubnetType;
  /** The root subnet's public key (DER), when this subnet is not the root. */
  rootKeyDer?: Uint8Array;
}

/** What a front end may choose; everything left out gets the default below. */
export interface ReplicaConfig {
  /** Seed of the subnet's keys and randomness (default: random). Same seed + same inputs = same state hash. */
  seed?: Uint8Array;
  /** Initial time in nanoseconds since the epoch (default: the wall clock). */
  time?: bigint;
  /** `application`: the 13-node application subnet prices (default); `free`: no cycles are charged. */
  costSchedule?: CostScheduleName;
  /** Lower per-message instruction limits than the IC's (tests of limits); default the IC's. */
  instructionLimits?: Partial<InstructionLimits>;
  /** Calls a canister may have outstanding to one destination (default the replica's 500). */
  queueCapacity?: number;
  /** Bytes of memory all canisters may take together (default the replica's 2 TiB). */
  subnetMemoryCapacity?: bigint;
  /** Bytes of that capacity only response callbacks may use (default the replica's 10 GiB). */
  subnetMemoryReservation?: bigint;
  /** Bytes of message memory the subnet's outstanding guaranteed-response calls may hold (default the replica's 15 GiB). */
  messageMemoryCapacity?: bigint;
  /** Nested calls a composite query may make before the whole query fails (default the replica's 6). */
  compositeQueryMaxDepth?: number;
  /**
   * Who holds cycles and ICP. `lazy` (default): every user account of the cycles ledger starts with
   * 1000 T cycles, nobody holds ICP. `icp-cli` (the network launcher): the anonymous principal holds very
   * large ICP and cycles balances and no other account is funded by itself.
   */
  funding?: 'lazy' | 'icp-cli';
  /** The subnet's place in a network (default: a lone subnet with its own root key). */
  subnet?: SubnetPlacement;
  /**
   * Wasm instances kept live per subnet (default 1,000): beyond it, the least recently used idle canisters keep
   * their heap as bytes and are instantiated again when a message needs them. No state depends on it.
   */
  maxLiveInstances?: number;
  /**
   * Workers that execute a round's canisters (default: the machine's cores). Each canister is pinned to one
   * and the outputs merge in canonical order, so no state depends on the count. Worker 0 is the replica's
   * thread, each other one a thread of its own; 1 runs the canisters in canonical order on the round's own context.
   */
  workers?: number;
}

/** A configuration with every choice made. */
export interface ReplicaOptions {
  seed: Uint8Array;
  time: bigint;
  costSchedule: CostScheduleName;
  instructionLimits: Partial<InstructionLimits>;
  queueCapacity: number;
  subnetMemoryCapacity: bigint;
  subnetMemoryReservation: bigint;
  messageMemoryCapacity: bigint;
  compositeQueryMaxDepth: number;
  subnet: SubnetPlacement | undefined;
  maxLiveInstances: number;
  workers: number;
}

export const NANOS_PER_MILLISECOND = 1_000_000n;

/** The wall clock in nanoseconds since the epoch: read only by front ends, never inside a round. */
export function wallClockNanos(): bigint {
  return BigInt(Date.now()) * NANOS_PER_MILLISECOND;
}

export function randomSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

function liveInstanceLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_MAX_LIVE_INSTANCES;
  if (!(limit >= 0) || !(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY)) throw new RangeError(`maxLiveInstances takes a non-negative integer or Infinity, got ${limit}`);
  return limit;
}

function workerCount(workers: number | undefined): number {
  if (workers === undefined) return availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers takes a positive integer, got ${workers}`);
  return workers;
}

export function resolveReplicaConfig(config: ReplicaConfig): ReplicaOptions {
  return {
    seed: config.seed ?? randomSeed(),
    time: config.time ?? wallClockNanos(),
    costSchedule: config.costSchedule ?? 'application',
    instructionLimits: config.instructionLimits ?? {},
    queueCapacity: config.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
    subnetMemoryCapacity: config.subnetMemoryCapacity ?? DEFAULT_SUBNET_MEMORY_CAPACITY,
    subnetMemoryReservation: config.subnetMemoryReservation ?? DEFAULT_SUBNET_MEMORY_RESERVATION,
    messageMemoryCapacity: config.messageMemoryCapacity ?? DEFAULT_MESSAGE_MEMORY_CAPACITY,
    compositeQueryMaxDepth: config.compositeQueryMaxDepth ?? COMPOSITE_QUERY_MAX_DEPTH,
    subnet: config.subnet,
    maxLiveInstances: liveInstanceLimit(config.maxLiveInstances),
    workers: workerCount(config.workers),
  };
}
