// ic0 inter-canister call builder (interface spec, section 'Inter-canister method calls'): call_new … call_perform.
import { MAX_CALL_TIMEOUT_SECONDS, MAX_INTER_CANISTER_PAYLOAD, Principal } from '../state/index.ts';
import { callTransmissionFee, responseReservation } from './cycles.ts';
import { contractViolation } from './errors.ts';
import { hasRoomForCall } from './message_memory.ts';
import { CONTEXTS } from './context.ts';
import { type Ic0Group, OVERHEAD } from './ic0_entry.ts';
import { decodeUtf8, type SystemApi } from './system_api.ts';

const MAX_PRINCIPAL_BYTES = 29;
/** Same-subnet request limit of the replica. */
const MAX_SAME_SUBNET_PAYLOAD = 10 * 1024 * 1024;

function requireDraft(api: SystemApi, name: string) {
  if (!api.draft) throw contractViolation(`${name}: there is no call under construction (call ic0_call_new first)`);
  return api.draft;
}

function isComposite(api: SystemApi): boolean {
  const context = api.context;
  return context.kind === 'compositeQuery' || ((context.kind === 'callback' || context.kind === 'cleanup') && context.composite);
}

function discardDraft(api: SystemApi): void {
  if (api.draft) api.cyclesOut -= api.draft.cycles;
  api.draft = undefined;
}

/** Calls to `callee` awaiting a response: each holds a slot of the queue to it until its response is back. */
function outstandingCalls(api: SystemApi, callee: Principal): number {
  const key = callee.toHex();
  let count = 0;
  for (const callback of api.canister.callbacks.values()) if (callback.callee.toHex() === key) count++;
  for (const call of api.calls) if (call.callee.toHex() === key) count++;
  return count;
}

function perform(api: SystemApi): number {
  const draft = requireDraft(api, 'ic0_call_perform');
  const arg = new Uint8Array(draft.argBytes);
  let at = 0;
  for (const part of draft.args) {
    arg.set(part, at);
    at += part.length;
  }
  if (outstandingCalls(api, draft.callee) >= api.env.queueCapacity) {
    discardDraft(api);
    return 2; // SYS_TRANSIENT: the queue to this destination is full, as the replica's call_perform reports
  }
  const composite = isComposite(api);
  const guaranteed = !composite && draft.timeoutSeconds === undefined;
  if (guaranteed && !hasRoomForCall(api.env.messageMemory, api.calls.filter((call) => call.timeoutSeconds === undefined).length)) {
    discardDraft(api);
    return 2; // SYS_TRANSIENT: the subnet's message memory is full, as the replica's call_perform reports
  }
  const wasm64 = api.pointerWidth === 64;
  const fee = composite ? 0n : callTransmissionFee(api.env, new TextEncoder().encode(draft.method).length, arg.length);
  const reservation = composite ? 0n : responseReservation(api.env, wasm64);
  if (fee + reservation > api.liquidBalance) {
    discardDraft(api);
    return 2; // SYS_TRANSIENT: the canister could not pay without freezing
  }
  api.cyclesOut += fee + reservation;
  api.calls.push({
    callee: draft.callee,
    method: draft.method,
    arg,
    cycles: draft.cycles,
    onReply: draft.onReply,
    onReject: draft.onReject,
    onCleanup: draft.onCleanup,
    timeoutSeconds: draft.timeoutSeconds,
    fee,
    reservation,
  });
  api.draft = undefined;
  return 0;
}

export const callFunctions = {
  call_new: {
    allowed: CONTEXTS.calls,
    overhead: OVERHEAD.callNew,
    handler: (api, calleeSrc, calleeSize, nameSrc, nameSize, replyFun, replyEnv, rejectFun, rejectEnv) => {
      const calleeBytes = api.readBytes(calleeSrc, calleeSize, 'ic0_call_new');
      if (calleeBytes.length > MAX_PRINCIPAL_BYTES) throw contractViolation('ic0_call_new: the callee is not a valid principal');
      const method = decodeUtf8(api.readBytes(nameSrc, nameSize, 'ic0_call_new'));
      if (method === undefined) throw contractViolation('ic0_call_new: the method name is not valid UTF-8');
      discardDraft(api);
      api.draft = {
        callee: Principal.fromUint8Array(calleeBytes),
        method,
        args: [],
        argBytes: 0,
        cycles: 0n,
        onReply: { fun: BigInt(api.num(replyFun)), env: BigInt(api.num(replyEnv)) },
        onReject: { fun: BigInt(api.num(rejectFun)), env: BigInt(api.num(rejectEnv)) },
        onCleanup: undefined,
        timeoutSeconds: undefined,
      };
    },
  },
  call_on_cleanup: {
    allowed: CONTEXTS.calls,
    overhead: OVERHEAD.standard,
    handler: (api, fun, env) => {
      const draft = requireDraft(api, 'ic0_call_on_cleanup');
      if (draft.onCleanup) throw contractViolation('ic0_call_on_cleanup: the cleanup closure is already set');
      draft.onCleanup = { fun: BigInt(api.num(fun)), env: BigInt(api.num(env)) };
    },
  },
  call_data_append: {
    allowed: CONTEXTS.calls,
    overhead: OVERHEAD.standard,
    handler: (api, src, size) => {
      const draft = requireDraft(api, 'ic0_call_data_append');
      const bytes = api.readBytes(src, size, 'ic0_call_data_append');
      if (draft.argBytes + bytes.length > Math.max(MAX_INTER_CANISTER_PAYLOAD, MAX_SAME_SUBNET_PAYLOAD)) {
        throw contractViolation(`ic0_call_data_append: the payload would exceed ${MAX_SAME_SUBNET_PAYLOAD} bytes`);
      }
      draft.args.push(bytes);
      draft.argBytes += bytes.length;
    },
  },
  call_with_best_effort_response: {
    allowed: CONTEXTS.calls,
    overhead: OVERHEAD.standard,
    handler: (api, seconds) => {
      const draft = requireDraft(api, 'ic0_call_with_best_effort_response');
      if (draft.timeoutSeconds !== undefined) {
        throw contractViolation('ic0_call_with_best_effort_response: the timeout is already set');
      }
      draft.timeoutSeconds = Math.min(api.num(seconds), MAX_CALL_TIMEOUT_SECONDS);
    },
  },
  call_perform: { allowed: CONTEXTS.calls, overhead: OVERHEAD.callPerform, handler: (api) => perform(api) },
} satisfies Ic0Group;
