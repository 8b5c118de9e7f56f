// Delivering a round's messages: requests to canisters, to the management canister or to a natively
// implemented system canister, responses back to callers, in production order (per-pair order, as the spec guarantees).
import { anyPausedInstall, executionRejectFor, hasPausedInstall, rejectOf, respondTo, type RoundContext, UserError } from '../execution/index.ts';
import { effectiveCanisterIdOf, handleManagementCall, type ManagementContext } from '../management/index.ts';
import {
  type CallResult,
  type CanisterMessage,
  canisterIndexOf,
  type CanisterState,
  getCanister,
  isInSubnetRanges,
  MANAGEMENT_CANISTER,
  type Principal,
  principalEquals,
  principalKey,
  type Request,
  type Response,
  type SubnetState,
  sendToSubnet,
} from '../state/index.ts';
import { handleSystemCall, systemCanisterAt, type SystemCanister } from '../system_canisters/index.ts';
import { recordIngressResult } from './ingress.ts';
import { managementTarget, type XNetRound } from './xnet.ts';

/** The canister a management call is about, if it exists; undefined when the argument names none. */
function targetOf(state: SubnetState, request: Request): CanisterState | undefined {
  try {
    const id = effectiveCanisterIdOf(request.method, request.arg);
    return id ? getCanister(state, id) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a management call and sends its answer (unless deferred) back where it came from. A call about a
 * canister whose install_code is paused waits in that canister's queue, behind the install, as on the replica
 * (deterministic time slicing); a call from there is `queued`.
 */
export function callManagement(context: ManagementContext, request: Request, queued = false): void {
  const { state } = context;
  // The argument is decoded for its canister only while some install is paused.
  const installing = queued || !anyPausedInstall(state.canisters) ? undefined : targetOf(state, request);
  if (installing && hasPausedInstall(installing)) return void installing.inputQueue.push(request);
  const sender = request.origin.kind === 'ingress' ? request.origin.sender : request.caller;
  const outcome = handleManagementCall(context, { sender, method: request.method, arg: request.arg, cycles: request.cycles, origin: request.origin });
  if (outcome.kind === 'deferred') {
    // An install that paused waits at the head of its canister's queue until it ends.
    const target = queued ? undefined : targetOf(state, request);
    if (target && hasPausedInstall(target)) target.inputQueue.unshift(request);
    return;
  }
  const result: CallResult = outcome.kind === 'reply' ? { kind: 'reply', payload: outcome.payload } : rejectOf(outcome.error);
  respondTo(context.round, request.origin, MANAGEMENT_CANISTER, result, outcome.refund);
}

/** Runs a call to a system canister (cycles ledger, CMC, …) and sends its answer back where it came from. */
export function callSystemCanister(context: ManagementContext, canister: SystemCanister, request: Pick<Request, 'caller' | 'method' | 'arg' | 'cycles' | 'origin'>): void {
  const caller = request.origin.kind === 'ingress' ? request.origin.sender : request.caller;
  const outcome = handleSystemCall(context, canister, { canisterId: canister.id, caller, method: request.method, arg: request.arg, cycles: request.cycles });
  // A system canister is a canister: its traps reach a calling canister as "IC0503: …", its own rejects as they are.
  const ownReject = outcome.kind === 'reject' && outcome.error.code === 'CanisterRejectedMessage';
  const result: CallResult =
    outcome.kind === 'reply' ? { kind: 'reply', payload: outcome.payload } : ownReject ? rejectOf(outcome.error) : executionRejectFor(request.origin, outcome.error);
  respondTo(context.round, request.origin, canister.id, result, outcome.refund);
}

/**
 * The replica's reject of a request to no canister: outside every subnet's ranges the stream builder
 * finds no route; inside a subnet's, the canister is not found. Both DESTINATION_INVALID.
 */
function missingReceiver(state: SubnetState, receiver: Principal, xnet: XNetRound | undefined): CallResult {
  const index = canisterIndexOf(receiver);
  const routed = xnet ? xnet.route(receiver).kind !== 'nowhere' : index !== undefined && isInSubnetRanges(state.config, index);
  return rejectOf(new UserError('CanisterNotFound', routed ? `Canister ${receiver.toText()} not found` : `No route to canister ${receiver.toText()}`));
}

/** The other subnet a request goes to, if it leaves this one. */
function remoteSubnetOf(state: SubnetState, request: Request, xnet: XNetRound): Principal | undefined {
  const management = principalEquals(request.receiver, MANAGEMENT_CANISTER);
  if (!management && (systemCanisterAt(state, request.receiver) || state.canisters.has(principalKey(request.receiver)))) return undefined;
  const target = management ? managementTarget(request) : request.receiver;
  if (!target) return undefined;
  const route = xnet.route(target);
  return route.kind === 'elsewhere' ? route.subnet : undefined;
}

function deliverRequest(state: SubnetState, round: RoundContext, request: Request, xnet: XNetRound | undefined): void {
  const remote = xnet && remoteSubnetOf(state, request, xnet);
  if (remote) {
    sendToSubnet(state, remote, request);
    return;
  }
  if (principalEquals(request.receiver, MANAGEMENT_CANISTER)) {
    callManagement({ state, round }, request);
    return;
  }
  const system = systemCanisterAt(state, request.receiver);
  if (system) {
    callSystemCanister({ state, round }, system, request);
    return;
  }
  const receiver = getCanister(state, request.receiver);
  if (!receiver) {
    respondTo(round, request.origin, request.receiver, missingReceiver(state, request.receiver, xnet), request.cycles);
    return;
  }
  receiver.inputQueue.push(request);
}

function deliverResponse(state: SubnetState, response: Response, xnet: XNetRound | undefined): void {
  const caller = getCanister(state, response.receiver);
  if (caller) {
    caller.inputQueue.push(response);
    return;
  }
  const route = xnet?.route(response.receiver);
  if (route?.kind === 'elsewhere') sendToSubnet(state, route.subnet, response);
}

/** Drains the outbox (management calls may add to it) and records ingress results. */
export function route(state: SubnetState, round: RoundContext, xnet?: XNetRound): void {
  while (round.outbox.length > 0 || round.ingressResults.length > 0) {
    const messages: CanisterMessage[] = round.outbox.splice(0);
    for (const message of messages) {
      round.observe?.(message);
      if (message.kind === 'request') deliverRequest(state, round, message, xnet);
      else deliverResponse(state, message, xnet);
    }
    for (const { messageId, result } of round.ingressResults.splice(0)) recordIngressResult(state, messageId, result);
  }
}
