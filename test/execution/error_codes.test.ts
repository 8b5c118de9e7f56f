// The error codes and description templates clients match on, pinned the way the replica pins its own
// (a change here is a change every client sees): each code's number and reject code, and the exact
// words of every trap, help line and composed description.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, type ErrorCodeName, UserError } from '../../src/execution/index.ts';
import {
  canisterError,
  cleanupFailed,
  EXECUTION_ERRORS_DOCUMENTATION,
  HELP,
  helpText,
  type Trap,
  trapToUserError,
  WASM_MODULE_NOT_FOUND,
  wrongModeViolation,
} from '../../src/execution/errors.ts';

const PINNED_CODES: Record<ErrorCodeName, number> = {
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
};

const ID = 'rdmx6-jaaaa-aaaaa-aaadq-cai';
const DOCS = 'https://internetcomputer.org/docs/current/references/execution-errors';
const HANDLE = 'Consider gracefully handling failures from this canister or altering the canister to handle exceptions.';
const TOOLCHAIN =
  'This is likely an error with the compiler/CDK toolchain being used to build the canister. Please report the error to IC devs on the forum: https://forum.dfinity.org and include which language/CDK was used to create the canister.';

test('every error code keeps its number, and its hundreds digit is its reject code', () => {
  assert.deepEqual({ ...ERROR_CODES }, PINNED_CODES);
  for (const [name, number] of Object.entries(PINNED_CODES)) {
    const error = new UserError(name as ErrorCodeName, 'x');
    assert.equal(error.errorCode, `IC0${number}`);
    assert.equal(error.rejectCode, Math.floor(number / 100));
  }
});

test('help lines point into the execution errors documentation, one section per error kind', () => {
  assert.equal(EXECUTION_ERRORS_DOCUMENTATION, DOCS);
  const pinned: Record<keyof typeof HELP, string> = {
    trapped: `${HANDLE} See documentation: ${DOCS}#trapped`,
    trappedExplicitly: `${HANDLE} See documentation: ${DOCS}#trapped-explicitly`,
    methodNotFound: `Check that the method being called is exported by the target canister. See documentation: ${DOCS}#method-not-found`,
    wasmModuleNotFound: `Please install code to this canister before calling it. See documentation: ${DOCS}#wasm-module-not-found`,
    instructionLimitExceeded: `Try optimizing this method to consume fewer instructions or split the work across multiple messages. See documentation: ${DOCS}#instruction-limit-exceeded`,
    outOfMemory: `Check the canister's memory usage against its allocation and the system wide limits to determine why more memory cannot be allocated. See documentation: ${DOCS}#out-of-memory`,
    wasmMemoryLimitExceeded: `Try checking the canister for a possible memory leak or modifying it to use more stable memory instead of Wasm memory. See documentation: ${DOCS}#wasm-memory-limit-exceeded`,
    wrongMode: `Check the ICP documentation to make sure APIs are being called in the correct message types. See documentation: ${DOCS}#calling-a-system-api-from-the-wrong-mode`,
  };
  for (const [name, help] of Object.entries(HELP)) assert.equal(helpText(help), pinned[name as keyof typeof HELP], name);
  assert.equal(helpText('toolchain'), TOOLCHAIN);
});

test('a canister error is "Error from Canister <id>: <detail>", with a period and the help on its own line when there is help', () => {
  assert.equal(canisterError('CanisterRejectedMessage', ID, 'Canister rejected the message', undefined).message, `Error from Canister ${ID}: Canister rejected the message`);
  const noModule = canisterError('CanisterWasmModuleNotFound', ID, WASM_MODULE_NOT_FOUND, HELP.wasmModuleNotFound);
  assert.equal(noModule.message, `Error from Canister ${ID}: Attempted to execute a message, but the canister contains no Wasm module..\n${helpText(HELP.wasmModuleNotFound)}`);
  const noMethod = canisterError('CanisterMethodNotFound', ID, "Canister has no update method 'f'.", HELP.methodNotFound);
  assert.equal(noMethod.message, `Error from Canister ${ID}: Canister has no update method 'f'..\n${helpText(HELP.methodNotFound)}`);
});

