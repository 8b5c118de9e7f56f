// Errors the library API throws.
import type { CallResult } from '../state/index.ts';

/** A call was rejected: the spec's reject code (1–6), message and, if known, the replica's error code. */
export class CallError extends Error {
  readonly rejectCode: number;
  readonly rejectMessage: string;
  readonly errorCode: string | undefined;
  /** Wasm function names of a trap, innermost first (from the module's name section). */
  readonly backtrace: string[] | undefined;

  constructor(rejectCode: number, rejectMessage: string, errorCode: string | undefined) {
    super(`Call rejected (code ${rejectCode}${errorCode ? `, ${errorCode}` : ''}): ${rejectMessage}`);
    this.name = 'CallError';
    this.rejectCode = rejectCode;
    this.rejectMessage = rejectMessage;
    this.errorCode = errorCode;
    const at = rejectMessage.indexOf('Canister Backtrace:\n');
    this.backtrace = at >= 0 ? rejectMessage.slice(at + 'Canister Backtrace:\n'.length).split('\n').filter(Boolean) : undefined;
  }
}

export function unwrap(result: CallResult): Uint8Array {
  if (result.kind === 'reply') return result.payload;
  throw new CallError(result.code, result.message, result.errorCode);
}
