// How the gateway reaches a canister of a replica in this process: queries against the latest state
// (as the HTTP interface's query endpoint does) and update calls as ingress, waiting for their round
// like a synchronous call.
import type { Replica, RoundDriver } from '../replica/index.ts';
import { ANONYMOUS, type CallResult, type Principal } from '../state/index.ts';

export interface CanisterCalls {
  query(canisterId: Principal, method: string, arg: Uint8Array): Promise<CallResult>;
  update(canisterId: Principal, method: string, arg: Uint8Array): Promise<CallResult>;
}

/** Reject code of a canister or method that does not exist (interface spec, "Reject codes"). */
export const DESTINATION_INVALID = 3;
const SYS_TRANSIENT = 2;

export function replicaCalls(replica: Replica, rounds: RoundDriver, timeoutMs: number): CanisterCalls {
  return {
    query: async (canisterId, method, arg) => replica.query({ canisterId, method, arg, caller: ANONYMOUS }),
    update: async (canisterId, method, arg) => {
      const submitted = replica.submit({ sender: ANONYMOUS, receiver: canisterId, method, arg });
      if (typeof submitted !== 'string') return { kind: 'reject', code: submitted.rejectCode, message: submitted.message, errorCode: submitted.errorCode };
      rounds.kick();
      const outcome = await rounds.waitFor(submitted, timeoutMs);
      const status = replica.ingressStatus(submitted);
      if (status?.status === 'replied') return { kind: 'reply', payload: status.reply };
      if (status?.status === 'rejected') return { kind: 'reject', code: status.code, message: status.message, errorCode: status.errorCode };
      const why = outcome === 'timeout' ? `did not complete within ${timeoutMs} ms` : 'could not be made durable';
      return { kind: 'reject', code: SYS_TRANSIENT, message: `The update call ${why}` };
    },
  };
}
