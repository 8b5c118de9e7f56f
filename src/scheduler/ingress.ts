// Ingress messages entering a round, and their status in the ingress history (interface spec, 'Request status').
import type { CallerInfo, CallResult, IngressStatus, Principal, SubnetState } from '../state/index.ts';

export interface IngressMessage {
  messageId: string;
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
  effectiveId: Principal;
  /** Size of the whole request, for the ingress induction fee. */
  bytes: number;
  /** The verified `sender_info` of the request, if any. */
  callerInfo?: CallerInfo;
}

export function setIngressStatus(state: SubnetState, message: IngressMessage, status: 'received' | 'processing'): void {
  const base = { time: state.time, sender: message.sender, receiver: message.receiver, effectiveId: message.effectiveId };
  state.ingress.set(message.messageId, { status, ...base });
}

export function recordIngressResult(state: SubnetState, messageId: string, result: CallResult): void {
  const previous = state.ingress.get(messageId);
  if (!previous) return;
  const base = { time: state.time, sender: previous.sender, receiver: previous.receiver, effectiveId: previous.effectiveId };
  const next: IngressStatus =
    result.kind === 'reply'
      ? { status: 'replied', ...base, reply: result.payload }
      : { status: 'rejected', ...base, code: result.code, message: result.message, errorCode: result.errorCode ?? '', ...(result.backtrace ? { backtrace: result.backtrace } : {}) };
  state.ingress.set(messageId, next);
}

/** Results stay readable this long (interface spec, 'Request status': about 5 minutes), then become `done`; the longest
 * allowed ingress expiry (5 min + 30 s drift) later the entry is dropped, so no replay can slip in. */
const RESULT_TTL = 300_000_000_000n;
const EXPIRY_WINDOW = 330_000_000_000n;

export function pruneIngressHistory(state: SubnetState): void {
  for (const [messageId, entry] of state.ingress) {
    const age = state.time - entry.time;
    if ((entry.status === 'replied' || entry.status === 'rejected') && age >= RESULT_TTL) {
      state.ingress.set(messageId, { status: 'done', time: state.time, sender: entry.sender, receiver: entry.receiver, effectiveId: entry.effectiveId });
    } else if (entry.status === 'done' && age >= EXPIRY_WINDOW) {
      state.ingress.delete(messageId);
    }
  }
}
