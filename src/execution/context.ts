// Execution contexts of the System API (interface spec "Overview of imports": letters s, I, G, U, RQ, …).
import type { CallResult, Principal } from '../state/index.ts';

export type SystemTask = 'heartbeat' | 'globalTimer' | 'onLowWasmMemory';

/** What the canister may see and do in one message execution; fields exist only where they mean something. */
export type ApiContext =
  | { kind: 'start' }
  | { kind: 'init'; caller: Principal; arg: Uint8Array }
  | { kind: 'preUpgrade'; caller: Principal }
  | { kind: 'update'; caller: Principal; arg: Uint8Array; callContextId: number; deadline: bigint }
  | { kind: 'replicatedQuery'; caller: Principal; arg: Uint8Array; callContextId: number; deadline: bigint }
  | { kind: 'nonReplicatedQuery'; caller: Principal; arg: Uint8Array; dataCertificate: Uint8Array | undefined }
  | { kind: 'transformQuery'; caller: Principal; arg: Uint8Array }
  | { kind: 'compositeQuery'; caller: Principal; arg: Uint8Array; callContextId: number; dataCertificate: Uint8Array | undefined }
  | {
      kind: 'callback';
      composite: boolean;
      caller: Principal;
      callContextId: number;
      result: CallResult;
      refunded: bigint;
      deadline: bigint;
    }
  | { kind: 'cleanup'; composite: boolean; caller: Principal; callContextId: number; rejectCode: number }
  | { kind: 'inspectMessage'; caller: Principal; method: string; arg: Uint8Array }
  | { kind: 'systemTask'; task: SystemTask; callContextId: number };

export type ContextLetter =
  | 's' | 'I' | 'G' | 'U' | 'RQ' | 'NRQ' | 'TQ' | 'CQ' | 'Ry' | 'Rt' | 'CRy' | 'CRt' | 'C' | 'CC' | 'F' | 'T';

export function letterOf(context: ApiContext): ContextLetter {
  switch (context.kind) {
    case 'start':
      return 's';
    case 'init':
      return 'I';
    case 'preUpgrade':
      return 'G';
    case 'update':
      return 'U';
    case 'replicatedQuery':
      return 'RQ';
    case 'nonReplicatedQuery':
      return 'NRQ';
    case 'transformQuery':
      return 'TQ';
    case 'compositeQuery':
      return 'CQ';
    case 'callback':
      if (context.result.kind === 'reply') return context.composite ? 'CRy' : 'Ry';
      return context.composite ? 'CRt' : 'Rt';
    case 'cleanup':
      return context.composite ? 'CC' : 'C';
    case 'inspectMessage':
      return 'F';
    case 'systemTask':
      return 'T';
  }
}

/** The replica's name of an execution mode, used in "cannot be executed in … mode" traps. */
export function modeName(context: ApiContext): string {
  switch (context.kind) {
    case 'start':
      return 'start';
    case 'init':
      return 'init';
    case 'preUpgrade':
      return 'pre upgrade';
    case 'update':
      return 'update';
    case 'replicatedQuery':
      return 'replicated query';
    case 'nonReplicatedQuery':
    case 'transformQuery':
      return 'non replicated query';
    case 'compositeQuery':
      return 'composite query';
    case 'callback': {
      const base = context.result.kind === 'reply' ? 'reply callback' : 'reject callback';
      return context.composite ? `composite ${base}` : base;
    }
    case 'cleanup':
      return context.composite ? 'composite cleanup' : 'cleanup';
    case 'inspectMessage':
      return 'inspect message';
    case 'systemTask':
      return context.task === 'heartbeat' ? 'heartbeat' : context.task === 'globalTimer' ? 'global timer' : 'on low Wasm memory';
  }
}

/** Replicated contexts (in_replicated_execution = 1; logs kept; 'Debugging aids'). */
export function isReplicated(context: ApiContext): boolean {
  const letter = letterOf(context);
  return ['s', 'I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'].includes(letter);
}

