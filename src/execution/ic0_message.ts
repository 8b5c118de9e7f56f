// ic0 message data, caller and response functions (interface spec, section 'Overview of imports': msg_*, accept_message).
import { ANONYMOUS, type CallerInfo, MANAGEMENT_CANISTER, type Principal } from '../state/index.ts';
import { contractViolation, wrongModeViolation } from './errors.ts';
import { CONTEXTS } from './context.ts';
import { type Ic0Group, OVERHEAD } from './ic0_entry.ts';
import { decodeUtf8, type SystemApi } from './system_api.ts';

function argData(api: SystemApi): Uint8Array {
  const context = api.context;
  switch (context.kind) {
    case 'init':
    case 'update':
    case 'replicatedQuery':
    case 'nonReplicatedQuery':
    case 'transformQuery':
    case 'compositeQuery':
    case 'inspectMessage':
      return context.arg;
    case 'callback':
      if (context.result.kind === 'reply') return context.result.payload;
      break;
    case 'start':
    case 'preUpgrade':
    case 'cleanup':
    case 'systemTask':
      break;
  }
  throw wrongModeViolation('ic0_msg_arg_data', context.kind);
}

export function callerOf(api: SystemApi): Principal {
  const context = api.context;
  switch (context.kind) {
    case 'systemTask':
    case 'start':
      return MANAGEMENT_CANISTER;
    default:
      return context.caller ?? ANONYMOUS;
  }
}

/** The `sender_info` of the user request behind this execution: only user callers authenticated by a canister signature have one. */
function callerInfoOf(api: SystemApi): CallerInfo | undefined {
  return 'callerInfo' in api.context ? api.context.callerInfo : undefined;
}

function callerInfoData(api: SystemApi): Uint8Array {
  return callerInfoOf(api)?.data ?? new Uint8Array(0);
}

function callerInfoSigner(api: SystemApi): Uint8Array {
  return callerInfoOf(api)?.signer.toUint8Array() ?? new Uint8Array(0);
}

function rejectCode(api: SystemApi): number {
  const context = api.context;
  if (context.kind === 'callback') return context.result.kind === 'reject' ? context.result.code : 0;
  if (context.kind === 'cleanup') return context.rejectCode;
  return 0;
}

function rejectMessage(api: SystemApi): Uint8Array {
  const context = api.context;
  if (context.kind === 'callback' && context.result.kind === 'reject') return new TextEncoder().encode(context.result.message);
  return new Uint8Array(0);
}

function methodName(api: SystemApi): Uint8Array {
  return api.context.kind === 'inspectMessage' ? new TextEncoder().encode(api.context.method) : new Uint8Array(0);
}

function deadline(api: SystemApi): bigint {
  const context = api.context;
  if (context.kind === 'update' || context.kind === 'replicatedQuery' || context.kind === 'callback') return context.deadline;
  return 0n;
}

function ensureCanRespond(api: SystemApi, name: string): void {
  if (api.responded || api.response) throw contractViolation(`${name}: the call is already replied`);
}

export const messageFunctions = {
  msg_arg_data_size: { allowed: CONTEXTS.arg, overhead: OVERHEAD.standard, handler: (api) => api.sized(argData(api).length) },
  msg_arg_data_copy: {
    allowed: CONTEXTS.arg,
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(argData(api), dst, offset, size, 'ic0_msg_arg_data_copy'),
  },
  msg_caller_size: {
    allowed: CONTEXTS.everywhere,
    overhead: OVERHEAD.standard,
    handler: (api) => api.sized(callerOf(api).toUint8Array().length),
  },
  msg_caller_copy: {
    allowed: CONTEXTS.everywhere,
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(callerOf(api).toUint8Array(), dst, offset, size, 'ic0_msg_caller_copy'),
  },
  msg_caller_info_data_size: { allowed: CONTEXTS.callerInfo, overhead: OVERHEAD.standard, handler: (api) => api.sized(callerInfoData(api).length) },
  msg_caller_info_data_copy: {
    allowed: CONTEXTS.callerInfo,
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(callerInfoData(api), dst, offset, size, 'ic0_msg_caller_info_data_copy'),
  },
  msg_caller_info_signer_size: { allowed: CONTEXTS.callerInfo, overhead: OVERHEAD.standard, handler: (api) => api.sized(callerInfoSigner(api).length) },
  msg_caller_info_signer_copy: {
    allowed: CONTEXTS.callerInfo,
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(callerInfoSigner(api), dst, offset, size, 'ic0_msg_caller_info_signer_copy'),
  },
  msg_reject_code: {
    allowed: ['Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC'],
    overhead: OVERHEAD.standard,
    handler: (api) => rejectCode(api),
  },
  msg_reject_msg_size: { allowed: ['Rt', 'CRt'], overhead: OVERHEAD.standard, handler: (api) => api.sized(rejectMessage(api).length) },
  msg_reject_msg_copy: {
    allowed: ['Rt', 'CRt'],
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(rejectMessage(api), dst, offset, size, 'ic0_msg_reject_msg_copy'),
  },
  msg_deadline: {
    allowed: ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'],
    overhead: OVERHEAD.standard,
    handler: (api) => deadline(api),
  },
  msg_method_name_size: { allowed: ['F'], overhead: OVERHEAD.standard, handler: (api) => api.sized(methodName(api).length) },
  msg_method_name_copy: {
    allowed: ['F'],
    overhead: OVERHEAD.standard,
    handler: (api, dst, offset, size) => api.copyOut(methodName(api), dst, offset, size, 'ic0_msg_method_name_copy'),
  },
  accept_message: {
    allowed: ['F'],
    overhead: OVERHEAD.standard,
    handler: (api) => {
      if (api.messageAccepted) throw contractViolation('ic0_accept_message: the message was already accepted');
      api.messageAccepted = true;
    },
  },
  msg_reply_data_append: {
    allowed: CONTEXTS.respond,
    overhead: OVERHEAD.standard,
    handler: (api, src, size) => {
      ensureCanRespond(api, 'ic0_msg_reply_data_append');
      const bytes = api.readBytes(src, size, 'ic0_msg_reply_data_append');
      if (api.replySize + bytes.length > api.limits.maxReplySize) {
        throw contractViolation(
          `ic0_msg_reply_data_append: application payload size (${api.replySize + bytes.length}) cannot be larger than ${api.limits.maxReplySize}.`,
        );
      }
      api.replyBuffer.push(bytes);
      api.replySize += bytes.length;
    },
  },
  msg_reply: {
    allowed: CONTEXTS.respond,
    overhead: OVERHEAD.standard,
    handler: (api) => {
      ensureCanRespond(api, 'ic0_msg_reply');
      api.response = { kind: 'reply', payload: api.replyPayload() };
    },
  },
  msg_reject: {
    allowed: CONTEXTS.respond,
    overhead: OVERHEAD.standard,
    handler: (api, src, size) => {
      ensureCanRespond(api, 'ic0_msg_reject');
      const text = decodeUtf8(api.readBytes(src, size, 'ic0_msg_reject'));
      if (text === undefined) throw contractViolation('ic0_msg_reject: the reject message is not valid UTF-8');
      api.replyBuffer = [];
      api.replySize = 0;
      api.response = { kind: 'reject', message: text };
    },
  },
} satisfies Ic0Group;
