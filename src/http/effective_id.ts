// The effective canister id in the URL (interface spec, "Effective canister id"): it
// routes the request to a subnet, so it must be in this subnet's ranges, and it must be the
// canister the request is for — for the management canister, the `canister_id` (or
// `target_canister`) of the Candid argument, which the HTTP layer therefore decodes.
import { candid, effectiveCanisterIdOf } from '../management/index.ts';
import { canisterIndexOf, isInSubnetRanges, MANAGEMENT_CANISTER, Principal, principalEquals, type SubnetConfig } from '../state/index.ts';
import type { CallContent } from './envelope.ts';
import { badRequest, HttpError } from './errors.ts';

/** Management methods that may name any effective canister id of the subnet (they create one). */
const ANY_EFFECTIVE_ID = new Set(['create_canister', 'provisional_create_canister_with_cycles', 'list_canisters']);

export function parsePrincipalText(text: string, what: string): Principal | HttpError {
  try {
    return Principal.fromText(text);
  } catch {
    return badRequest(`Could not parse the ${what} "${text}" as a principal`);
  }
}

/** The ecid of the URL, checked against the subnet and the request; the canister the request is for. */
export function checkEffectiveCanisterId(config: SubnetConfig, ecidText: string, content: CallContent): Principal | HttpError {
  const ecid = parsePrincipalText(ecidText, 'effective canister id');
  if (ecid instanceof HttpError) return ecid;
  if (!hostedHere(config, ecid)) {
    return badRequest(`Effective canister id ${ecid.toText()} is not in the canister ranges of subnet ${config.subnetId.toText()}`);
  }
  const canisterId = Principal.fromUint8Array(content.canisterId);
  if (!principalEquals(canisterId, MANAGEMENT_CANISTER)) {
    return principalEquals(canisterId, ecid) ? ecid : mismatch(canisterId, ecid);
  }
  const method = content.methodName;
  if (!candid.isManagementMethod(method)) return ecid; // the replica refuses it with a reject
  let named: Principal | null;
  try {
    named = effectiveCanisterIdOf(method, content.arg);
  } catch (e) {
    return badRequest(`Could not decode the argument of management method ${method}: ${(e as Error).message}`);
  }
  if (ANY_EFFECTIVE_ID.has(method) || named === null) return ecid;
  return principalEquals(named, ecid) ? ecid : mismatch(named, ecid);
}

function hostedHere(config: SubnetConfig, id: Principal): boolean {
  const index = canisterIndexOf(id);
  return index !== undefined && isInSubnetRanges(config, index);
}

function mismatch(expected: Principal, ecid: Principal): HttpError {
  return badRequest(`Specified CanisterId ${expected.toText()} does not match effective canister id in URL ${ecid.toText()}`);
}
