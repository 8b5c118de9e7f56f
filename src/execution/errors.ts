// User-facing errors: the replica's ErrorCode numbering (reject code in the hundreds digit, shown as IC0503).
import type { RejectCode } from '../state/index.ts';

export const ERROR_CODES = {
  SubnetOversubscribed: 101,
  MaxNumberOfCanistersReached: 102,
  CanisterQueueFull: 201,
  IngressMessageTimeout: 202,
  CanisterQueueNotEmpty: 203,
  IngressHistoryFull: 204,
  CanisterIdAlreadyExists: 205,
  StopCanisterRequestTimeout: 206,
  CanisterOutOfCycles: 207,
  CertifiedStateUnavailable: 208,
  CanisterInstallCodeRateLimited: 209,
  CanisterHeapDeltaRateLimited: 210,
  CanisterNotFound: 301,
  CanisterSnapshotNotFound: 305,
  InsufficientMemoryAllocation: 402,
  InsufficientCyclesForCreateCanister: 403,
  SubnetNotFound: 404,
  CanisterNotHostedBySubnet: 405,
  CanisterRejectedMessage: 406,
  UnknownManagementMessage: 407,
  InvalidManagementPayload: 408,
  CanisterSnapshotImmutable: 409,
  CanisterTrapped: 502,
  CanisterCalledTrap: 503,
  CanisterContractViolation: 504,
  CanisterInvalidWasm: 505,
  CanisterDidNotReply: 506,
  CanisterOutOfMemory: 507,
  CanisterStopped: 508,
  CanisterStopping: 509,
  CanisterNotStopped: 510,
  CanisterStoppingCancelled: 511,
  CanisterInvalidController: 512,
  CanisterFunctionNotFound: 513,
  CanisterNonEmpty: 514,
  QueryCallGraphLoopDetected: 517,
  InsufficientCyclesInCall: 520,
  CanisterWasmEngineError: 521,
  CanisterInstructionLimitExceeded: 522,
  CanisterMemoryAccessLimitExceeded: 524,
  QueryCallGraphTooDeep: 525,
  QueryCallGraphTotalInstructionLimitExceeded: 526,
  CompositeQueryCalledInReplicatedMode: 527,
  QueryTimeLimitExceeded: 528,
  QueryCallGraphInternal: 529,
  InsufficientCyclesInComputeAllocation: 530,
  InsufficientCyclesInMemoryAllocation: 531,
  InsufficientCyclesInMemoryGrow: 532,
  ReservedCyclesLimitExceededInMemoryAllocation: 533,
  ReservedCyclesLimitExceededInMemoryGrow: 534,
  InsufficientCyclesInMessageMemoryGrow: 535,
  CanisterMethodNotFound: 536,
  CanisterWasmModuleNotFound: 537,
  CanisterAlreadyInstalled: 538,
  CanisterWasmMemoryLimitExceeded: 539,
  ReservedCyclesLimitIsTooLow: 540,
  DeadlineExpired: 601,
  ResponseDropped: 602,
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;

/** The replica caps a UserError's description at 8 KiB of UTF-8, keeping its start and its end. */
export const MAX_DESCRIPTION_BYTES = 8 * 1024;
const ELLIPSIS = '...';

const isContinuationByte = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

/**
 * `text` cut to at most `maxBytes` of UTF-8 by replacing its middle with "...": `prefixPercent` of
 * `maxBytes` comes from the start, the rest of the room from the end, both cut at character
 * boundaries (the replica's `StrEllipsize::ellipsize`).
 */
export function ellipsize(text: string, maxBytes: number, prefixPercent: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - ELLIPSIS.length);
  const prefixBytes = Math.min(Math.floor((maxBytes * Math.min(Math.max(prefixPercent, 0), 100)) / 100), budget);
  let end = prefixBytes;
  while (end > 0 && isContinuationByte(bytes[end])) end--;
  let start = bytes.length - (budget - prefixBytes);
  while (start < bytes.length && isContinuationByte(bytes[start])) start++;
  const decoder = new TextDecoder();
  return decoder.decode(bytes.subarray(0, end)) + ELLIPSIS + decoder.decode(bytes.subarray(start));
}

