// canister_status, canister_info, canister_metadata, canister_metrics, fetch_canister_logs,
// subnet_info and raw_rand (interface spec, the management methods of these names).
import { createHash } from 'node:crypto';
import { idleCyclesBurnedPerDay, UserError } from '../execution/index.ts';
import { type CanisterState, heapBytes, memoryUsage, NO_QUERY_STATS, type Principal, principalEquals, type Visibility } from '../state/index.ts';
import type {
  CanisterInfoArgs,
  CanisterInfoResult,
  CanisterMetricsResult,
  CanisterStatusResult,
  FetchCanisterLogsArgs,
  FetchCanisterLogsResult,
} from './candid/index.ts';
import { findCanister, isController, type ManagementCall, type ManagementContext, notController } from './context.ts';
import { candidChange } from './history.ts';
import { definiteSettings } from './settings.ts';

function visibleTo(canister: CanisterState, visibility: Visibility, sender: Principal): boolean {
  if (isController(canister, sender) || principalEquals(canister.id, sender)) return true;
  switch (visibility.kind) {
    case 'controllers':
      return false;
    case 'public':
      return true;
    case 'allowedViewers':
      return visibility.viewers.some((viewer) => principalEquals(viewer, sender));
  }
}

function chunkStoreBytes(canister: CanisterState): bigint {
  let bytes = 0n;
  for (const chunk of canister.chunkStore.values()) bytes += BigInt(chunk.length);
  return bytes;
}

function customSectionBytes(canister: CanisterState): bigint {
  let bytes = 0n;
  for (const [name, section] of canister.wasm?.module.customSections ?? []) bytes += BigInt(name.length + section.content.length);
  return bytes;
}

export function canisterStatus(context: ManagementContext, call: ManagementCall, id: Principal): CanisterStatusResult | UserError {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  if (!visibleTo(canister, canister.settings.statusVisibility, call.sender)) return notController(canister, call.sender);
  const status = canister.status.kind;
  const logBytes = canister.logs.reduce((sum, record) => sum + BigInt(record.content.length), 0n);
  return {
    status: { [status]: null } as CanisterStatusResult['status'],
    ready_for_migration: status === 'stopped' && canister.inputQueue.length === 0,
    version: canister.version,
    settings: definiteSettings(canister.settings),
    module_hash: canister.wasm ? [canister.wasm.module.moduleHash] : [],
    memory_size: memoryUsage(canister),
    memory_metrics: {
      wasm_memory_size: heapBytes(canister),
      stable_memory_size: canister.stable.byteLength,
      global_memory_size: BigInt((canister.wasm?.module.globals.length ?? 0) * 8),
      wasm_binary_size: BigInt(canister.wasm?.module.bytes.length ?? 0),
      custom_sections_size: customSectionBytes(canister),
      canister_history_size: BigInt(canister.history.length * 100),
      wasm_chunk_store_size: chunkStoreBytes(canister),
      snapshots_size: canister.snapshots.reduce((sum, snapshot) => sum + BigInt(snapshot.heap.length) + snapshot.stable.byteLength, 0n),
      log_memory_store_size: logBytes,
    },
    cycles: canister.cycles,
    reserved_cycles: canister.reservedCycles,
    idle_cycles_burned_per_day: idleCyclesBurnedPerDay(context.round.env, canister),
    query_stats: queryStatsOf(context, canister.id),
  };
}

/**
 * The front end's query statistics: non-replicated, like the IC's before consensus aggregates them, so
 * a status reply can differ between two replicas that answered different queries.
 */
function queryStatsOf(context: ManagementContext, id: Principal) {
  const stats = context.round.env.queryStats?.of(id) ?? NO_QUERY_STATS;
  return {
    num_calls_total: stats.calls,
    num_instructions_total: stats.instructions,
    request_payload_bytes_total: stats.requestBytes,
    response_payload_bytes_total: stats.responseBytes,
  };
}

export function canisterMetrics(context: ManagementContext, call: ManagementCall, id: Principal): CanisterMetricsResult | UserError {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  if (!visibleTo(canister, canister.settings.statusVisibility, call.sender)) return notController(canister, call.sender);
  const consumed = canister.consumed;
  return {
    cycles_consumed: {
      memory: consumed.memory,
      compute_allocation: 0n,
      ingress_induction: consumed.ingress,
      instructions: consumed.instructions,
      request_and_response_transmission: consumed.transmission,
      uninstall: 0n,
      canister_creation: consumed.creation,
      http_outcalls: consumed.httpOutcalls,
      burned_cycles: consumed.burned,
    },
  };
}

export function canisterInfo(context: ManagementContext, args: CanisterInfoArgs): CanisterInfoResult | UserError {
  const canister = findCanister(context, args.canister_id);
  if (canister instanceof UserError) return canister;
  const requested = Number(args.num_requested_changes[0] ?? 0n);
  const changes = requested === 0 ? [] : canister.history.slice(-requested);
  return {
    total_num_changes: canister.totalChanges,
    recent_changes: changes.map(candidChange),
    module_hash: canister.wasm ? [canister.wasm.module.moduleHash] : [],
    controllers: canister.settings.controllers,
  };
}

export function canisterMetadata(context: ManagementContext, call: ManagementCall, id: Principal, name: string): Uint8Array | UserError {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  const section = canister.wasm?.module.customSections.get(name);
  if (!section || (section.visibility === 'private' && !isController(canister, call.sender))) {
    return new UserError('CanisterContractViolation', `Error from Canister ${id.toText()}: Custom section ${name} not found.`);
  }
  return section.content;
}

export function fetchCanisterLogs(context: ManagementContext, call: ManagementCall, args: FetchCanisterLogsArgs): FetchCanisterLogsResult | UserError {
  const canister = findCanister(context, args.canister_id);
  if (canister instanceof UserError) return canister;
  if (!visibleTo(canister, canister.settings.logVisibility, call.sender)) {
    return new UserError('CanisterRejectedMessage', `Caller ${call.sender.toText()} is not allowed to read the logs of canister ${args.canister_id.toText()}`);
  }
  const filter = args.filter[0];
  const records = canister.logs.filter((record) => {
    if (!filter) return true;
    if ('by_idx' in filter) return record.idx >= filter.by_idx.start && record.idx < filter.by_idx.end;
    return record.timestampNanos >= filter.by_timestamp_nanos.start && record.timestampNanos < filter.by_timestamp_nanos.end;
  });
  return {
    canister_log_records: records.map((record) => ({ idx: record.idx, timestamp_nanos: record.timestampNanos, content: record.content })),
  };
}

/** 32 bytes drawn from the round's seed: random to canisters, reproducible for replicas (randomness is an input). */
export function rawRand(context: ManagementContext): Uint8Array {
  const state = context.state;
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, state.randomCounter++);
  return new Uint8Array(createHash('sha256').update(state.randomSeed).update(counter).digest());
}
