// `RejectResponse` of the PocketIC API: reject and error codes as the replica's Rust variant names
// (`"CanisterError"`, `"CanisterCalledTrap"`), which clients print and tests match on.
import { ERROR_CODES, type UserError } from '../execution/index.ts';
import type { RejectCode } from '../state/index.ts';

const REJECT_CODE_NAMES: Record<RejectCode, string> = {
  1: 'SysFatal',
  2: 'SysTransient',
  3: 'DestinationInvalid',
  4: 'CanisterReject',
  5: 'CanisterError',
  6: 'SysUnknown',
};

const ERROR_CODE_NAMES = new Map<string, string>(Object.entries(ERROR_CODES).map(([name, code]) => [`IC${String(code).padStart(4, '0')}`, name]));

export interface RejectResponse {
  reject_code: string;
  reject_message: string;
  error_code: string;
  certified: boolean;
}

/** A reject without an error code is a canister's explicit reject (`ic0.msg_reject`). */
function errorCodeName(code: RejectCode, errorCode: string | undefined): string {
  const name = errorCode ? ERROR_CODE_NAMES.get(errorCode) : undefined;
  if (name) return name;
  return code === 4 ? 'CanisterRejectedMessage' : 'Unknown';
}

export function rejectResponse(code: RejectCode, message: string, errorCode: string | undefined, certified: boolean): RejectResponse {
  return { reject_code: REJECT_CODE_NAMES[code], reject_message: message, error_code: errorCodeName(code, errorCode), certified };
}

export function rejectOfUserError(error: UserError, certified: boolean): RejectResponse {
  return { reject_code: REJECT_CODE_NAMES[error.rejectCode], reject_message: error.message, error_code: error.code, certified };
}
