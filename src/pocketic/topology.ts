// The `Topology` JSON of an instance: its one application subnet with its canister ranges, keyed by
// the subnet's principal text, and the default effective canister id (the first user canister id).
import { createHash } from 'node:crypto';
import { canisterIdFromIndex, type Principal } from '../state/index.ts';
import type { PocketIcInstance } from './instance.ts';
import { principalJson } from './json.ts';

function rangeJson(start: bigint, end: bigint) {
  return { start: { canister_id: principalJson(canisterIdFromIndex(start)) }, end: { canister_id: principalJson(canisterIdFromIndex(end)) } };
}

export function subnetId(instance: PocketIcInstance): Principal {
  return instance.state.config.subnetId;
}

export function topologyJson(instance: PocketIcInstance) {
  const config = instance.state.config;
  const seed = [...createHash('sha256').update('pocketic subnet seed').update(instance.replica.seed).digest()];
  const subnet = {
    subnet_kind: 'Application',
    subnet_seed: seed,
    size: config.subnetSize,
    instruction_config: instance.options.instructionConfig,
    canister_ranges: config.ranges.map((range) => rangeJson(range.start, range.end)),
    subnet_admins: null,
    cost_schedule: instance.options.costSchedule === 'free' ? 'Free' : 'Normal',
  };
  const firstUserRange = config.ranges.find((range) => range.start > 0n) ?? config.ranges[0]!;
  return {
    subnet_configs: { [config.subnetId.toText()]: subnet },
    default_effective_canister_id: { canister_id: principalJson(canisterIdFromIndex(firstUserRange.start)) },
  };
}
