// Subnet-level state besides canisters, ingress history, time and ids: today the natively implemented
// system canisters (cycles ledger balances). Stored as one value of every other field of SubnetState,
// so that a field added to the state later is persisted without a change here (or refused loudly by
// the value encoding if it is not plain data).
import type { SubnetState } from '../state/index.ts';
import { corrupt } from './errors.ts';
import { decodeValue, encodeToBytes } from './value_codec.ts';

/** Fields stored on their own (config is derived from the seed and checked, not restored). */
const APART = new Set(['config', 'canisters', 'ingress', 'time', 'round', 'nextCanisterIndex', 'randomSeed', 'randomCounter']);

export function encodeSubnetExtras(state: SubnetState): Uint8Array {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) if (!APART.has(key)) extras[key] = value;
  return encodeToBytes(extras, 'subnet');
}

/** Puts stored extras into `state` (fields absent from `bytes` keep their fresh values). */
export function restoreSubnetExtras(state: SubnetState, bytes: Uint8Array | undefined, path: string): void {
  if (!bytes) return;
  const extras = decodeValue(bytes, path);
  if (typeof extras !== 'object' || extras === null) throw corrupt(path, 0, bytes.length, 'the subnet record is not an object');
  Object.assign(state, extras);
}
