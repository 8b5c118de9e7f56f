// canister_inspect_message for ingress (interface spec): accept, refuse (4) or trap (5); never persists.
import type { CallerInfo, CanisterState, Principal } from '../state/index.ts';
import { trapToUserError, UserError } from './errors.ts';
import { execute, rollback } from './execute.ts';
import { requestFor } from './request.ts';
import type { ExecutionEnvironment } from './system_api.ts';

export interface InspectedMessage {
  caller: Principal;
  method: string;
  arg: Uint8Array;
  callerInfo?: CallerInfo | undefined;
}

/** `env` is asked for only when the canister has a `canister_inspect_message` to run (most have none). */
export function inspectMessage(env: () => ExecutionEnvironment, canister: CanisterState, message: InspectedMessage): UserError | undefined {
  // The replica's ingress check words this without naming the canister.
  if (!canister.wasm) return new UserError('CanisterWasmModuleNotFound', 'Requested canister has no wasm module');
  if (!canister.wasm.module.systemMethods.has('canister_inspect_message')) return undefined;
  const id = canister.id.toText();
  const { caller, method, arg, callerInfo } = message;
  const context = { kind: 'inspectMessage', caller, method, arg, ...(callerInfo ? { callerInfo } : {}) } as const;
  const entry = { kind: 'export', name: 'canister_inspect_message' } as const;
  const environment = env();
  const outcome = execute(requestFor(canister, context, entry, environment, { instructions: environment.instructionLimits.inspectMessage, responded: true }));
  if (!outcome.ok) return trapToUserError(outcome.trap, id, outcome.backtrace);
  rollback(canister, outcome.journal);
  if (!outcome.api.messageAccepted) {
    return new UserError('CanisterRejectedMessage', `Error from Canister ${id}: Canister rejected the message`);
  }
  return undefined;
}
