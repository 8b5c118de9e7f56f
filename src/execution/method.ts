// Which exported method a call names, and whether the canister can run it now (interface spec, 'Message execution').
import type { CanisterState } from '../state/index.ts';
import { canisterError, HELP, UserError, WASM_MODULE_NOT_FOUND } from './errors.ts';

export type MethodKind = 'update' | 'query' | 'compositeQuery';

export function methodKindOf(canister: CanisterState, method: string): MethodKind | undefined {
  const module = canister.wasm?.module;
  if (!module) return undefined;
  if (module.updateMethods.includes(method)) return 'update';
  if (module.queryMethods.includes(method)) return 'query';
  if (module.compositeQueryMethods.includes(method)) return 'compositeQuery';
  return undefined;
}

export function exportName(kind: MethodKind, method: string): string {
  return kind === 'update' ? `canister_update ${method}` : kind === 'query' ? `canister_query ${method}` : `canister_composite_query ${method}`;
}

/** The replica's rejects for a call that cannot start; reject codes follow its error codes. */
export function checkCallable(canister: CanisterState, method: string): UserError | MethodKind {
  const id = canister.id.toText();
  if (!canister.wasm) {
    // The spec names DESTINATION_INVALID here; the replica answers IC0537 (reject code 5). We follow the replica.
    return canisterError('CanisterWasmModuleNotFound', id, WASM_MODULE_NOT_FOUND, HELP.wasmModuleNotFound);
  }
  if (canister.status.kind === 'stopping') return new UserError('CanisterStopping', `Canister ${id} is stopping`);
  if (canister.status.kind === 'stopped') return new UserError('CanisterStopped', `Canister ${id} is stopped`);
  const kind = methodKindOf(canister, method);
  if (!kind) {
    return canisterError('CanisterMethodNotFound', id, `Canister has no update method '${method}'.`, HELP.methodNotFound);
  }
  return kind;
}
