// The `Topology` JSON of an instance: every subnet with its kind, seed, size, canister ranges and
// configuration, keyed by the subnet's principal text, and the default effective canister id.
import { createHash } from 'node:crypto';
import { canisterIdFromIndex } from '../state/index.ts';
import type { PocketIcInstance } from './instance.ts';
import { principalJson } from './json.ts';
import { labelOf } from './subnet_layout.ts';

function rangeJson(start: bigint, end: bigint) {
  return { start: { canister_id: principalJson(canisterIdFromIndex(start)) }, end: { canister_id: principalJson(canisterIdFromIndex(end)) } };
}

export function topologyJson(instance: PocketIcInstance) {
  const network = instance.network;
  const subnets = network.subnets.map((replica, index) => {
    const config = replica.state.config;
    const { kind, instructionConfig } = labelOf(network.specs[index]!);
    const subnet = {
      subnet_kind: kind,
      subnet_seed: [...createHash('sha256').update('pocketic subnet seed').update(replica.seed).digest()],
      size: config.subnetSize,
      instruction_config: instructionConfig,
      canister_ranges: config.ranges.map((range) => rangeJson(range.start, range.end)),
      subnet_admins: null,
      cost_schedule: network.specs[index]!.costSchedule === 'free' && kind === 'Application' ? 'Free' : 'Normal',
    };
    return [config.subnetId.toText(), subnet] as const;
  });
  return {
    subnet_configs: Object.fromEntries(subnets),
    default_effective_canister_id: { canister_id: principalJson(instance.defaultEffectiveCanisterId) },
  };
}
