// A round of a subnet that is part of a network: where canister ids live, and the messages the other
// subnets sent this one. Messages for canisters hosted elsewhere leave through the subnet's streams.
import { candid, effectiveCanisterIdOf } from '../management/index.ts';
import type { CanisterMessage, Principal, Request } from '../state/index.ts';

export interface XNetRound {
  /** Messages of the other subnets' streams to induct at the start of the round, in stream order. */
  inbound: CanisterMessage[];
  /** The subnet hosting `canisterId` by the routing table: this one, another one, or none. */
  route(canisterId: Principal): { kind: 'here' } | { kind: 'elsewhere'; subnet: Principal } | { kind: 'nowhere' };
}

/**
 * The canister a request to the management canister concerns: the IC routes such a call from a
 * canister to the subnet of that canister (interface spec, section 'The IC management canister').
 * Methods without one (create_canister, raw_rand, http_request, …) run on the caller's subnet.
 */
export function managementTarget(request: Pick<Request, 'method' | 'arg'>): Principal | undefined {
  try {
    return effectiveCanisterIdOf(request.method, request.arg) ?? undefined;
  } catch (error) {
    if (error instanceof candid.CandidDecodeError) return undefined;
    throw error;
  }
}
