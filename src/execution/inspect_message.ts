// canister_inspect_message for ingress (interface spec): accept, refuse (4) or trap (5); never persists.
import type { CanisterState, Principal } from '../state/index.ts';
import { trapToUserError, UserError } from './errors.ts';
import { execute, rollback } from './execute.ts';
import type { ExecutionEnvironment } from './system_api.ts';

export function inspectMessage(env: ExecutionEnvironment, canister: CanisterState, caller: Principal, method: string, arg: Uint8Array): UserError | undefined {
  const id = canister.id.toText();
  if (!canister.wasm) {
    return new UserError('CanisterWasmModuleNotFound', `Error from Canister ${id}: Attempted to execute a message, but the canister contains no Wasm module.`);
  }
  if (!canister.wasm.module.systemMethods.has('canister_inspect_message')) return undefined;
  const outcome = execute({
    canister,
    context: { kind: 'inspectMessage', caller, method, arg },
    entry: { kind: 'export', name: 'canister_inspect_message' },
    env,
    limits: { instructions: env.instructionLimits.inspectMessage, maxReplySize: 0, freezingLimit: 0n, prepaid: 0n },
    responded: true,
    availableCycles: 0n,
    instructionsBeforeContext: 0n,
    wasmMemoryLimit: undefined,
    keepJournal: true,
  });
  if (!outcome.ok) return trapToUserError(outcome.trap, id, outcome.backtrace);
  rollback(canister, outcome.journal);
  if (!outcome.api.messageAccepted) {
    return new UserError('CanisterRejectedMessage', `Error from Canister ${id}: Canister rejected the message`);
  }
  return undefined;
}
