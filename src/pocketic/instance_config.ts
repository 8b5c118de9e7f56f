// The `InstanceConfig` of `POST /instances`, as the PocketIC server accepts it (every field of
// server v14; unknown keys ignored as serde does). Capsule hosts one application subnet per
// instance: a configuration asking for anything else is refused with a message naming it.
import type { CostScheduleName } from '../replica/index.ts';
import type { InstructionLimits } from '../state/index.ts';
import { badConfig } from './errors.ts';
import { isObject, type Json, type JsonObject, object } from './json.ts';

export interface InstanceOptions {
  costSchedule: CostScheduleName;
  instructionConfig: 'Production' | 'Benchmarking';
  instructionLimits: Partial<InstructionLimits>;
  stateDir: string | undefined;
  /** Initial time in ns; undefined with auto progress (the wall clock). */
  time: bigint;
  autoProgressDelayMs: number | undefined;
  /** `http_gateway_config`: a gateway started with the instance (its fields are checked where it starts). */
  httpGateway: JsonObject | undefined;
}

/** PocketIC's initial time: 2021-05-06T19:17:10Z. */
export const DEFAULT_TIME = 1_620_328_630_000_000_000n;

/** The benchmarking limits of PocketIC raise the per-message and per-round instruction limits. */
const BENCHMARKING_LIMIT = 99_999_999_999_999n;
const BENCHMARKING: Partial<InstructionLimits> = { update: BENCHMARKING_LIMIT, install: BENCHMARKING_LIMIT, round: BENCHMARKING_LIMIT };

const SINGLE_SUBNETS = ['nns', 'sns', 'ii', 'fiduciary', 'bitcoin', 'test_threshold_keys'];
const SUBNET_LISTS = ['system', 'application', 'verified_application', 'cloud_engine'];

function subnetSpecs(set: JsonObject): { kind: string; spec: JsonObject }[] {
  const specs: { kind: string; spec: JsonObject }[] = [];
  for (const kind of SINGLE_SUBNETS) {
    const spec = set[kind];
    if (spec !== undefined && spec !== null) specs.push({ kind, spec: object(spec, `subnet_config_set.${kind}`) });
  }
  for (const kind of SUBNET_LISTS) {
    const list = set[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw badConfig(`subnet_config_set.${kind} must be a list`);
    for (const spec of list) specs.push({ kind, spec: object(spec, `subnet_config_set.${kind}[]`) });
  }
  return specs;
}

function describeUnsupported(specs: readonly { kind: string }[]): string {
  const counts = new Map<string, number>();
  for (const { kind } of specs) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function applicationSpec(config: JsonObject): JsonObject {
  const set = object(config.subnet_config_set, 'subnet_config_set');
  const specs = subnetSpecs(set);
  if (specs.length === 0) throw badConfig('at least one subnet must be configured');
  if (specs.length !== 1 || specs[0]!.kind !== 'application') {
    throw badConfig(`Capsule hosts one application subnet per instance; not supported yet: ${describeUnsupported(specs)} subnet(s)`);
  }
  return specs[0]!.spec;
}

function costScheduleOf(spec: JsonObject): CostScheduleName {
  const value = spec.cost_schedule ?? 'Normal';
  if (value === 'Normal') return 'application';
  if (value === 'Free') return 'free';
  throw badConfig(`unknown cost_schedule ${JSON.stringify(value)} (expected "Normal" or "Free")`);
}

function instructionConfigOf(spec: JsonObject): 'Production' | 'Benchmarking' {
  const value = spec.instruction_config ?? 'Production';
  if (value === 'Production' || value === 'Benchmarking') return value;
  throw badConfig(`unknown instruction_config ${JSON.stringify(value)} (expected "Production" or "Benchmarking")`);
}

function checkStateConfig(spec: JsonObject): void {
  const value = spec.state_config ?? 'New';
  if (value === 'New') return;
  if (isObject(value) && 'FromPath' in value) throw badConfig('subnet state from a path (FromPath) is not supported: Capsule cannot read replica state; use state_dir');
  throw badConfig(`unknown state_config ${JSON.stringify(value)}`);
}

function nanos(value: Json | undefined, what: string): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw badConfig(`${what} must be a non-negative integer`);
}

function initialTime(config: JsonObject): { time: bigint; autoProgressDelayMs: number | undefined } {
  const value = config.initial_time;
  if (value === undefined || value === null) return { time: DEFAULT_TIME, autoProgressDelayMs: undefined };
  const initial = object(value, 'initial_time');
  if (isObject(initial.Timestamp)) {
    const time = nanos(initial.Timestamp.nanos_since_epoch, 'initial_time.Timestamp.nanos_since_epoch');
    if (time < DEFAULT_TIME) throw badConfig(`The initial timestamp (unix timestamp in nanoseconds) must be no earlier than ${DEFAULT_TIME} (provided ${time}).`);
    return { time, autoProgressDelayMs: undefined };
  }
  if (isObject(initial.AutoProgress)) {
    const delay = initial.AutoProgress.artificial_delay_ms;
    const delayMs = delay === undefined || delay === null ? 0 : Number(nanos(delay, 'initial_time.AutoProgress.artificial_delay_ms'));
    return { time: BigInt(Date.now()) * 1_000_000n, autoProgressDelayMs: delayMs };
  }
  throw badConfig('initial_time must be {"Timestamp": …} or {"AutoProgress": …}');
}

/** Options the other fields ask for that Capsule does not provide yet: refused, not silently ignored. */
function checkUnsupported(config: JsonObject): void {
  const features = config.icp_features;
  if (isObject(features)) {
    const asked = Object.entries(features).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k);
    if (asked.length > 0) throw badConfig(`ICP features are not supported yet: ${asked.join(', ')}`);
  }
  if (config.disable_ingress_validation === true) throw badConfig('disable_ingress_validation is not supported yet');
  for (const name of ['bitcoind_addr', 'dogecoind_addr']) {
    const addrs = config[name];
    if (Array.isArray(addrs) && addrs.length > 0) throw badConfig(`${name} is not supported: Capsule has no bitcoin or dogecoin subnet`);
  }
}

export function parseInstanceConfig(body: Json): InstanceOptions {
  if (!isObject(body)) throw badConfig('the instance configuration must be a JSON object');
  const spec = applicationSpec(body);
  checkStateConfig(spec);
  checkUnsupported(body);
  const stateDir = body.state_dir;
  if (stateDir !== undefined && stateDir !== null && typeof stateDir !== 'string') throw badConfig('state_dir must be a path');
  const instructionConfig = instructionConfigOf(spec);
  return {
    costSchedule: costScheduleOf(spec),
    instructionConfig,
    instructionLimits: instructionConfig === 'Benchmarking' ? BENCHMARKING : {},
    stateDir: stateDir ?? undefined,
    httpGateway: body.http_gateway_config === undefined || body.http_gateway_config === null ? undefined : object(body.http_gateway_config, 'http_gateway_config'),
    ...initialTime(body),
  };
}
