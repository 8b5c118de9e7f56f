// Ingress messages entering a round, and their status in the ingress history (spec §6.4 request_status).
import type { CallResult, IngressStatus } from '../state/messages.ts';
import type { Principal } from '../state/principal.ts';
import type { SubnetState } from '../state/subnet_state.ts';

export interface IngressMessage {
  messageId: string;
  sender: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
  effectiveId: Principal;
  /** Size of the whole request, for the ingress induction fee. */
  bytes: number;
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
      : { status: 'rejected', ...base, code: result.code, message: result.message, errorCode: result.errorCode ?? '' };
  state.ingress.set(messageId, next);
}
