// The whole replicated state of one subnet: canisters, ingress history, time and id allocation.
import type { CanisterState } from './canister.ts';
import type { IngressStatus } from './messages.ts';
import { canisterIdFromIndex, principalKey, type Principal } from './principal.ts';
import type { CostSchedule } from './cost_schedule.ts';
import type { InstructionLimits } from './units.ts';
import type { SystemCanistersState } from './system_canisters.ts';

export interface SubnetConfig {
  subnetId: Principal;
  /** Canister index ranges owned by this subnet, inclusive (§7). */
  ranges: { start: bigint; end: bigint }[];
  costs: CostSchedule;
  /** Nodes of the subnet; fees scale with size / 13 (§8.1). */
  subnetSize: number;
  rootKeyDer: Uint8Array;
  /** Per-message instruction limits (digest §8.2 unless configured lower, e.g. for fast tests). */
  instructionLimits: InstructionLimits;
  /** Calls a canister may have outstanding to one destination (the replica's queue capacity, 500). */
  queueCapacity: number;
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
  /** Seed for raw_rand and other randomness; an input like time (DESIGN 2). */
  randomSeed: Uint8Array;
  randomCounter: bigint;
  ingress: Map<string, IngressStatus>;
  /** Ledger balances and other state of the natively implemented system canisters (cycles ledger, CMC). */
  systemCanisters: SystemCanistersState;
}

export function getCanister(state: SubnetState, id: Principal): CanisterState | undefined {
  return state.canisters.get(principalKey(id));
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
