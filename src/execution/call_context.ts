// Call contexts (interface spec, section 'Abstract behavior'): commit an execution's changes, answer callers, detect starvation.
import { IDL } from '@dfinity/candid';
import { type CallContext, type CallResult, type CanisterState, MANAGEMENT_CANISTER, principalEquals } from '../state/index.ts';
import { InternalError, UserError } from './errors.ts';
import { adjustMessageMemory } from './message_memory.ts';
import { respondTo, type RoundContext } from './round_context.ts';
import type { SystemApi } from './system_api.ts';

export function openCallContext(canister: CanisterState, init: Omit<CallContext, 'id' | 'responded' | 'deleted' | 'outstandingCalls' | 'instructionsExecuted'>): CallContext {
  const context: CallContext = {
    ...init,
    id: canister.nextCallContextId++,
    responded: false,
    deleted: false,
    outstandingCalls: 0,
    instructionsExecuted: 0n,
  };
  canister.callContexts.set(context.id, context);
  return context;
}

export function rejectOf(error: UserError): CallResult {
  const reject: CallResult = { kind: 'reject', code: error.rejectCode, message: error.message, errorCode: error.errorCode };
  return error.backtrace ? { ...reject, backtrace: error.backtrace } : reject;
}

/** The error code a user sees on a canister's own `msg_reject` (the replica's IC0406). */
export const OWN_REJECT_ERROR_CODE = new UserError('CanisterRejectedMessage', '').errorCode;

/** A canister's own `msg_reject`: its text as is, and for a user the replica's IC0406. */
export function canisterReject(message: string): CallResult {
  return { kind: 'reject', code: 4, message, errorCode: OWN_REJECT_ERROR_CODE };
}

/**
 * A failed execution as the one who called it sees it: a user gets the description and the error code
 * apart, a calling canister one text, "IC0503: Error from Canister …", as the replica words it.
 */
export function executionRejectFor(origin: CallContext['origin'], error: UserError): CallResult {
  const reject = rejectOf(error);
  return origin.kind === 'canister' && reject.kind === 'reject' ? { ...reject, message: `${error.errorCode}: ${reject.message}` } : reject;
}

/** Answers the context's caller; the cycles it did not accept go back ('Cycles'). */
export function respond(round: RoundContext, canister: CanisterState, context: CallContext, result: CallResult): void {
  const refund = context.availableCycles;
  context.availableCycles = 0n;
  context.responded = true;
  respondTo(round, context.origin, canister.id, result, refund);
}

/** The replica words a missing answer one way in a user's ingress status and another way to a canister. */
function didNotReply(canister: CanisterState, origin: CallContext['origin']): UserError {
  const id = canister.id.toText();
  return new UserError('CanisterDidNotReply', origin.kind === 'ingress' ? `Canister ${id} did not reply to the call` : `Canister ${id} did not produce a response`);
}

/** A context that can no longer respond is answered by the system; a finished one is deleted. */
export function settle(round: RoundContext, canister: CanisterState, context: CallContext, failure: UserError | undefined): void {
  if (context.outstandingCalls > 0) return;
  if (!context.responded && !context.deleted) {
    const error = failure ?? didNotReply(canister, context.origin);
    respond(round, canister, context, executionRejectFor(context.origin, error));
  }
  canister.callContexts.delete(context.id);
}

const SENDER_VERSION = IDL.Record({ sender_canister_version: IDL.Opt(IDL.Nat64) });

/** The `sender_canister_version` field of a management call's Candid argument, if it has one. */
function senderCanisterVersion(arg: Uint8Array): bigint | undefined {
  try {
    const [record] = IDL.decode([SENDER_VERSION], arg.slice()) as [{ sender_canister_version: [] | [bigint] }];
    return record.sender_canister_version[0];
  } catch {
    return undefined;
  }
}

/**
 * A management call whose `sender_canister_version` differs from the caller's `ic0.canister_version`
 * is rejected (interface spec, management canister "sender_canister_version"; the replica checks it when
 * the calling execution commits: CanisterContractViolation).
 */
function senderVersionMismatch(call: SystemApi['calls'][number], version: bigint): UserError | undefined {
  if (!principalEquals(call.callee, MANAGEMENT_CANISTER)) return undefined;
  const claimed = senderCanisterVersion(call.arg);
  if (claimed === undefined || claimed === version) return undefined;
  return new UserError(
    'CanisterContractViolation',
    `Management canister call payload includes sender canister version ${claimed} that does not match the actual sender canister version ${version}.`,
  );
}

/**
 * Applies the System API's recorded changes of a successful execution. The handlers keep every
 * withdrawal within the liquid balance, so a negative result is a cycles-accounting bug: it throws
 * before anything changes.
 */
export function applyChanges(round: RoundContext, canister: CanisterState, context: CallContext, api: SystemApi, cost: bigint): void {
  const balance = canister.cycles + api.acceptedCycles + api.mintedCycles - api.cyclesOut - cost;
  if (balance < 0n) {
    throw new InternalError(`canister ${canister.id.toText()} would have a negative balance of ${balance} cycles after an execution`);
  }
  canister.cycles = balance;
  canister.consumed.instructions += cost;
  canister.consumed.burned += api.burnedCycles;
  if (api.certifiedData) canister.certifiedData = api.certifiedData;
  if (api.globalTimer !== undefined) canister.globalTimer = api.globalTimer;
  for (const call of api.calls) {
    const deadline = call.timeoutSeconds === undefined ? 0n : round.env.time + BigInt(call.timeoutSeconds) * 1_000_000_000n;
    const callbackId = canister.nextCallbackId++;
    canister.callbacks.set(callbackId, {
      id: callbackId,
      callContextId: context.id,
      callee: call.callee,
      onReply: call.onReply,
      onReject: call.onReject,
      onCleanup: call.onCleanup,
      cyclesSent: call.cycles,
      reservation: call.reservation,
      deadline,
      method: call.method,
    });
    canister.consumed.transmission += call.fee;
    context.outstandingCalls += 1;
    if (deadline === 0n) adjustMessageMemory(round.env.messageMemory, 1);
    const mismatch = senderVersionMismatch(call, api.canisterVersion);
    if (mismatch) {
      const origin = { kind: 'canister', caller: canister.id, callbackId, deadline } as const;
      respondTo(round, origin, MANAGEMENT_CANISTER, rejectOf(mismatch), call.cycles);
      continue;
    }
    round.outbox.push({
      kind: 'request',
      caller: canister.id,
      receiver: call.callee,
      method: call.method,
      arg: call.arg,
      cycles: call.cycles,
      origin: { kind: 'canister', caller: canister.id, callbackId, deadline },
      deadline,
    });
  }
  context.availableCycles = api.availableCycles;
  if (api.response) {
    const result: CallResult =
      api.response.kind === 'reply'
        ? { kind: 'reply', payload: api.response.payload }
        : canisterReject(api.response.message);
    respond(round, canister, context, result);
  }
}