test('every trap kind has its code, its words and its help line', () => {
  const cases: [Trap, ErrorCodeName, string, string][] = [
    [{ kind: 'calledTrap', message: 'Array index out of bounds' }, 'CanisterCalledTrap', "Canister called `ic0.trap` with message: 'Array index out of bounds'", helpText(HELP.trappedExplicitly)],
    [{ kind: 'wasm', message: 'integer division by 0' }, 'CanisterTrapped', 'Canister trapped: integer division by 0', helpText(HELP.trapped)],
    [{ kind: 'wasm', message: 'heap out of bounds' }, 'CanisterTrapped', 'Canister trapped: heap out of bounds', helpText(HELP.trapped)],
    [{ kind: 'stackOverflow' }, 'CanisterTrapped', 'Canister trapped: stack overflow', helpText(HELP.trapped)],
    [{ kind: 'callbackNotFound', message: 'callback function has results' }, 'CanisterTrapped', 'Canister trapped: callback function has results', helpText(HELP.trapped)],
    [{ kind: 'contractViolation', message: 'ic0_msg_reply: the call is already replied' }, 'CanisterContractViolation', 'Canister violated contract: ic0_msg_reply: the call is already replied', TOOLCHAIN],
    [wrongModeViolation('ic0_msg_caller_size', 'start').trap, 'CanisterContractViolation', 'Canister violated contract: "ic0_msg_caller_size" cannot be executed in start mode', helpText(HELP.wrongMode)],
    [{ kind: 'instructionLimit', limit: 40_000_000_000n }, 'CanisterInstructionLimitExceeded', 'Canister exceeded the limit of 40000000000 instructions for single message execution.', helpText(HELP.instructionLimitExceeded)],
    [{ kind: 'outOfMemory' }, 'CanisterOutOfMemory', 'Canister cannot grow its memory usage.', helpText(HELP.outOfMemory)],
    [
      { kind: 'wasmMemoryLimit', bytes: 200n, limit: 100n },
      'CanisterWasmMemoryLimitExceeded',
      'Canister exceeded its current Wasm memory limit of 100 bytes. The peak Wasm memory usage was 200 bytes. If the canister reaches 4GiB, then it may stop functioning and may become unrecoverable. Please reach out to the canister owner to investigate the reason for the increased memory usage. It might be necessary to move data from the Wasm memory to the stable memory. If such high Wasm memory usage is expected and safe, then the developer can increase the Wasm memory limit in the canister settings.',
      helpText(HELP.wasmMemoryLimitExceeded),
    ],
  ];
  for (const [trap, code, words, help] of cases) {
    const error = trapToUserError(trap, ID, undefined);
    assert.equal(error.code, code, words);
    assert.equal(error.message, `Error from Canister ${ID}: ${words}.\n${help}`);
  }
});

test('a backtrace sits between the trap and the period, one frame a line', () => {
  const error = trapToUserError({ kind: 'calledTrap', message: 'm' }, ID, ['inner', 'unknown function at index 3']);
  assert.equal(error.message, `Error from Canister ${ID}: Canister called \`ic0.trap\` with message: 'm'\nCanister Backtrace:\ninner\nunknown function at index 3\n.\n${helpText(HELP.trappedExplicitly)}`);
});

test('a failed cleanup after a failed callback keeps the callback code and shows both traps without help', () => {
  const error = cleanupFailed(ID, { trap: { kind: 'wasm', message: 'unreachable' }, backtrace: undefined }, { trap: { kind: 'calledTrap', message: 'c' }, backtrace: undefined });
  assert.equal(error.code, 'CanisterTrapped');
  assert.equal(error.message, `Error from Canister ${ID}: Canister trapped: unreachable\n\ncall_on_cleanup also failed:\n\nCanister called \`ic0.trap\` with message: 'c'`);
});
