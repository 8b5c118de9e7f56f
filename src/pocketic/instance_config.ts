// The `InstanceConfig` of `POST /instances`, as the PocketIC server accepts it (every field of
// server v14; unknown keys ignored as serde does): every subnet kind pic-js can ask for, each with
// its cost schedule and instruction configuration. What Capsule does not provide is refused with a
// message naming it.
import type { CostScheduleName } from '../replica/index.ts';
import { badConfig } from './errors.ts';
import { isObject, type Json, type JsonObject, object } from './json.ts';
import type { SubnetKind, SubnetRequest } from './subnet_layout.ts';

export interface InstanceOptions {
  /** The subnets asked for, in the order of the configuration. */
  subnets: SubnetRequest[];
  /** Give the NNS subnet its mainnet id (`mainnet_nns_subnet_id`). */
  mainnetNnsSubnetId: boolean;
  stateDir: string | undefined;
  /** Initial time in ns; undefined with auto progress (the wall clock). */
  time: bigint;
  autoProgressDelayMs: number | undefined;
  /** `http_gateway_config`: a gateway started with the instance (its fields are checked where it starts). */
  httpGateway: JsonObject | undefined;
}

/** PocketIC's initial time: 2021-05-06T19:17:10Z. */
export const DEFAULT_TIME = 1_620_328_630_000_000_000n;

const SINGLE_SUBNETS: Record<string, SubnetKind> = {
  nns: 'NNS',
  sns: 'SNS',
  ii: 'II',
  fiduciary: 'Fiduciary',
  bitcoin: 'Bitcoin',
  test_threshold_keys: 'TestThresholdKeys',
};
const SUBNET_LISTS: Record<string, SubnetKind> = { system: 'System', application: 'Application', verified_application: 'VerifiedApplication' };

function listOf(set: JsonObject, name: string): Json[] {
  const list = set[name];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw badConfig(`subnet_config_set.${name} must be a list`);
  return list;
}

function subnetRequests(config: JsonObject): SubnetRequest[] {
  const set = object(config.subnet_config_set, 'subnet_config_set');
  const specs: { kind: SubnetKind; spec: JsonObject }[] = [];
  for (const [name, kind] of Object.entries(SINGLE_SUBNETS)) {
    const spec = set[name];
    if (spec !== undefined && spec !== null) specs.push({ kind, spec: object(spec, `subnet_config_set.${name}`) });
  }
  for (const [name, kind] of Object.entries(SUBNET_LISTS)) {
    for (const spec of listOf(set, name)) specs.push({ kind, spec: object(spec, `subnet_config_set.${name}[]`) });
  }
  if (listOf(set, 'cloud_engine').length > 0) throw badConfig('cloud engine subnets (subnet_config_set.cloud_engine) are not supported');
  if (specs.length === 0) throw badConfig('at least one subnet must be configured');
  return specs.map(({ kind, spec }) => {
    checkStateConfig(spec);
    const costSchedule = costScheduleOf(spec);
    // PocketIC allows the free cost schedule on application subnets only.
    if (costSchedule === 'free' && kind !== 'Application') throw badConfig(`the cost schedule Free is only supported on application subnets, not on a ${kind} subnet`);
    return { kind, costSchedule, instructionConfig: instructionConfigOf(spec) };
  });
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
    if (Array.isArray(addrs) && addrs.length > 0) throw badConfig(`${name} is not supported: Capsule connects no bitcoin or dogecoin node`);
  }
}

export function parseInstanceConfig(body: Json): InstanceOptions {
  if (!isObject(body)) throw badConfig('the instance configuration must be a JSON object');
  const subnets = subnetRequests(body);
  checkUnsupported(body);
  const stateDir = body.state_dir;
  if (stateDir !== undefined && stateDir !== null && typeof stateDir !== 'string') throw badConfig('state_dir must be a path');
  const mainnet = body.mainnet_nns_subnet_id;
  if (mainnet !== undefined && mainnet !== null && typeof mainnet !== 'boolean') throw badConfig('mainnet_nns_subnet_id must be a boolean');
  const httpGateway = body.http_gateway_config === undefined || body.http_gateway_config === null ? undefined : object(body.http_gateway_config, 'http_gateway_config');
  return { subnets, mainnetNnsSubnetId: mainnet === true, stateDir: stateDir ?? undefined, httpGateway, ...initialTime(body) };
}