const ALL = ['I', 'G', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F', 'T'] as const;
const ARG: ContextLetter[] = ['I', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'CRy', 'F'];
const CALLER_INFO: ContextLetter[] = ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F'];
const RESPOND: ContextLetter[] = ['U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'];
const CYCLES_IN: ContextLetter[] = ['U', 'RQ', 'Rt', 'Ry'];
const CALLS: ContextLetter[] = ['U', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'T'];
const CALL_CYCLES: ContextLetter[] = ['U', 'Ry', 'Rt', 'T'];
const REPLICATED_WRITE: ContextLetter[] = ['I', 'G', 'U', 'Ry', 'Rt', 'C', 'T'];
const ROOT_KEY: ContextLetter[] = ['I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'];
const EVERYWHERE: ContextLetter[] = [...ALL];
const EVERYWHERE_AND_START: ContextLetter[] = [...ALL, 's'];

/** Where each ic0 function may be called (interface spec, section 'Overview of imports'; `*` = every context but start). */
export const AVAILABILITY: Record<string, readonly ContextLetter[]> = {
  msg_arg_data_size: ARG,
  msg_arg_data_copy: ARG,
  msg_caller_size: EVERYWHERE,
  msg_caller_copy: EVERYWHERE,
  msg_caller_info_data_size: CALLER_INFO,
  msg_caller_info_data_copy: CALLER_INFO,
  msg_caller_info_signer_size: CALLER_INFO,
  msg_caller_info_signer_copy: CALLER_INFO,
  msg_reject_code: ['Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC'],
  msg_reject_msg_size: ['Rt', 'CRt'],
  msg_reject_msg_copy: ['Rt', 'CRt'],
  msg_deadline: ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'],
  msg_method_name_size: ['F'],
  msg_method_name_copy: ['F'],
  accept_message: ['F'],
  msg_reply_data_append: RESPOND,
  msg_reply: RESPOND,
  msg_reject: RESPOND,
  msg_cycles_available: CYCLES_IN,
  msg_cycles_available128: CYCLES_IN,
  msg_cycles_refunded: ['Rt', 'Ry'],
  msg_cycles_refunded128: ['Rt', 'Ry'],
  msg_cycles_accept: CYCLES_IN,
  msg_cycles_accept128: CYCLES_IN,
  cycles_burn128: ['I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'],
  canister_cycle_balance: EVERYWHERE,
  canister_cycle_balance128: EVERYWHERE,
  canister_liquid_cycle_balance128: EVERYWHERE,
  call_cycles_add: CALL_CYCLES,
  call_cycles_add128: CALL_CYCLES,
  canister_self_size: EVERYWHERE,
  canister_self_copy: EVERYWHERE,
  subnet_self_size: EVERYWHERE,
  subnet_self_copy: EVERYWHERE,
  canister_status: EVERYWHERE,
  canister_version: EVERYWHERE,
  call_new: CALLS,
  call_on_cleanup: CALLS,
  call_data_append: CALLS,
  call_with_best_effort_response: CALLS,
  call_perform: CALLS,
  stable_size: EVERYWHERE_AND_START,
  stable_grow: EVERYWHERE_AND_START,
  stable_read: EVERYWHERE_AND_START,
  stable_write: EVERYWHERE_AND_START,
  stable64_size: EVERYWHERE_AND_START,
  stable64_grow: EVERYWHERE_AND_START,
  stable64_read: EVERYWHERE_AND_START,
  stable64_write: EVERYWHERE_AND_START,
  root_key_size: ROOT_KEY,
  root_key_copy: ROOT_KEY,
  certified_data_set: REPLICATED_WRITE.filter((l) => l !== 'C'),
  data_certificate_present: EVERYWHERE,
  data_certificate_size: ['NRQ', 'CQ'],
  data_certificate_copy: ['NRQ', 'CQ'],
  time: EVERYWHERE,
  global_timer_set: REPLICATED_WRITE,
  performance_counter: EVERYWHERE_AND_START,
  is_controller: EVERYWHERE_AND_START,
  in_replicated_execution: EVERYWHERE_AND_START,
  debug_print: EVERYWHERE_AND_START,
  trap: EVERYWHERE_AND_START,
  cost_call: EVERYWHERE_AND_START,
  cost_create_canister: EVERYWHERE_AND_START,
  cost_http_request: EVERYWHERE_AND_START,
  cost_http_request_v2: EVERYWHERE_AND_START,
  cost_sign_with_ecdsa: EVERYWHERE_AND_START,
  cost_sign_with_schnorr: EVERYWHERE_AND_START,
  cost_vetkd_derive_key: EVERYWHERE_AND_START,
  env_var_count: EVERYWHERE,
  env_var_name_size: EVERYWHERE,
  env_var_name_copy: EVERYWHERE,
  env_var_name_exists: EVERYWHERE,
  env_var_value_size: EVERYWHERE,
  env_var_value_copy: EVERYWHERE,
  mint_cycles: CALL_CYCLES,
  mint_cycles128: CALL_CYCLES,
};
