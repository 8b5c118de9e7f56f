// Canister settings: validation and conversion between Candid and state (interface spec, canister_settings and update_settings).
import { UserError } from '../execution/index.ts';
import { type CanisterSettings as StateSettings, comparePrincipals, MAX_CONTROLLERS, MAX_ENV_VAR_NAME, MAX_ENV_VAR_VALUE, MAX_ENV_VARS, type Principal, principalEquals, type Visibility } from '../state/index.ts';
import type { CanisterSettings, DefiniteCanisterSettings, Visibility as CandidVisibility } from './candid/index.ts';

const MAX_MEMORY_SETTING = 1n << 48n;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_ALLOWED_VIEWERS = 10;

function invalid(message: string): UserError {
  return new UserError('CanisterContractViolation', `Invalid settings: ${message}`);
}

/** Controllers are a set: duplicates collapse, kept in the canonical (bytewise) order the replica reports. */
function uniqueControllers(controllers: Principal[]): Principal[] {
  const unique: Principal[] = [];
  for (const controller of controllers) if (!unique.some((seen) => principalEquals(seen, controller))) unique.push(controller);
  return unique.sort(comparePrincipals);
}

function visibilityOf(value: CandidVisibility, name: string): Visibility | UserError {
  if ('controllers' in value) return { kind: 'controllers' };
  if ('public' in value) return { kind: 'public' };
  if (value.allowed_viewers.length > MAX_ALLOWED_VIEWERS) {
    return invalid(`${name} has ${value.allowed_viewers.length} allowed viewers, at most ${MAX_ALLOWED_VIEWERS} are allowed`);
  }
  return { kind: 'allowedViewers', viewers: value.allowed_viewers };
}

export function candidVisibility(value: Visibility): CandidVisibility {
  switch (value.kind) {
    case 'controllers':
      return { controllers: null };
    case 'public':
      return { public: null };
    case 'allowedViewers':
      return { allowed_viewers: value.viewers };
  }
}

function checkRange(value: [] | [bigint], max: bigint, name: string): UserError | undefined {
  if (value.length === 1 && value[0] > max) return invalid(`${name} must be at most ${max}, got ${value[0]}`);
  return undefined;
}

function environment(variables: { name: string; value: string }[]): StateSettings['environmentVariables'] | UserError {
  if (variables.length > MAX_ENV_VARS) return invalid(`at most ${MAX_ENV_VARS} environment variables are allowed`);
  const encoder = new TextEncoder();
  const names = new Set<string>();
  for (const variable of variables) {
    if (encoder.encode(variable.name).length > MAX_ENV_VAR_NAME) return invalid(`environment variable name "${variable.name}" is too long`);
    if (encoder.encode(variable.value).length > MAX_ENV_VAR_VALUE) return invalid(`environment variable "${variable.name}" has a too long value`);
    if (names.has(variable.name)) return invalid(`environment variable "${variable.name}" is set twice`);
    names.add(variable.name);
  }
  return [...variables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Applies the present fields of `settings` onto `base`; omitted fields stay unchanged. */
export function mergeSettings(base: StateSettings, settings: CanisterSettings): StateSettings | UserError {
  const checks = [
    checkRange(settings.compute_allocation, 100n, 'compute_allocation'),
    checkRange(settings.memory_allocation, MAX_MEMORY_SETTING, 'memory_allocation'),
    checkRange(settings.freezing_threshold, MAX_U64, 'freezing_threshold'),
    checkRange(settings.wasm_memory_limit, MAX_MEMORY_SETTING, 'wasm_memory_limit'),
    checkRange(settings.wasm_memory_threshold, MAX_MEMORY_SETTING, 'wasm_memory_threshold'),
  ];
  const failed = checks.find((check) => check !== undefined);
  if (failed) return failed;
  const next: StateSettings = { ...base };
  if (settings.controllers.length === 1) {
    const controllers = uniqueControllers(settings.controllers[0]);
    if (controllers.length > MAX_CONTROLLERS) return invalid(`at most ${MAX_CONTROLLERS} controllers are allowed, got ${controllers.length}`);
    next.controllers = controllers;
  }
  if (settings.compute_allocation.length) next.computeAllocation = settings.compute_allocation[0];
  if (settings.memory_allocation.length) next.memoryAllocation = settings.memory_allocation[0];
  if (settings.freezing_threshold.length) next.freezingThreshold = settings.freezing_threshold[0];
  if (settings.reserved_cycles_limit.length) next.reservedCyclesLimit = settings.reserved_cycles_limit[0];
  if (settings.minimum_incoming_canister_call_cycles.length) {
    next.minimumIncomingCanisterCallCycles = settings.minimum_incoming_canister_call_cycles[0];
  }
  if (settings.wasm_memory_limit.length) next.wasmMemoryLimit = settings.wasm_memory_limit[0];
  if (settings.wasm_memory_threshold.length) next.wasmMemoryThreshold = settings.wasm_memory_threshold[0];
  for (const [field, key] of [
    ['log_visibility', 'logVisibility'],
    ['snapshot_visibility', 'snapshotVisibility'],
    ['status_visibility', 'statusVisibility'],
  ] as const) {
    const value = settings[field];
    if (value.length === 0) continue;
    const visibility = visibilityOf(value[0], field);
    if (visibility instanceof UserError) return visibility;
    next[key] = visibility;
  }
  if (settings.environment_variables.length) {
    const variables = environment(settings.environment_variables[0]);
    if (variables instanceof UserError) return variables;
    next.environmentVariables = variables;
  }
  return next;
}

export function definiteSettings(settings: StateSettings): DefiniteCanisterSettings {
  return {
    controllers: settings.controllers,
    compute_allocation: settings.computeAllocation,
    memory_allocation: settings.memoryAllocation,
    freezing_threshold: settings.freezingThreshold,
    reserved_cycles_limit: settings.reservedCyclesLimit,
    minimum_incoming_canister_call_cycles: settings.minimumIncomingCanisterCallCycles,
    log_visibility: candidVisibility(settings.logVisibility),
    log_memory_limit: 4096n,
    snapshot_visibility: candidVisibility(settings.snapshotVisibility),
    status_visibility: candidVisibility(settings.statusVisibility),
    wasm_memory_limit: settings.wasmMemoryLimit,
    wasm_memory_threshold: settings.wasmMemoryThreshold,
    environment_variables: settings.environmentVariables,
  };
}

export function emptySettings(): CanisterSettings {
  return {
    controllers: [],
    compute_allocation: [],
    memory_allocation: [],
    freezing_threshold: [],
    reserved_cycles_limit: [],
    minimum_incoming_canister_call_cycles: [],
    log_visibility: [],
    log_memory_limit: [],
    snapshot_visibility: [],
    status_visibility: [],
    wasm_memory_limit: [],
    wasm_memory_threshold: [],
    environment_variables: [],
  };
}
