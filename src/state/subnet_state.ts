// The whole replicated state of one subnet: canisters, ingress history, time and id allocation.
import { type CanisterState, memoryUsageBytes } from './canister.ts';
import type { IngressStatus } from './messages.ts';
import { canisterIdFromIndex, principalKey, type Principal } from './principal.ts';
import type { CostSchedule } from './cost_schedule.ts';
import type { InstructionLimits } from './units.ts';
import type { SystemCanistersState } from './system_canisters.ts';
import type { HttpOutcallsState } from './http_outcalls.ts';
import type { XNetState } from './xnet.ts';

export interface SubnetConfig {
  subnetId: Principal;
  /** Canister index ranges owned by this subnet, inclusive. */
  ranges: { start: bigint; end: bigint }[];
  costs: CostSchedule;
  /** Nodes of the subnet; fees scale with size / 13 (the IC's cycle costs). */
  subnetSize: number;
  rootKeyDer: Uint8Array;
  /** Per-message instruction limits (the IC's resource limits unless configured lower, e.g. for fast tests). */
  instructionLimits: InstructionLimits;
  /** Calls a canister may have outstanding to one destination (the replica's queue capacity, 500). */
  queueCapacity: number;
  /** Memory all canisters may take together, in bytes (the replica's subnet memory capacity). */
  memoryCapacity: bigint;
  /** Of the capacity, what only response callbacks may use (the replica's subnet memory reservation). */
  memoryReservation: bigint;
  /** Bytes of guaranteed-response message memory the subnet's outstanding calls may hold (the replica's 15 GiB). */
  messageMemoryCapacity: bigint;
  /** Nested calls a composite query may make before the whole query fails (the replica's 6). */
  compositeQueryMaxDepth: number;
}

export interface SubnetState {
  config: SubnetConfig;
  canisters: Map<string, CanisterState>;
  /** Ids of deleted canisters are never reused. */
  nextCanisterIndex: bigint;
  time: bigint;
  round: bigint;
  /** Seed for raw_rand and other randomness; an input like time. */
  randomSeed: Uint8Array;
  randomCounter: bigint;
  ingress: Map<string, IngressStatus>;
  /** Ledger balances and other state of the natively implemented system canisters (cycles ledger, CMC). */
  systemCanisters: SystemCanistersState;
  /** Canister HTTP outcalls made and not yet answered to their canisters. */
  httpOutcalls: HttpOutcallsState;
  /** Messages to and from the other subnets of a network; absent on a subnet that never exchanged any. */
  xnet?: XNetState;
}

/** The door to a canister for code that may change it: marks it touched for persistence. */
export function getCanister(state: SubnetState, id: Principal): CanisterState | undefined {
  const canister = state.canisters.get(principalKey(id));
  if (canister) canister.dirty.touched = true;
  return canister;
}

/** Marks a canister reached other than through `getCanister` (e.g. by iteration) as possibly changed. */
export function touch(canister: CanisterState): void {
  canister.dirty.touched = true;
}

/** Memory the canisters take from the subnet: each its memory allocation, or its usage if larger. */
export function subnetMemoryTaken(state: SubnetState): bigint {
  let taken = 0;
  for (const canister of state.canisters.values()) {
    const usage = memoryUsageBytes(canister);
    const allocation = canister.settings.memoryAllocation;
    taken += allocation === 0n ? usage : Math.max(usage, Number(allocation));
  }
  return BigInt(taken);
}

/** Canisters in canonical order (by id bytes: the map keys are fixed-width hex, which sorts alike). */
export function canistersInOrder(state: SubnetState): CanisterState[] {
  const keys = [...state.canisters.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => state.canisters.get(key)!);
}

export function isInSubnetRanges(config: SubnetConfig, index: bigint): boolean {
  return config.ranges.some((range) => index >= range.start && index <= range.end);
}

/** The next free canister id of the subnet's ranges, or undefined when they are exhausted. */
export function allocateCanisterId(state: SubnetState): Principal | undefined {
  for (;;) {
    const index = state.nextCanisterIndex;
    const range = state.config.ranges.find((r) => index <= r.end && index >= r.start)
      ?? state.config.ranges.find((r) => r.start > index);
    if (!range) return undefined;
    const candidate = index < range.start ? range.start : index;
    state.nextCanisterIndex = candidate + 1n;
    const id = canisterIdFromIndex(candidate);
    if (!state.canisters.has(principalKey(id))) return id;
  }
}
