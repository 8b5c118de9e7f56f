// Canister HTTP outcalls waiting for their answer (interface spec, section 'IC method http_request'):
// replicated state like a call context, so a restart or a snapshot of the subnet keeps them.
import type { Request } from './messages.ts';
import type { Principal } from './principal.ts';

export type HttpOutcallMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface HttpHeader {
  name: string;
  value: string;
}

export interface HttpOutcallRequest {
  url: string;
  method: HttpOutcallMethod;
  headers: HttpHeader[];
  body: Uint8Array;
  /** As the canister gave it (undefined: the 2 MB default applies). */
  maxResponseBytes: bigint | undefined;
  /** A query method of the calling canister that rewrites the response, and the context it is handed. */
  transform: { method: string; context: Uint8Array } | undefined;
}

/** What one replica got from the outside world: an HTTP response, or a reject (reject code and message). */
export type HttpOutcallReplicaAnswer =
  | { kind: 'response'; status: number; headers: HttpHeader[]; body: Uint8Array }
  | { kind: 'reject'; code: number; message: string };

/** One answer for the whole subnet, or one per replica (which must agree after the transform). */
export type HttpOutcallAnswer = HttpOutcallReplicaAnswer | { kind: 'perReplica'; answers: HttpOutcallReplicaAnswer[] };

export interface PendingHttpOutcall {
  id: bigint;
  canisterId: Principal;
  request: HttpOutcallRequest;
  /** The call context waiting for the answer. */
  origin: Request['origin'];
  /** Attached cycles beyond the fee, refunded with the answer. */
  refund: bigint;
  /** Set between rounds; the next round transforms it and answers the call. */
  answer: HttpOutcallAnswer | undefined;
}

export interface HttpOutcallsState {
  nextId: bigint;
  /** By id, in the order the calls were made. */
  pending: PendingHttpOutcall[];
}

export function newHttpOutcallsState(): HttpOutcallsState {
  return { nextId: 0n, pending: [] };
}

/** Outcalls nobody has answered yet, oldest first. */
export function unansweredHttpOutcalls(state: { httpOutcalls: HttpOutcallsState }): PendingHttpOutcall[] {
  return state.httpOutcalls.pending.filter((outcall) => outcall.answer === undefined);
}
