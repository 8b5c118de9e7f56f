// Errors the library API throws; every one is exported from the package so callers can `instanceof` them.
import type { CallResult } from '../state/index.ts';

/** A call was rejected: the spec's reject code (1–6), message and, if known, the replica's error code. */
export class CallError extends Error {
  readonly rejectCode: number;
  readonly rejectMessage: string;
  readonly errorCode: string | undefined;
  /** Wasm function names of a trap, innermost first (from the module's name section). */
  readonly backtrace: string[] | undefined;

  constructor(rejectCode: number, rejectMessage: string, errorCode: string | undefined, backtrace?: string[]) {
    super(`Call rejected (code ${rejectCode}${errorCode ? `, ${errorCode}` : ''}): ${rejectMessage}`);
    this.name = 'CallError';
    this.rejectCode = rejectCode;
    this.rejectMessage = rejectMessage;
    this.errorCode = errorCode;
    this.backtrace = backtrace;
  }
}

/** The handle was used after `close()`. */
export class CapsuleClosedError extends Error {
  constructor() {
    super('This Capsule is closed');
    this.name = 'CapsuleClosedError';
  }
}

/** An update call did not complete within the configured number of rounds (`maxRoundsPerCall`). */
export class CallTimeoutError extends Error {
  readonly rounds: number;
  constructor(rounds: number) {
    super(`The call did not complete within ${rounds} rounds`);
    this.name = 'CallTimeoutError';
    this.rounds = rounds;
  }
}

/** A call waits for an HTTP outcall that only `mockHttpOutcall` can answer (`httpOutcalls: 'manual'`). */
export class HttpOutcallPendingError extends Error {
  readonly messageId: string;
  constructor(messageId: string) {
    super(`Call ${messageId} waits for an HTTP outcall: submit it with submitCall, answer pendingHttpOutcalls() with mockHttpOutcall, then awaitCall`);
    this.name = 'HttpOutcallPendingError';
    this.messageId = messageId;
  }
}

export function unwrap(result: CallResult): Uint8Array {
  if (result.kind === 'reply') return result.payload;
  throw new CallError(result.code, result.message, result.errorCode, result.backtrace);
}
