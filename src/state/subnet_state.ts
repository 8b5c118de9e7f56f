// The whole replicated state of one subnet: canisters, ingress history, time and id allocation.
import type { CanisterState } from './canister.ts';
import type { IngressStatus } from './messages.ts';
import { canisterIdFromIndex, comparePrincipals, principalKey, type Principal } from './principal.ts';
import type { CostSchedule } from './cost_schedule.ts';
import type { InstructionLimits } from './units.ts';
import type { SystemCanistersState } from './system_canisters.ts';

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
}

export function getCanister(state: SubnetState, id: Principal): CanisterState | undefined {
  return state.canisters.get(principalKey(id));
}

/** Canisters in canonical order (by id bytes). */
export function canistersInOrder(state: SubnetState): CanisterState[] {
  return [...state.canisters.values()].sort((a, b) => comparePrincipals(a.id, b.id));
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
