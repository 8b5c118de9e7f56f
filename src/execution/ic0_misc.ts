// ic0 identity, status, certification, time, timers, logging, environment and trap functions (interface spec, section 'Overview of imports').
import { MAX_CERTIFIED_DATA, MAX_LOG_BYTES, Principal, principalEquals } from '../state/index.ts';
import { CONTEXTS, isReplicated } from './context.ts';
import { CanisterTrap, contractViolation } from './errors.ts';
import { type Ic0Group, OVERHEAD, type Word } from './ic0_entry.ts';
import type { SystemApi } from './system_api.ts';

const MAX_PRINCIPAL_BYTES = 29;

function statusCode(api: SystemApi): number {
  const status = api.canister.status.kind;
  return status === 'running' ? 1 : status === 'stopping' ? 2 : 3;
}

function dataCertificate(api: SystemApi): Uint8Array | undefined {
  const context = api.context;
  if (context.kind === 'nonReplicatedQuery' || context.kind === 'compositeQuery') return context.dataCertificate?.();
  return undefined;
}

function requireCertificate(api: SystemApi, name: string): Uint8Array {
  const certificate = dataCertificate(api);
  if (!certificate) throw contractViolation(`${name}: no certificate is present in this execution`);
  return certificate;
}

/** Appends to the canister log; logs of non-replicated executions are not kept (interface spec, section 'Debugging aids'). */
export function appendLog(api: SystemApi, content: Uint8Array): void {
  if (!isReplicated(api.context) && api.context.kind !== 'start') return;
  const canister = api.canister;
  canister.logs.push({ idx: canister.nextLogIdx, timestampNanos: api.env.time, content });
  canister.nextLogIdx += 1n;
  let total = canister.logs.reduce((sum, record) => sum + record.content.length, 0);
  while (total > MAX_LOG_BYTES && canister.logs.length > 1) total -= canister.logs.shift()?.content.length ?? 0;
}

function lossyText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

function instructionsExecuted(api: SystemApi): bigint {
  return api.limits.instructions - (api.wasm.counter.value as bigint) - api.reserve;
}

function sortedEnvironment(api: SystemApi) {
  return api.canister.settings.environmentVariables;
}

