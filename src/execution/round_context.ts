// What one round's executions share: the environment, and the outbox their messages go to.
import type { CallOrigin, CallResult, CanisterMessage, Principal } from '../state/index.ts';
import type { ExecutionEnvironment } from './system_api.ts';

export interface RoundContext {
  env: ExecutionEnvironment;
  /** Requests and responses produced in this round, in production order (routed by the scheduler). */
  outbox: CanisterMessage[];
  /** Final results of ingress messages produced in this round. */
  ingressResults: { messageId: string; result: CallResult }[];
  /** Sees every message the scheduler routes (a front end's record of the round; not replicated state). */
  observe?: (message: CanisterMessage) => void;
}

/** Sends a call's result back where the call came from. */
export function respondTo(round: RoundContext, origin: CallOrigin, respondent: Principal, result: CallResult, refund: bigint): void {
  switch (origin.kind) {
    case 'ingress':
      round.ingressResults.push({ messageId: origin.messageId, result });
      return;
    case 'canister':
      round.outbox.push({
        kind: 'response',
        receiver: origin.caller,
        respondent,
        callbackId: origin.callbackId,
        result,
        refund,
        deadline: origin.deadline,
      });
      return;
    case 'system':
      return;
  }
}
