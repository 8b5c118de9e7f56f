// The effective canister or subnet id in the URL (interface spec, "Effective canister id" and
// "Effective subnet id"). The effective canister id routes the request to a subnet, so it must be in
// this subnet's ranges, and it must be the canister the request is for — for the management canister,
// the `canister_id` (or `target_canister`) of the Candid argument, which the HTTP layer therefore
// decodes. The effective subnet id must be this subnet, for canister creation calls and list_canisters.
import { candid, effectiveCanisterIdOf } from '../management/index.ts';
import { canisterIndexOf, isInSubnetRanges, MANAGEMENT_CANISTER, Principal, principalEquals, type SubnetConfig } from '../state/index.ts';
import type { CallContent } from './envelope.ts';
import { badRequest, HttpError } from './errors.ts';

/** Management methods that may name any effective canister id of the subnet (they create one). */
const ANY_EFFECTIVE_ID = new Set(['create_canister', 'provisional_create_canister_with_cycles', 'list_canisters']);

/** Principals parsed from URLs: clients send every request to the same few ids, and parsing (base32, CRC) costs. */
const PARSED_KEPT = 1024;
const parsed = new Map<string, Principal>();

export function parsePrincipalText(text: string, what: string): Principal | HttpError {
  const known = parsed.get(text);
  if (known) return known;
  try {
    const principal = Principal.fromText(text);
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    parsed.set(text, principal);
    return principal;
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

/** What the subnet-scoped endpoints accept (interface spec, "Effective subnet id"): canister creation calls and list_canisters queries. */
const SUBNET_SCOPED = {
  call: new Set(['create_canister', 'provisional_create_canister_with_cycles']),
  query: new Set(['list_canisters']),
} as const;

/** The esid of a `/api/v4/subnet/<esid>/call` or `/api/v3/subnet/<esid>/query` URL: this subnet, and a request those endpoints accept. */
export function checkEffectiveSubnetId(config: SubnetConfig, esidText: string, content: CallContent, kind: 'call' | 'query'): Principal | HttpError {
  const esid = parsePrincipalText(esidText, 'effective subnet id');
  if (esid instanceof HttpError) return esid;
  if (!principalEquals(esid, config.subnetId)) return new HttpError(404, `Subnet ${esid.toText()} not found`);
  const allowed = SUBNET_SCOPED[kind];
  if (!principalEquals(Principal.fromUint8Array(content.canisterId), MANAGEMENT_CANISTER) || !allowed.has(content.methodName)) {
    const methods = [...allowed].join(' and ');
    return badRequest(`The subnet ${kind} endpoint only accepts ${kind === 'call' ? 'calls' : 'queries'} of ${methods} to the management canister`);
  }
  return esid;
}

function hostedHere(config: SubnetConfig, id: Principal): boolean {
  const index = canisterIndexOf(id);
  return index !== undefined && isInSubnetRanges(config, index);
}

function mismatch(expected: Principal, ecid: Principal): HttpError {
  return badRequest(`Specified CanisterId ${expected.toText()} does not match effective canister id in URL ${ecid.toText()}`);
}
