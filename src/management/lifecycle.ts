// create_canister, provisional creation and top-up, deposit_cycles, update_settings,
// start/stop/delete_canister (interface spec, the management methods of these names).
import { hasPausedExecution, respondTo, scale, subnetOversubscribed, UserError } from '../execution/index.ts';
import { allocateCanisterId, type CallResult, canisterIndexOf, type CanisterState, DEFAULT_PROVISIONAL_CYCLES, defaultSettings, getCanister, isInSubnetRanges, MANAGEMENT_CANISTER, MAX_CYCLES, memoryUsage, newCanister, type Principal, principalEquals, principalKey, touch } from '../state/index.ts';
import type { CanisterSettings, CreateCanisterArgs, ProvisionalCreateCanisterWithCyclesArgs } from './candid/index.ts';
import { controlledCanister, findCanister, type ManagementCall, type ManagementContext } from './context.ts';
import { addChange, originOf } from './history.ts';
import { emptySettings, mergeSettings } from './settings.ts';

function addCycles(canister: CanisterState, amount: bigint): void {
  const total = canister.cycles + amount;
  canister.cycles = total > MAX_CYCLES ? MAX_CYCLES : total;
}

/**
 * Takes a changed memory allocation from the subnet's memory: a canister holds the larger of its
 * allocation and its usage, and may grow its allocation into what it holds plus what the subnet has left.
 */
function takeMemoryAllocation(context: ManagementContext, usage: bigint, old: bigint, next: bigint): UserError | undefined {
  if (next === old) return undefined;
  const memory = context.round.env.subnetMemory;
  const held = old > usage ? old : usage;
  const room = (memory.available > 0n ? memory.available : 0n) + held;
  if (next > room) return subnetOversubscribed(next, room);
  memory.available -= (next > usage ? next : usage) - held;
  return undefined;
}

function create(
  context: ManagementContext,
  call: ManagementCall,
  settings: CanisterSettings,
  cycles: bigint,
  specifiedId: Principal | undefined,
  senderVersion: [] | [bigint],
): Principal | UserError {
  const state = context.state;
  const merged = mergeSettings(defaultSettings([call.sender]), settings);
  if (merged instanceof UserError) return merged;
  const refused = takeMemoryAllocation(context, 0n, 0n, merged.memoryAllocation);
  if (refused) return refused;
  let id: Principal | undefined;
  if (specifiedId) {
    const index = canisterIndexOf(specifiedId);
    if (index === undefined || !isInSubnetRanges(state.config, index)) {
      return new UserError('CanisterNotHostedBySubnet', `The specified_id ${specifiedId.toText()} is not in the canister ranges of this subnet`);
    }
    if (getCanister(state, specifiedId)) {
      // [replica] CanisterManagerError::CanisterAlreadyExists maps to CanisterAlreadyInstalled (IC0538 → 5).
      return new UserError('CanisterAlreadyInstalled', `Canister ${specifiedId.toText()} is already installed.`);
    }
    id = specifiedId;
  } else {
    id = allocateCanisterId(state);
    if (!id) return new UserError('MaxNumberOfCanistersReached', 'The subnet has no canister ids left');
  }
  const canister = newCanister(id, merged, cycles, state.time);
  state.canisters.set(principalKey(id), canister);
  addChange(canister, state.time, originOf(call, senderVersion), {
    kind: 'creation',
    controllers: merged.controllers,
    environmentVariablesHash: undefined,
  });
  return id;
}

export function createCanister(context: ManagementContext, call: ManagementCall, args: CreateCanisterArgs): Principal | UserError {
  const fee = scale(context.round.env, context.round.env.costs.canisterCreation);
  if (call.cycles < fee) {
    return new UserError(
      'InsufficientCyclesForCreateCanister',
      `Creating a canister requires a fee of ${fee} that is deducted from the canister's initial balance but only ${call.cycles} cycles were received with the create_canister request.`,
    );
  }
  const id = create(context, call, args.settings[0] ?? emptySettings(), call.cycles - fee, undefined, args.sender_canister_version);
  if (!(id instanceof UserError)) getCanister(context.state, id)!.consumed.creation += fee;
  return id;
}

export function provisionalCreate(context: ManagementContext, call: ManagementCall, args: ProvisionalCreateCanisterWithCyclesArgs): Principal | UserError {
  const cycles = args.amount[0] ?? DEFAULT_PROVISIONAL_CYCLES;
  return create(context, call, args.settings[0] ?? emptySettings(), cycles, args.specified_id[0], args.sender_canister_version);
}

export function topUp(context: ManagementContext, id: Principal, amount: bigint): UserError | undefined {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  addCycles(canister, amount);
  return undefined;
}

