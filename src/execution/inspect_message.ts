// canister_inspect_message for ingress (interface spec): accept, refuse (4) or trap (5); never persists.
import type { CanisterState, Principal } from '../state/index.ts';
import { trapToUserError, UserError } from './errors.ts';
import { execute, rollback } from './execute.ts';
import { requestFor } from './request.ts';
import type { ExecutionEnvironment } from './system_api.ts';

export function inspectMessage(env: ExecutionEnvironment, canister: CanisterState, caller: Principal, method: string, arg: Uint8Array): UserError | undefined {
  const id = canister.id.toText();
  // The replica's ingress check words this without naming the canister.
  if (!canister.wasm) return new UserError('CanisterWasmModuleNotFound', 'Requested canister has no wasm module');
  if (!canister.wasm.module.systemMethods.has('canister_inspect_message')) return undefined;
  const context = { kind: 'inspectMessage', caller, method, arg } as const;
  const entry = { kind: 'export', name: 'canister_inspect_message' } as const;
  const outcome = execute(requestFor(canister, context, entry, env, { instructions: env.instructionLimits.inspectMessage, responded: true }));
  if (!outcome.ok) return trapToUserError(outcome.trap, id, outcome.backtrace);
  rollback(canister, outcome.journal);
  if (!outcome.api.messageAccepted) {
    return new UserError('CanisterRejectedMessage', `Error from Canister ${id}: Canister rejected the message`);
  }
  return undefined;
}
