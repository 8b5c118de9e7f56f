// How PocketIC lays out an instance's subnets: the order it creates them in (NNS first, then the other
// named subnets, then system, application and verified application subnets), the fixed mainnet
// canister ranges of named subnets, one 2^20-id range per subnet taken from the top of the id space
// (the first is lxzze-o7777-77777-aaaaa-cai), node counts, and mainnet subnet ids.
import type { CostScheduleName, NetworkSubnetSpec } from '../replica/index.ts';
import { canisterIndexOf, type InstructionLimits, Principal } from '../state/index.ts';

export type SubnetKind = 'NNS' | 'SNS' | 'II' | 'Fiduciary' | 'Bitcoin' | 'TestThresholdKeys' | 'System' | 'Application' | 'VerifiedApplication';

/** What the configuration asks of one subnet. */
export interface SubnetRequest {
  kind: SubnetKind;
  costSchedule: CostScheduleName;
  instructionConfig: 'Production' | 'Benchmarking';
}

interface Range {
  start: bigint;
  end: bigint;
}

/** Canisters per subnet range (the replica's CANISTER_IDS_PER_SUBNET). */
const IDS_PER_RANGE = 1n << 20n;
const MAX_INDEX = (1n << 64n) - 1n;

function range(start: string, end: string): Range {
  return { start: canisterIndexOf(Principal.fromText(start))!, end: canisterIndexOf(Principal.fromText(end))! };
}

/** The canister ranges PocketIC gives named subnets (their mainnet ranges). */
const NAMED_RANGES: Partial<Record<SubnetKind, Range[]>> = {
  NNS: [range('rwlgt-iiaaa-aaaaa-aaaaa-cai', 'renrk-eyaaa-aaaaa-aaada-cai'), range('qoctq-giaaa-aaaaa-aaaea-cai', 'n5n4y-3aaaa-aaaaa-p777q-cai')],
  II: [range('rdmx6-jaaaa-aaaaa-aaadq-cai', 'rdmx6-jaaaa-aaaaa-aaadq-cai'), range('uc7f6-kaaaa-aaaaq-qaaaa-cai', 'ijz7v-ziaaa-aaaaq-7777q-cai')],
  Bitcoin: [range('g3wsl-eqaaa-aaaan-aaaaa-cai', '2qqia-xyaaa-aaaan-p777q-cai')],
  Fiduciary: [range('mf7xa-laaaa-aaaar-qaaaa-cai', 'qoznl-yiaaa-aaaar-7777q-cai')],
  SNS: [range('ybpmr-kqaaa-aaaaq-aaaaa-cai', 'ekjw2-zyaaa-aaaaq-p777q-cai')],
  TestThresholdKeys: [range('z474k-xiaaa-aaaao-qaaaa-cai', 'fxzgb-eaaaa-aaaao-7777q-cai')],
};

/** Mainnet subnet ids PocketIC gives named subnets (NNS only with `mainnet_nns_subnet_id`). */
export const MAINNET_SUBNET_IDS: Partial<Record<SubnetKind, string>> = {
  NNS: 'tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe',
  II: 'uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe',
  Bitcoin: 'w4rem-dv5e3-widiz-wbpea-kbttk-mnzfm-tzrc7-svcj3-kbxyb-zamch-hqe',
  Fiduciary: 'pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae',
  SNS: 'x33ed-h457x-bsgyx-oqxqf-6pzwv-wkhzr-rm2j3-npodi-purzm-n66cg-gae',
  TestThresholdKeys: 'fuqsr-in2lc-zbcjj-ydmcw-pzq7h-4xm2z-pto4i-dcyee-5z4rz-x63ji-nae',
};

const SIZES: Record<SubnetKind, number> = {
  NNS: 40,
  SNS: 34,
  II: 34,
  Fiduciary: 34,
  Bitcoin: 13,
  TestThresholdKeys: 13,
  System: 13,
  Application: 13,
  VerifiedApplication: 13,
};

/** The subnet type of the IC registry each kind has. */
const TYPES: Record<SubnetKind, NetworkSubnetSpec['placement']['type']> = {
  NNS: 'system',
  II: 'system',
  Bitcoin: 'system',
  TestThresholdKeys: 'system',
  System: 'system',
  SNS: 'application',
  Fiduciary: 'application',
  Application: 'application',
  VerifiedApplication: 'verified_application',
};

/** Creation order of the kinds; within a kind, the order of the configuration. */
export const KIND_ORDER: readonly SubnetKind[] = ['NNS', 'SNS', 'II', 'Fiduciary', 'Bitcoin', 'TestThresholdKeys', 'System', 'Application', 'VerifiedApplication'];

/** The benchmarking limits of PocketIC raise the per-message and per-round instruction limits. */
const BENCHMARKING_LIMIT = 99_999_999_999_999n;
const BENCHMARKING: Partial<InstructionLimits> = { update: BENCHMARKING_LIMIT, install: BENCHMARKING_LIMIT, round: BENCHMARKING_LIMIT };

/** The `n`-th range from the top of the id space. */
function topRange(n: bigint): Range {
  const start = (MAX_INDEX / IDS_PER_RANGE - 1n - n) * IDS_PER_RANGE;
  return { start, end: start + IDS_PER_RANGE - 1n };
}

function subnetIdOf(kind: SubnetKind, index: number, mainnetNnsSubnetId: boolean): string | undefined {
  if (kind === 'NNS') return mainnetNnsSubnetId ? MAINNET_SUBNET_IDS.NNS : undefined;
  // Agents derive the root subnet's id from the root key: a root subnet other than the NNS keeps that id.
  if (index === 0) return undefined;
  return MAINNET_SUBNET_IDS[kind];
}

/**
 * The network's subnets for these requests, in PocketIC's creation order (the first is the root
 * subnet). A named subnet keeps its mainnet ranges and allocates from a range of its own after them.
 */
export function layoutSubnets(requests: readonly SubnetRequest[], mainnetNnsSubnetId: boolean): NetworkSubnetSpec[] {
  const ordered = [...requests].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return ordered.map((request, index) => {
    const fixed = NAMED_RANGES[request.kind] ?? [];
    const subnetId = subnetIdOf(request.kind, index, mainnetNnsSubnetId);
    return {
      label: `${request.kind}/${request.instructionConfig}`,
      placement: {
        subnetId: subnetId === undefined ? undefined : Principal.fromText(subnetId),
        ranges: [...fixed, topRange(BigInt(index))],
        size: SIZES[request.kind],
        type: TYPES[request.kind],
      },
      // System subnets charge no cycles on the IC.
      costSchedule: TYPES[request.kind] === 'system' ? 'free' : request.costSchedule,
      instructionLimits: request.instructionConfig === 'Benchmarking' ? BENCHMARKING : {},
    };
  });
}

/** The kind and instruction configuration recorded in a subnet's label. */
export function labelOf(spec: NetworkSubnetSpec): { kind: SubnetKind; instructionConfig: 'Production' | 'Benchmarking' } {
  const [kind, instructionConfig] = spec.label.split('/');
  return { kind: kind as SubnetKind, instructionConfig: instructionConfig === 'Benchmarking' ? 'Benchmarking' : 'Production' };
}