/** An error as users see it: a code whose hundreds digit is the reject code, and a description. */
export class UserError extends Error {
  readonly code: ErrorCodeName;
  /** Wasm function names of a trap, innermost first (from the module's name section); also at the end of the description. */
  readonly backtrace: string[] | undefined;
  constructor(code: ErrorCodeName, description: string, backtrace?: string[]) {
    super(ellipsize(description, MAX_DESCRIPTION_BYTES, 50));
    this.name = 'UserError';
    this.code = code;
    this.backtrace = backtrace;
  }
  get rejectCode(): RejectCode {
    return Math.floor(ERROR_CODES[this.code] / 100) as RejectCode;
  }
  /** The textual error code of the HTTP interface, e.g. `IC0503`. */
  get errorCode(): string {
    return `IC${String(ERROR_CODES[this.code]).padStart(4, '0')}`;
  }
}

/** A broken invariant of Capsule itself, never a canister's fault: it aborts the round instead of becoming a reject. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/**
 * The line the replica adds after a canister error: a suggestion and the section of its execution
 * errors documentation, or the toolchain note for System API misuse a CDK (not its user) causes.
 */
export type ErrorHelp = { suggestion: string; anchor: string } | 'toolchain';

/** The replica's execution errors documentation; each help line points at one of its sections. */
export const EXECUTION_ERRORS_DOCUMENTATION = 'https://internetcomputer.org/docs/current/references/execution-errors';
const TOOLCHAIN_HELP =
  'This is likely an error with the compiler/CDK toolchain being used to build the canister. Please report the error to IC devs on the forum: https://forum.dfinity.org and include which language/CDK was used to create the canister.';
const HANDLE_FAILURES = 'Consider gracefully handling failures from this canister or altering the canister to handle exceptions.';

export const HELP = {
  trapped: { suggestion: HANDLE_FAILURES, anchor: 'trapped' },
  trappedExplicitly: { suggestion: HANDLE_FAILURES, anchor: 'trapped-explicitly' },
  methodNotFound: { suggestion: 'Check that the method being called is exported by the target canister.', anchor: 'method-not-found' },
  wasmModuleNotFound: { suggestion: 'Please install code to this canister before calling it.', anchor: 'wasm-module-not-found' },
  instructionLimitExceeded: {
    suggestion: 'Try optimizing this method to consume fewer instructions or split the work across multiple messages.',
    anchor: 'instruction-limit-exceeded',
  },
  outOfMemory: {
    suggestion: "Check the canister's memory usage against its allocation and the system wide limits to determine why more memory cannot be allocated.",
    anchor: 'out-of-memory',
  },
  wasmMemoryLimitExceeded: {
    suggestion: 'Try checking the canister for a possible memory leak or modifying it to use more stable memory instead of Wasm memory.',
    anchor: 'wasm-memory-limit-exceeded',
  },
  wrongMode: {
    suggestion: 'Check the ICP documentation to make sure APIs are being called in the correct message types.',
    anchor: 'calling-a-system-api-from-the-wrong-mode',
  },
} as const satisfies Record<string, ErrorHelp>;

export function helpText(help: ErrorHelp): string {
  return help === 'toolchain' ? TOOLCHAIN_HELP : `${help.suggestion} See documentation: ${EXECUTION_ERRORS_DOCUMENTATION}#${help.anchor}`;
}

/**
 * An error of a canister's execution as the replica words it: "Error from Canister <id>: <detail>",
 * and, when there is help, a period and the help on a line of its own.
 */
export function canisterError(code: ErrorCodeName, canisterId: string, detail: string, help: ErrorHelp | undefined, backtrace?: string[]): UserError {
  const description = `Error from Canister ${canisterId}: ${detail}`;
  return new UserError(code, help ? `${description}.\n${helpText(help)}` : description, backtrace);
}

/** What the replica says when a message reaches a canister without code. */
export const WASM_MODULE_NOT_FOUND = 'Attempted to execute a message, but the canister contains no Wasm module.';

/** Why a wasm execution stopped abnormally; becomes a UserError at the execution boundary. */
export type Trap =
  | { kind: 'calledTrap'; message: string }
  | { kind: 'wasm'; message: string }
  | { kind: 'contractViolation'; message: string; help?: ErrorHelp }
  | { kind: 'instructionLimit'; limit: bigint }
  | { kind: 'outOfMemory' }
  | { kind: 'wasmMemoryLimit'; bytes: bigint; limit: bigint }
  | { kind: 'stackOverflow' }
  | { kind: 'callbackNotFound'; message: string };

/** A trap raised by a System API handler; carried through the wasm stack as a JS exception. */
export class CanisterTrap extends Error {
  readonly trap: Trap;
  constructor(trap: Trap) {
    super(describeTrap(trap));
    this.name = 'CanisterTrap';
    this.trap = trap;
  }
}

