// What a management method sees: the subnet state, the round, and the call being answered.
import { UserError } from '../execution/index.ts';
import type { RoundContext } from '../execution/index.ts';
import { type CanisterState, getCanister, type Principal, principalEquals, type Request, type SubnetState } from '../state/index.ts';

export interface ManagementContext {
  state: SubnetState;
  round: RoundContext;
}

export interface ManagementCall {
  sender: Principal;
  method: string;
  arg: Uint8Array;
  cycles: bigint;
  origin: Request['origin'];
}

export type ManagementOutcome =
  | { kind: 'reply'; payload: Uint8Array; refund: bigint }
  | { kind: 'reject'; error: UserError; refund: bigint }
  /** The answer comes later (stop_canister waits for the canister to stop). */
  | { kind: 'deferred' };

export function isCanisterCaller(call: ManagementCall): boolean {
  return call.origin.kind === 'canister';
}

export function findCanister(context: ManagementContext, id: Principal): CanisterState | UserError {
  return getCanister(context.state, id) ?? new UserError('CanisterNotFound', `Canister ${id.toText()} not found.`);
}

export function isController(canister: CanisterState, principal: Principal): boolean {
  return canister.settings.controllers.some((controller) => principalEquals(controller, principal));
}

/** The replica's error for a caller that does not control the canister. */
export function notController(canister: CanisterState, sender: Principal): UserError {
  const controllers = canister.settings.controllers.map((controller) => controller.toText()).join(' ');
  return new UserError(
    'CanisterInvalidController',
    `Only the controllers of the canister ${canister.id.toText()} can control it.\nCanister's controllers: ${controllers}\nSender's ID: ${sender.toText()}`,
  );
}

/** The canister, if the sender controls it. */
export function controlledCanister(context: ManagementContext, call: ManagementCall, id: Principal): CanisterState | UserError {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  if (!isController(canister, call.sender)) return notController(canister, call.sender);
  return canister;
}
