// Messages between canisters, users and the system (interface spec, "Abstract behavior").
import type { Principal } from './principal.ts';

/** Reject codes (interface spec, 'Reject codes'); 0 is never a reject code. */
export type RejectCode = 1 | 2 | 3 | 4 | 5 | 6;
export const REJECT = {
  SYS_FATAL: 1,
  SYS_TRANSIENT: 2,
  DESTINATION_INVALID: 3,
  CANISTER_REJECT: 4,
  CANISTER_ERROR: 5,
  SYS_UNKNOWN: 6,
} as const;

export type CallResult =
  | { kind: 'reply'; payload: Uint8Array }
  | { kind: 'reject'; code: RejectCode; message: string; errorCode?: string; backtrace?: string[] };

/**
 * What a canister that signs for users (canister signatures) attached to a request as `sender_info`:
 * the callee reads it with ic0.msg_caller_info_* (interface spec, "Authentication").
 */
export interface CallerInfo {
  data: Uint8Array;
  signer: Principal;
}

/** Where a call context came from, and so where its response goes. */
export type CallOrigin =
  | { kind: 'ingress'; messageId: string; sender: Principal; callerInfo?: CallerInfo }
  | { kind: 'canister'; caller: Principal; callbackId: number; deadline: bigint }
  | { kind: 'system' };

export interface Request {
  kind: 'request';
  caller: Principal;
  receiver: Principal;
  method: string;
  arg: Uint8Array;
  cycles: bigint;
  origin: Exclude<CallOrigin, { kind: 'system' }>;
  /** 0 for guaranteed-response calls and ingress; the bounded-wait deadline otherwise. */
  deadline: bigint;
}

export interface Response {
  kind: 'response';
  /** The canister that made the call and holds the callback. */
  receiver: Principal;
  /** The canister (or management canister) that answered. */
  respondent: Principal;
  callbackId: number;
  result: CallResult;
  refund: bigint;
  deadline: bigint;
}

export type CanisterMessage = Request | Response;

/** A wasm closure: a table index and its environment value ('Inter-canister method calls'). */
export interface Closure {
  fun: bigint;
  env: bigint;
}

export interface CallContext {
  id: number;
  origin: CallOrigin;
  /** Cycles attached by the caller that are not yet accepted. */
  availableCycles: bigint;
  responded: boolean;
  /** Set by uninstall: its callbacks never run again. */
  deleted: boolean;
  /** Calls made from this context whose responses have not been processed yet. */
  outstandingCalls: number;
  instructionsExecuted: bigint;
  /** The method that opened the context: `canister_query` contexts may not call. */
  methodKind: 'update' | 'query' | 'task';
}

// Invariant: every open callback belongs to a call context of the same canister.
export interface Callback {
  id: number;
  callContextId: number;
  callee: Principal;
  onReply: Closure;
  onReject: Closure;
  onCleanup: Closure | undefined;
  cyclesSent: bigint;
  /** Cycles reserved at call_perform for the response's transmission and execution (the IC's cycle costs). */
  reservation: bigint;
  /** 0 for guaranteed-response calls; cleared once the system answered the call with a timeout. */
  deadline: bigint;
  method: string;
}

export type IngressStatus =
  | { status: 'received'; time: bigint; sender: Principal; receiver: Principal; effectiveId: Principal }
  | { status: 'processing'; time: bigint; sender: Principal; receiver: Principal; effectiveId: Principal }
  | { status: 'replied'; time: bigint; sender: Principal; receiver: Principal; effectiveId: Principal; reply: Uint8Array }
  | {
      status: 'rejected';
      time: bigint;
      sender: Principal;
      receiver: Principal;
      effectiveId: Principal;
      code: RejectCode;
      message: string;
      errorCode: string;
      /** Wasm function names of a trap, innermost first (also in `message`, as the replica writes it). */
      backtrace?: string[];
    }
  | { status: 'done'; time: bigint; sender: Principal; receiver: Principal; effectiveId: Principal };