export function depositCycles(context: ManagementContext, call: ManagementCall, id: Principal): UserError | undefined {
  return topUp(context, id, call.cycles);
}

export function updateSettings(context: ManagementContext, call: ManagementCall, id: Principal, settings: CanisterSettings, senderVersion: [] | [bigint]): UserError | undefined {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  const merged = mergeSettings(canister.settings, settings);
  if (merged instanceof UserError) return merged;
  const refused = takeMemoryAllocation(context, memoryUsage(canister), canister.settings.memoryAllocation, merged.memoryAllocation);
  if (refused) return refused;
  canister.settings = merged;
  canister.version += 1n;
  if (settings.controllers.length === 1) {
    addChange(canister, context.state.time, originOf(call, senderVersion), { kind: 'controllersChange', controllers: merged.controllers });
  }
  return undefined;
}

/** Stops at once when nothing is open; otherwise the reply waits for `finishStopping`. */
export function stopCanister(context: ManagementContext, call: ManagementCall, id: Principal): UserError | 'stopped' | 'deferred' {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  const status = canister.status;
  if (status.kind === 'stopped') return 'stopped';
  const stop = { origin: call.origin, cycles: call.cycles, time: context.state.time };
  if (status.kind === 'stopping') {
    status.pendingStops.push(stop);
  } else {
    canister.status = { kind: 'stopping', pendingStops: [stop] };
    canister.version += 1n;
  }
  return 'deferred';
}

export function startCanister(context: ManagementContext, call: ManagementCall, id: Principal): UserError | undefined {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  if (canister.status.kind === 'stopping') {
    const cancelled = new UserError('CanisterStoppingCancelled', `Canister ${id.toText()} was started before stopping completed.`);
    for (const stop of canister.status.pendingStops) rejectStop(context, stop, cancelled);
  }
  canister.status = { kind: 'running' };
  canister.version += 1n;
  return undefined;
}

type PendingStop = { origin: ManagementCall['origin']; cycles: bigint };

function rejectStop(context: ManagementContext, stop: PendingStop, error: UserError): void {
  respondToStop(context, stop, { kind: 'reject', code: error.rejectCode, message: error.message, errorCode: error.errorCode });
}

function respondToStop(context: ManagementContext, stop: PendingStop, result: CallResult): void {
  respondTo(context.round, stop.origin, MANAGEMENT_CANISTER, result, stop.cycles);
}

/** The Candid encoding of `()`: the reply of methods that return nothing. */
export const EMPTY_REPLY = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

/** [replica] STOP_CANISTER_TIMEOUT_DURATION: how long a stop_canister call may wait. */
const STOP_TIMEOUT_NANOS = 5n * 60n * 1_000_000_000n;

/** Pending stop calls older than the timeout are rejected with SYS_TRANSIENT; the canister stays stopping. */
function expireStops(context: ManagementContext, canister: CanisterState): void {
  if (canister.status.kind !== 'stopping') return;
  const now = context.state.time;
  const expired = canister.status.pendingStops.filter((stop) => now - stop.time >= STOP_TIMEOUT_NANOS);
  if (expired.length === 0) return;
  canister.status.pendingStops = canister.status.pendingStops.filter((stop) => now - stop.time < STOP_TIMEOUT_NANOS);
  const error = new UserError('StopCanisterRequestTimeout', 'Stop canister request timed out');
  for (const stop of expired) rejectStop(context, stop, error);
}

/** A stopping canister with no open call contexts becomes stopped and its stop calls are answered. */
export function finishStopping(context: ManagementContext, canister: CanisterState): void {
  if (canister.status.kind === 'stopping') touch(canister);
  expireStops(context, canister);
  // A stop waits for a paused execution to end, as on the replica.
  if (canister.status.kind !== 'stopping' || canister.callContexts.size > 0 || hasPausedExecution(canister)) return;
  const stops = canister.status.pendingStops;
  canister.status = { kind: 'stopped' };
  canister.version += 1n;
  for (const stop of stops) respondToStop(context, stop, { kind: 'reply', payload: EMPTY_REPLY });
}

export function deleteCanister(context: ManagementContext, call: ManagementCall, id: Principal): UserError | undefined {
  const canister = controlledCanister(context, call, id);
  if (canister instanceof UserError) return canister;
  // The replica refuses self-deletion.
  if (principalEquals(call.sender, id)) return new UserError('CanisterContractViolation', `Canister ${id.toText()} cannot delete itself.`);
  if (canister.status.kind !== 'stopped') {
    return new UserError('CanisterNotStopped', `Canister ${id.toText()} must be stopped before it is deleted.`);
  }
  context.state.canisters.delete(principalKey(id));
  return undefined;
}
