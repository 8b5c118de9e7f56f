// Subnet-level state besides canisters, ingress history, time and ids: the fields of SubnetState listed
// in EXTRA_FIELDS (the natively implemented system canisters' state, pending HTTP outcalls, the streams
// to other subnets of a network), stored as
// one value with the fields named. Both lists are checked against SubnetState at compile time, so a
// field added to the state fails `tsc` here until it is listed.
import { completeSystemCanistersState, newHttpOutcallsState, type SubnetState, type SystemCanistersState } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { decodeValue, encodeToBytes } from './value_codec.ts';

/** Fields stored in the subnet extras value. */
export const EXTRA_FIELDS = ['systemCanisters', 'httpOutcalls', 'xnet'] as const satisfies readonly (keyof SubnetState)[];

/** Fields stored on their own (config is derived from the seed and checked, not restored). */
export const SUBNET_APART_FIELDS = ['config', 'canisters', 'ingress', 'time', 'round', 'nextCanisterIndex', 'randomSeed', 'randomCounter'] as const satisfies readonly (keyof SubnetState)[];

type Unlisted = Exclude<keyof SubnetState, (typeof EXTRA_FIELDS)[number] | (typeof SUBNET_APART_FIELDS)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : { unlisted: Unlisted } = true;
void everyFieldListed;

export function encodeSubnetExtras(state: SubnetState): Uint8Array {
  const extras: Record<string, unknown> = {};
  for (const field of EXTRA_FIELDS) extras[field] = state[field];
  return encodeToBytes(extras, 'subnet');
}

/** Puts stored extras into `state` (fields absent from `bytes` keep their fresh values). */
export function restoreSubnetExtras(state: SubnetState, bytes: Uint8Array | undefined, path: string): void {
  if (!bytes) return;
  const extras = decodeValue(bytes, path);
  if (typeof extras !== 'object' || extras === null) throw corrupt(path, 0, bytes.length, 'the subnet record is not an object');
  const unknown = Object.keys(extras).filter((key) => !(EXTRA_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) throw corrupt(path, 0, bytes.length, `the subnet record has unknown fields [${unknown.join(', ')}]`);
  Object.assign(state, extras);
  // Fields added to the record since the directory was written take their defaults.
  state.systemCanisters = completeSystemCanistersState(state.systemCanisters as Partial<SystemCanistersState>);
  state.httpOutcalls ??= newHttpOutcallsState();
}
