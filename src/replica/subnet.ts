// Building a fresh single-subnet state: keys, subnet id, canister ranges (interface spec, sections
// "Principals" and "Canister ranges"; the subnet id is self-authenticating over the root key).
import { createHash } from 'node:crypto';
import type { ReplicaOptions } from './defaults.ts';
import { blsKeyFromSeed, type BlsKeyPair } from '../certification/index.ts';
import { APPLICATION_SUBNET_COSTS, FREE_COSTS, INSTRUCTION_LIMITS, newHttpOutcallsState, newSystemCanistersState, Principal, type SubnetState } from '../state/index.ts';

/** Canister indices of the subnet: the low range holds system canisters at their mainnet ids. */
export const SUBNET_RANGES = [
  { start: 0n, end: 0xfffffn },
  { start: 0x100000n, end: 0x1fffffn },
  { start: 0x2100000n, end: 0x21fffffn },
];
/** User canisters are allocated from here: the first is 5v3p4-iyaaa-aaaaa-qaaaa-cai. */
export const FIRST_USER_CANISTER_INDEX = 0x100000n;


export function deriveBytes(seed: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(label).update(seed).digest());
}

export function newSubnetState(options: ReplicaOptions): { state: SubnetState; rootKey: BlsKeyPair } {
  const rootKey = blsKeyFromSeed(deriveBytes(options.seed, 'capsule root key'));
  const placement = options.subnet;
  const subnetId = placement?.subnetId ?? Principal.selfAuthenticating(rootKey.publicKeyDer);
  const ranges = placement?.ranges ?? SUBNET_RANGES;
  const state: SubnetState = {
    config: {
      subnetId,
      ranges,
      costs: options.costSchedule === 'free' ? FREE_COSTS : APPLICATION_SUBNET_COSTS,
      subnetSize: placement?.size ?? 13,
      rootKeyDer: placement?.rootKeyDer ?? rootKey.publicKeyDer,
      instructionLimits: { ...INSTRUCTION_LIMITS, ...options.instructionLimits },
      queueCapacity: options.queueCapacity,
      memoryCapacity: options.subnetMemoryCapacity,
      memoryReservation: options.subnetMemoryReservation,
      messageMemoryCapacity: options.messageMemoryCapacity,
      compositeQueryMaxDepth: options.compositeQueryMaxDepth,
    },
    canisters: new Map(),
    // A placed subnet allocates from its last range, as the replica does from its allocation range.
    nextCanisterIndex: placement ? ranges.at(-1)!.start : FIRST_USER_CANISTER_INDEX,
    time: options.time,
    round: 0n,
    randomSeed: deriveBytes(options.seed, 'capsule randomness'),
    randomCounter: 0n,
    ingress: new Map(),
    systemCanisters: newSystemCanistersState(),
    httpOutcalls: newHttpOutcallsState(),
  };
  return { state, rootKey };
}
