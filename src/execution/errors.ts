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

/** An error as users see it: a code whose hundreds digit is the reject code, and a description. */
export class UserError extends Error {
  readonly code: ErrorCodeName;
  constructor(code: ErrorCodeName, description: string) {
    super(description);
    this.name = 'UserError';
    this.code = code;
  }
  get rejectCode(): RejectCode {
    return Math.floor(ERROR_CODES[this.code] / 100) as RejectCode;
  }
  /** The textual error code of the HTTP interface, e.g. `IC0503`. */
  get errorCode(): string {
    return `IC${String(ERROR_CODES[this.code]).padStart(4, '0')}`;
  }
}

/** Why a wasm execution stopped abnormally; becomes a UserError at the execution boundary. */
export type Trap =
  | { kind: 'calledTrap'; message: string }
  | { kind: 'wasm'; message: string }
  | { kind: 'contractViolation'; message: string }
  | { kind: 'instructionLimit'; limit: bigint }
  | { kind: 'outOfMemory'; message: string }
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

export function contractViolation(message: string): CanisterTrap {
  return new CanisterTrap({ kind: 'contractViolation', message });
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
      return `Canister cannot grow its memory: ${trap.message}`;
    case 'wasmMemoryLimit':
      return `Canister exceeded its current Wasm memory limit of ${trap.limit} bytes. The peak Wasm memory usage was ${trap.bytes} bytes.`;
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

/** The one mapping from a trap to the error users see ('Reject codes': traps reject with CANISTER_ERROR). */
export function trapToUserError(trap: Trap, canisterId: string, backtrace: string | undefined): UserError {
  const suffix = backtrace ? `\n${backtrace}` : '';
  return new UserError(trapErrorCode(trap), `Error from Canister ${canisterId}: ${describeTrap(trap)}${suffix}`);
}
