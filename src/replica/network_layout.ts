// The layout of a network kept in its state directory (network.json): the seed and each subnet's
// place, cost schedule, instruction limits and label, so that a reopened directory rebuilds the same
// subnets whatever the front end asks for. Big integers are written as decimal strings.
import { Principal } from '../state/index.ts';
import type { NetworkSubnetSpec } from './network.ts';

export interface NetworkLayout {
  seed: Uint8Array;
  subnets: NetworkSubnetSpec[];
  restored: boolean;
}

const FORMAT = 'capsule-network-1';

export function encodeLayout(layout: NetworkLayout): string {
  const subnets = layout.subnets.map((spec) => ({
    label: spec.label,
    subnetId: spec.placement.subnetId?.toText(),
    ranges: spec.placement.ranges.map((range) => [String(range.start), String(range.end)]),
    size: spec.placement.size,
    type: spec.placement.type,
    costSchedule: spec.costSchedule,
    instructionLimits: Object.fromEntries(Object.entries(spec.instructionLimits).map(([name, value]) => [name, String(value)])),
  }));
  return `${JSON.stringify({ format: FORMAT, seed: Buffer.from(layout.seed).toString('hex'), subnets }, null, 1)}\n`;
}

/** @throws Error naming the file when it is not a layout this version wrote. */
export function decodeLayout(text: string, file: string): Omit<NetworkLayout, 'restored'> {
  try {
    const raw = JSON.parse(text);
    if (raw.format !== FORMAT) throw new Error(`unknown format ${JSON.stringify(raw.format)}`);
    const subnets: NetworkSubnetSpec[] = raw.subnets.map((subnet: Record<string, never>) => ({
      label: String(subnet.label),
      costSchedule: subnet.costSchedule,
      instructionLimits: Object.fromEntries(Object.entries(subnet.instructionLimits).map(([name, value]) => [name, BigInt(value as string)])),
      placement: {
        subnetId: subnet.subnetId === undefined ? undefined : Principal.fromText(subnet.subnetId),
        ranges: (subnet.ranges as [string, string][]).map(([start, end]) => ({ start: BigInt(start), end: BigInt(end) })),
        size: Number(subnet.size),
        type: subnet.type,
      },
    }));
    return { seed: new Uint8Array(Buffer.from(raw.seed, 'hex')), subnets };
  } catch (error) {
    throw new Error(`${file} is not a network layout: ${(error as Error).message}`);
  }
}
