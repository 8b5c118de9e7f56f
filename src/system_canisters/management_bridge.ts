// System canisters act on canisters through the management canister's own logic, as they do on the IC
// (the CMC calls create_canister, the cycles ledger calls deposit_cycles). The call is made in-process,
// within the round, as a call from the system canister; its answer is read back at once.
import type { UserError } from '../execution/index.ts';
import { candid, emptySettings, handleManagementCall } from '../management/index.ts';
import type { Principal } from '../state/index.ts';
import type { SystemContext } from './method.ts';

/** The settings a system canister passes on: any subset of the management canister's settings. */
export type PartialSettings = Partial<candid.CanisterSettings>;

export interface Rejected {
  error: UserError;
  /** Cycles the management canister gave back. */
  refund: bigint;
}

function callAs(context: SystemContext, sender: Principal, method: 'create_canister' | 'deposit_cycles', arg: Uint8Array, cycles: bigint) {
  // A canister origin: the management canister treats the system canister as a calling canister.
  // The origin's callback is never used: the outcome is consumed here, not sent as a response.
  const origin = { kind: 'canister', caller: sender, callbackId: 0, deadline: 0n } as const;
  return handleManagementCall(context, { sender, method, arg, cycles, origin });
}

/**
 * create_canister on behalf of `creator` (the CMC) with `cycles` attached; the creation fee is taken from
 * them. Controllers default to `owner` (the CMC makes the user, not itself, the controller).
 */
export function createCanisterAs(context: SystemContext, creator: Principal, owner: Principal, settings: PartialSettings, cycles: bigint): Principal | Rejected {
  const controllers = settings.controllers?.length ? settings.controllers : ([[owner]] as [Principal[]]);
  const merged: candid.CanisterSettings = { ...emptySettings(), ...settings, controllers };
  const arg = candid.encodeManagementArg('create_canister', { settings: [merged], sender_canister_version: [] });
  const outcome = callAs(context, creator, 'create_canister', arg, cycles);
  if (outcome.kind === 'reply') return candid.decodeManagementResult('create_canister', outcome.payload).canister_id;
  if (outcome.kind === 'reject') return { error: outcome.error, refund: outcome.refund };
  throw new Error('create_canister never defers');
}

/** deposit_cycles from `sender` (the cycles ledger) to `canisterId`. */
export function depositCyclesAs(context: SystemContext, sender: Principal, canisterId: Principal, cycles: bigint): Rejected | undefined {
  const arg = candid.encodeManagementArg('deposit_cycles', { canister_id: canisterId });
  const outcome = callAs(context, sender, 'deposit_cycles', arg, cycles);
  if (outcome.kind === 'reject') return { error: outcome.error, refund: outcome.refund };
  return undefined;
}