function envName(api: SystemApi, src: Word, size: Word, name: string): string {
  const bytes = api.readBytes(src, size, name);
  if (bytes.length > 128) throw contractViolation(`${name}: the variable name is longer than 128 bytes`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (new TextEncoder().encode(text).length !== bytes.length || text.includes('\uFFFD')) {
    throw contractViolation(`${name}: the variable name is not valid UTF-8`);
  }
  return text;
}

function envEntry(api: SystemApi, index: Word, name: string) {
  const entries = sortedEnvironment(api);
  const entry = entries[api.num(index)];
  if (!entry) throw contractViolation(`${name}: index ${api.num(index)} is out of range (${entries.length} variables)`);
  return entry;
}

function envValue(api: SystemApi, src: Word, size: Word, name: string): Uint8Array {
  const key = envName(api, src, size, name);
  const entry = sortedEnvironment(api).find((variable) => variable.name === key);
  if (!entry) throw contractViolation(`${name}: environment variable "${key}" is not set`);
  return new TextEncoder().encode(entry.value);
}

const EVERYWHERE = CONTEXTS.everywhere;
const ANYWHERE = CONTEXTS.everywhereAndStart;
const S = OVERHEAD.standard;

export const miscFunctions = {
  canister_self_size: { allowed: EVERYWHERE, overhead: S, handler: (api) => api.sized(api.canister.id.toUint8Array().length) },
  canister_self_copy: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, dst, offset, size) => api.copyOut(api.canister.id.toUint8Array(), dst, offset, size, 'ic0_canister_self_copy'),
  },
  subnet_self_size: { allowed: EVERYWHERE, overhead: S, handler: (api) => api.sized(api.env.subnetId.toUint8Array().length) },
  subnet_self_copy: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, dst, offset, size) => api.copyOut(api.env.subnetId.toUint8Array(), dst, offset, size, 'ic0_subnet_self_copy'),
  },
  canister_status: { allowed: EVERYWHERE, overhead: S, handler: (api) => statusCode(api) },
  canister_version: { allowed: EVERYWHERE, overhead: S, handler: (api) => api.canister.version },
  root_key_size: { allowed: CONTEXTS.rootKey, overhead: S, handler: (api) => api.sized(api.env.rootKeyDer.length) },
  root_key_copy: {
    allowed: CONTEXTS.rootKey,
    overhead: S,
    handler: (api, dst, offset, size) => api.copyOut(api.env.rootKeyDer, dst, offset, size, 'ic0_root_key_copy'),
  },
  certified_data_set: {
    allowed: ['I', 'G', 'U', 'Ry', 'Rt', 'T'],
    overhead: S,
    handler: (api, src, size) => {
      const bytes = api.readBytes(src, size, 'ic0_certified_data_set');
      if (bytes.length > MAX_CERTIFIED_DATA) {
        throw contractViolation(`ic0_certified_data_set: Certified data is too large: ${bytes.length} bytes (max ${MAX_CERTIFIED_DATA})`);
      }
      api.certifiedData = bytes;
    },
  },
  data_certificate_present: { allowed: EVERYWHERE, overhead: S, handler: (api) => (dataCertificate(api) ? 1 : 0) },
  data_certificate_size: {
    allowed: ['NRQ', 'CQ'],
    overhead: S,
    handler: (api) => api.sized(requireCertificate(api, 'ic0_data_certificate_size').length),
  },
  data_certificate_copy: {
    allowed: ['NRQ', 'CQ'],
    overhead: S,
    handler: (api, dst, offset, size) =>
      api.copyOut(requireCertificate(api, 'ic0_data_certificate_copy'), dst, offset, size, 'ic0_data_certificate_copy'),
  },
  time: { allowed: EVERYWHERE, overhead: S, handler: (api) => api.env.time },
  global_timer_set: {
    allowed: CONTEXTS.replicatedWrite,
    overhead: S,
    handler: (api, timestamp) => {
      const previous = api.globalTimer ?? api.canister.globalTimer;
      api.globalTimer = BigInt.asUintN(64, timestamp);
      return previous;
    },
  },
  performance_counter: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.performanceCounter,
    handler: (api, type) => {
      if (type === 0) return instructionsExecuted(api);
      if (type === 1) return api.instructionsBeforeContext + instructionsExecuted(api);
      throw contractViolation(`ic0_performance_counter: unknown counter type ${type}`);
    },
  },
  is_controller: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.isController,
    handler: (api, src, size) => {
      const bytes = api.readBytes(src, size, 'ic0_is_controller');
      if (bytes.length > MAX_PRINCIPAL_BYTES) {
        throw contractViolation(`ic0_is_controller: ${bytes.length} bytes are not a valid principal`);
      }
      const principal = Principal.fromUint8Array(bytes);
      return api.canister.settings.controllers.some((controller) => principalEquals(controller, principal)) ? 1 : 0;
    },
  },
  in_replicated_execution: { allowed: ANYWHERE, overhead: S, handler: (api) => (isReplicated(api.context) ? 1 : 0) },
  debug_print: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.debugPrint,
    handler: (api, src, size) => {
      const start = api.num(src);
      const length = api.num(size);
      const heap = api.heap();
      // debug_print never traps, even for a bad range (interface spec, section 'Debugging aids').
      if (start + length > heap.length) return;
      appendLog(api, heap.slice(start, start + length));
    },
  },
  trap: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, src, size) => {
      const start = api.num(src);
      const length = api.num(size);
      const heap = api.heap();
      const bytes = start + length <= heap.length ? heap.slice(start, start + length) : new Uint8Array(0);
      throw new CanisterTrap({ kind: 'calledTrap', message: lossyText(bytes) });
    },
  },
  env_var_count: { allowed: EVERYWHERE, overhead: S, handler: (api) => api.sized(sortedEnvironment(api).length) },
  env_var_name_size: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, index) => api.sized(new TextEncoder().encode(envEntry(api, index, 'ic0_env_var_name_size').name).length),
  },
  env_var_name_copy: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, index, dst, offset, size) => {
      const name = new TextEncoder().encode(envEntry(api, index, 'ic0_env_var_name_copy').name);
      api.copyOut(name, dst, offset, size, 'ic0_env_var_name_copy');
    },
  },
  env_var_name_exists: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, src, size) => {
      const key = envName(api, src, size, 'ic0_env_var_name_exists');
      return sortedEnvironment(api).some((variable) => variable.name === key) ? 1 : 0;
    },
  },
  env_var_value_size: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, src, size) => api.sized(envValue(api, src, size, 'ic0_env_var_value_size').length),
  },
  env_var_value_copy: {
    allowed: EVERYWHERE,
    overhead: S,
    handler: (api, src, size, dst, offset, length) =>
      api.copyOut(envValue(api, src, size, 'ic0_env_var_value_copy'), dst, offset, length, 'ic0_env_var_value_copy'),
  },
} satisfies Ic0Group;