/** System API misuse; without `help` the replica blames the toolchain. */
export function contractViolation(message: string, help?: ErrorHelp): CanisterTrap {
  return new CanisterTrap(help ? { kind: 'contractViolation', message, help } : { kind: 'contractViolation', message });
}

/** A System API function called where the interface spec does not allow it. */
export function wrongModeViolation(name: string, mode: string): CanisterTrap {
  return contractViolation(`"${name}" cannot be executed in ${mode} mode`, HELP.wrongMode);
}

export function describeTrap(trap: Trap): string {
  switch (trap.kind) {
    case 'calledTrap':
      return `Canister called \`ic0.trap\` with message: '${trap.message}'`;
    case 'wasm':
      return `Canister trapped: ${trap.message}`;
    case 'contractViolation':
      return `Canister violated contract: ${trap.message}`;
    case 'instructionLimit':
      return `Canister exceeded the limit of ${trap.limit} instructions for single message execution.`;
    case 'outOfMemory':
      return 'Canister cannot grow its memory usage.';
    case 'wasmMemoryLimit':
      return (
        `Canister exceeded its current Wasm memory limit of ${trap.limit} bytes. The peak Wasm memory usage was ${trap.bytes} bytes. ` +
        'If the canister reaches 4GiB, then it may stop functioning and may become unrecoverable. ' +
        'Please reach out to the canister owner to investigate the reason for the increased memory usage. ' +
        'It might be necessary to move data from the Wasm memory to the stable memory. ' +
        'If such high Wasm memory usage is expected and safe, then the developer can increase the Wasm memory limit in the canister settings.'
      );
    case 'stackOverflow':
      return 'Canister trapped: stack overflow';
    case 'callbackNotFound':
      return `Canister trapped: ${trap.message}`;
  }
}

export function trapErrorCode(trap: Trap): ErrorCodeName {
  switch (trap.kind) {
    case 'calledTrap':
      return 'CanisterCalledTrap';
    case 'wasm':
    case 'stackOverflow':
    case 'callbackNotFound':
      return 'CanisterTrapped';
    case 'contractViolation':
      return 'CanisterContractViolation';
    case 'instructionLimit':
      return 'CanisterInstructionLimitExceeded';
    case 'outOfMemory':
      return 'CanisterOutOfMemory';
    case 'wasmMemoryLimit':
      return 'CanisterWasmMemoryLimitExceeded';
  }
}

function trapHelp(trap: Trap): ErrorHelp {
  switch (trap.kind) {
    case 'calledTrap':
      return HELP.trappedExplicitly;
    case 'wasm':
    case 'stackOverflow':
    case 'callbackNotFound':
      return HELP.trapped;
    case 'contractViolation':
      return trap.help ?? 'toolchain';
    case 'instructionLimit':
      return HELP.instructionLimitExceeded;
    case 'outOfMemory':
      return HELP.outOfMemory;
    case 'wasmMemoryLimit':
      return HELP.wasmMemoryLimitExceeded;
  }
}

function describeWithBacktrace(trap: Trap, backtrace: string[] | undefined): string {
  return backtrace ? `${describeTrap(trap)}\nCanister Backtrace:\n${backtrace.map((frame) => `${frame}\n`).join('')}` : describeTrap(trap);
}

/**
 * The one mapping from a trap to the error users see (traps reject with CANISTER_ERROR), worded as the
 * replica words it: the trap, its "Canister Backtrace:" section (which HTTP clients parse; the frames
 * are data too), then the help line.
 */
export function trapToUserError(trap: Trap, canisterId: string, backtrace: string[] | undefined): UserError {
  return canisterError(trapErrorCode(trap), canisterId, describeWithBacktrace(trap, backtrace), trapHelp(trap), backtrace);
}

/** A reply or reject callback that trapped, and then its cleanup callback too: the callback's code, both traps, no help line. */
export function cleanupFailed(canisterId: string, callback: TrapOutcome, cleanup: TrapOutcome): UserError {
  const detail = `${describeWithBacktrace(callback.trap, callback.backtrace)}\n\ncall_on_cleanup also failed:\n\n${describeWithBacktrace(cleanup.trap, cleanup.backtrace)}`;
  return canisterError(trapErrorCode(callback.trap), canisterId, detail, undefined, callback.backtrace);
}

export interface TrapOutcome {
  trap: Trap;
  backtrace: string[] | undefined;
}
