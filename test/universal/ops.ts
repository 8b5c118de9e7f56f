/**
 * Opcode table of Capsule's universal test canister (UC).
 *
 * Opcodes 0–97 carry the same numbers and stack effects as the DFINITY universal canister
 * (`rs/universal_canister`), so test programs read the same. Opcodes from 128 up are Capsule
 * extensions that reach the rest of the System API (interface spec, section 'Overview of imports').
 *
 * Stack notation: `a b -> c` pops `b` then `a` (pushed in that order) and pushes `c`.
 * Types: `i32`, `i64`, `blob`; `c128` is a 16-byte little-endian blob. `imm:u32` / `imm:u64` /
 * `imm:bytes` are immediates read from the program (little-endian, bytes prefixed by a u32 length).
 * Popping a value of the wrong type (or from an empty stack) traps.
 */

export type OpInfo = {
  readonly code: number;
  readonly name: string;
  readonly effect: string;
  /** Only in the wasm32 build (legacy 32-bit System API); traps in the wasm64 build. */
  readonly only32?: boolean;
  readonly note?: string;
};

export const OP_TABLE: readonly OpInfo[] = [
  { code: 0, name: 'Noop', effect: '->' },
  { code: 1, name: 'Drop', effect: 'x ->', note: 'no-op on an empty stack' },
  { code: 2, name: 'PushInt', effect: 'imm:u32 -> i32' },
  { code: 3, name: 'PushBytes', effect: 'imm:bytes -> blob' },
  { code: 4, name: 'ReplyDataAppend', effect: 'blob ->', note: 'msg_reply_data_append' },
  { code: 5, name: 'Reply', effect: '->', note: 'msg_reply' },
  { code: 6, name: 'Self', effect: '-> blob', note: 'canister_self_size/copy' },
  { code: 7, name: 'Reject', effect: 'blob ->', note: 'msg_reject' },
  { code: 8, name: 'Caller', effect: '-> blob', note: 'msg_caller_size/copy' },
  { code: 9, name: 'InstructionCounterIsAtLeast', effect: 'i64 ->', note: 'loops until performance_counter(0) >= n' },
  { code: 10, name: 'RejectMessage', effect: '-> blob', note: 'msg_reject_msg_size/copy' },
  { code: 11, name: 'RejectCode', effect: '-> i32', note: 'msg_reject_code' },
  { code: 12, name: 'IntToBlob', effect: 'i32 -> blob', note: '4 bytes LE' },
  { code: 13, name: 'MessagePayload', effect: '-> blob', note: 'msg_arg_data_size/copy' },
  { code: 14, name: 'Concat', effect: 'blob blob -> blob' },
  { code: 15, name: 'StableSize', effect: '-> i32', only32: true, note: 'stable_size' },
  { code: 16, name: 'StableGrow', effect: 'i32 -> i32', only32: true, note: 'stable_grow' },
  { code: 17, name: 'StableRead', effect: 'offset:i32 size:i32 -> blob', only32: true, note: 'stable_read' },
  { code: 18, name: 'StableWrite', effect: 'offset:i32 blob ->', only32: true, note: 'stable_write' },
  { code: 19, name: 'DebugPrint', effect: 'blob ->', note: 'debug_print' },
  { code: 20, name: 'Trap', effect: 'blob ->', note: 'trap' },
  { code: 21, name: 'SetGlobal', effect: 'blob ->', note: 'persistent heap variable' },
  { code: 22, name: 'GetGlobal', effect: '-> blob' },
  { code: 23, name: 'BadPrint', effect: '->', note: 'debug_print with an out-of-bounds range' },
  { code: 24, name: 'SetPreUpgrade', effect: 'blob ->', note: 'program run by canister_pre_upgrade' },
  { code: 25, name: 'AppendGlobal', effect: 'blob ->' },
  { code: 26, name: 'Time', effect: '-> i64', note: 'time' },
  { code: 27, name: 'CyclesAvailable', effect: '-> i64', only32: true, note: 'msg_cycles_available' },
  { code: 28, name: 'CyclesBalance', effect: '-> i64', only32: true, note: 'canister_cycle_balance' },
  { code: 29, name: 'CyclesRefunded', effect: '-> i64', only32: true, note: 'msg_cycles_refunded' },
  { code: 30, name: 'AcceptCycles', effect: 'i64 -> i64', only32: true, note: 'msg_cycles_accept' },
  { code: 31, name: 'PushInt64', effect: 'imm:u64 -> i64' },
  { code: 32, name: 'CallNew', effect: 'callee method on_reply on_reject ->', note: 'call_new; programs stored as callbacks' },
  { code: 33, name: 'CallDataAppend', effect: 'blob ->', note: 'call_data_append' },
  { code: 34, name: 'CallCyclesAdd', effect: 'i64 ->', only32: true, note: 'call_cycles_add' },
  { code: 35, name: 'CallPerform', effect: '->', note: 'call_perform; traps if err_code != 0' },
  { code: 36, name: 'CertifiedDataSet', effect: 'blob ->', note: 'certified_data_set' },
  { code: 37, name: 'DataCertificatePresent', effect: '-> i32', note: 'data_certificate_present' },
  { code: 38, name: 'DataCertificate', effect: '-> blob', note: 'data_certificate_size/copy' },
  { code: 39, name: 'CanisterStatus', effect: '-> i32', note: 'canister_status' },
  { code: 40, name: 'SetHeartbeat', effect: 'blob ->', note: 'program run by canister_heartbeat' },
  { code: 41, name: 'AcceptMessage', effect: '->', note: 'accept_message' },
  { code: 42, name: 'SetInspectMessage', effect: 'blob ->', note: 'program run by canister_inspect_message (default [41])' },
  { code: 43, name: 'TrapIfEq', effect: 'a b msg ->', note: 'trap(msg) if a == b (blobs)' },
  { code: 44, name: 'CallOnCleanup', effect: 'blob ->', note: 'call_on_cleanup' },
  { code: 45, name: 'StableFill', effect: 'offset:i32 byte:i32 length:i32 ->', only32: true, note: 'stable_write' },
  { code: 46, name: 'StableSize64', effect: '-> i64', note: 'stable64_size' },
  { code: 47, name: 'StableGrow64', effect: 'i64 -> i64', note: 'stable64_grow' },
  { code: 48, name: 'StableRead64', effect: 'offset:i64 size:i64 -> blob', note: 'stable64_read' },
  { code: 49, name: 'StableWrite64', effect: 'offset:i64 blob ->', note: 'stable64_write' },
  { code: 50, name: 'Int64ToBlob', effect: 'i64 -> blob', note: '8 bytes LE' },
  { code: 51, name: 'CyclesAvailable128', effect: '-> c128', note: 'msg_cycles_available128' },
  { code: 52, name: 'CyclesBalance128', effect: '-> c128', note: 'canister_cycle_balance128' },
  { code: 53, name: 'CyclesRefunded128', effect: '-> c128', note: 'msg_cycles_refunded128' },
  { code: 54, name: 'AcceptCycles128', effect: 'high:i64 low:i64 -> c128', note: 'msg_cycles_accept128' },
  { code: 55, name: 'CallCyclesAdd128', effect: 'high:i64 low:i64 ->', note: 'call_cycles_add128' },
  { code: 56, name: 'MsgArgDataSize', effect: '-> i32', note: 'msg_arg_data_size' },
  { code: 57, name: 'MsgArgDataCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_arg_data_copy' },
  { code: 58, name: 'MsgCallerSize', effect: '-> i32', note: 'msg_caller_size' },
  { code: 59, name: 'MsgCallerCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_caller_copy' },
  { code: 60, name: 'MsgRejectMsgSize', effect: '-> i32', note: 'msg_reject_msg_size' },
  { code: 61, name: 'MsgRejectMsgCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_reject_msg_copy' },
  { code: 62, name: 'SetGlobalTimerMethod', effect: 'blob ->', note: 'program run by canister_global_timer' },
  { code: 63, name: 'ApiGlobalTimerSet', effect: 'i64 -> i64', note: 'global_timer_set' },
  { code: 64, name: 'IncGlobalCounter', effect: '->', note: 'persistent u64 counter += 1' },
  { code: 65, name: 'GetGlobalCounter', effect: '-> i64' },
  { code: 66, name: 'GetPerformanceCounter', effect: 'i32 -> i64', note: 'performance_counter' },
  { code: 67, name: 'MsgMethodName', effect: '-> blob', note: 'msg_method_name_size/copy' },
  { code: 68, name: 'ParsePrincipal', effect: 'blob -> blob', note: 'principal bytes -> textual form' },
  { code: 69, name: 'SetTransform', effect: 'blob ->', note: 'program run by canister_query transform' },
  { code: 70, name: 'GetHttpReplyWithBody', effect: 'body -> blob', note: 'Candid HttpRequestResult{status=200; headers=[]; body}' },
  { code: 71, name: 'GetHttpTransformContext', effect: 'blob -> blob', note: 'context field of a Candid TransformArgs' },
  { code: 72, name: 'StableFill64', effect: 'offset:i64 byte:i64 length:i64 ->', note: 'stable64_write' },
  { code: 73, name: 'CanisterVersion', effect: '-> i64', note: 'canister_version' },
  { code: 74, name: 'TrapIfNeq', effect: 'a b msg ->', note: 'trap(msg) if a != b (blobs)' },
  { code: 75, name: 'MintCycles', effect: 'i64 -> i64', note: 'mint_cycles128(0, n); low 64 bits of the result' },
  { code: 76, name: 'OneWayCallNew', effect: 'callee method ->', note: 'call_new with env 0xFFFFFFFF' },
  { code: 77, name: 'IsController', effect: 'blob -> i32', note: 'is_controller' },
  { code: 78, name: 'CyclesBurn128', effect: 'high:i64 low:i64 -> c128', note: 'cycles_burn128' },
  { code: 79, name: 'BlobLength', effect: 'blob -> i32' },
  { code: 80, name: 'PushEqualBytes', effect: 'byte:i32 length:i32 -> blob' },
  { code: 81, name: 'InReplicatedExecution', effect: '-> i32', note: 'in_replicated_execution' },
  { code: 82, name: 'CallWithBestEffortResponse', effect: 'i32 ->', note: 'call_with_best_effort_response' },
  { code: 83, name: 'MsgDeadline', effect: '-> i64', note: 'msg_deadline' },
  { code: 84, name: 'MemorySizeIsAtLeast', effect: 'i64 ->', note: 'memory.grow until the heap is larger than n bytes' },
  { code: 85, name: 'MintCycles128', effect: 'high:i64 low:i64 -> c128', note: 'mint_cycles128' },
  { code: 86, name: 'CostCall', effect: 'method_name_size:i64 payload_size:i64 -> c128', note: 'cost_call' },
  { code: 87, name: 'CostCreateCanister', effect: '-> c128', note: 'cost_create_canister' },
  { code: 88, name: 'CostHttpRequest', effect: 'request_size:i64 max_res_bytes:i64 -> c128', note: 'cost_http_request' },
  { code: 89, name: 'CostSignWithEcdsa', effect: 'key:blob curve:i32 -> c128', note: 'cost_sign_with_ecdsa; traps if result != 0' },
  { code: 90, name: 'CostSignWithSchnorr', effect: 'key:blob algorithm:i32 -> c128', note: 'cost_sign_with_schnorr; traps if result != 0' },
  { code: 91, name: 'CostVetkdDeriveKey', effect: 'key:blob curve:i32 -> c128', note: 'cost_vetkd_derive_key; traps if result != 0' },
  { code: 92, name: 'LiquidCyclesBalance128', effect: '-> c128', note: 'canister_liquid_cycle_balance128' },
  { code: 93, name: 'CallDataAppendCyclesAddMax', effect: 'method_name_size:i64 payload:blob ->', note: 'call_data_append, then call_cycles_add128(liquid - cost_call)' },
  { code: 94, name: 'RootKey', effect: '-> blob', note: 'root_key_size/copy' },
  { code: 95, name: 'SetOnLowWasmMemoryMethod', effect: 'blob ->', note: 'program run by canister_on_low_wasm_memory' },
  { code: 96, name: 'WasmMemoryGrow', effect: 'pages:i32 ->', note: 'memory.grow (result dropped)' },
  { code: 97, name: 'CostHttpRequestV2', effect: 'params:blob -> c128', note: 'cost_http_request_v2 (replica extra)' },
  // ---- Capsule extensions ----
  { code: 128, name: 'Dup', effect: 'x -> x x' },
  { code: 129, name: 'Swap', effect: 'a b -> b a' },
  { code: 130, name: 'CallPerformErrCode', effect: '-> i32', note: 'call_perform, pushes err_code instead of trapping' },
  { code: 131, name: 'CallNewRaw', effect: 'callee method reply_fun:i32 reply_env:i32 reject_fun:i32 reject_env:i32 ->', note: 'call_new with raw table indices/envs' },
  { code: 132, name: 'CallOnCleanupRaw', effect: 'fun:i32 env:i32 ->', note: 'call_on_cleanup with raw table index/env' },
  { code: 133, name: 'MsgCallerInfoDataSize', effect: '-> i32', note: 'msg_caller_info_data_size' },
  { code: 134, name: 'MsgCallerInfoDataCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_caller_info_data_copy' },
  { code: 135, name: 'MsgCallerInfoData', effect: '-> blob' },
  { code: 136, name: 'MsgCallerInfoSignerSize', effect: '-> i32', note: 'msg_caller_info_signer_size' },
  { code: 137, name: 'MsgCallerInfoSignerCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_caller_info_signer_copy' },
  { code: 138, name: 'MsgCallerInfoSigner', effect: '-> blob' },
  { code: 139, name: 'MsgMethodNameSize', effect: '-> i32', note: 'msg_method_name_size' },
  { code: 140, name: 'MsgMethodNameCopy', effect: 'offset:i32 size:i32 -> blob', note: 'msg_method_name_copy' },
  { code: 141, name: 'CanisterSelfSize', effect: '-> i32', note: 'canister_self_size' },
  { code: 142, name: 'CanisterSelfCopy', effect: 'offset:i32 size:i32 -> blob', note: 'canister_self_copy' },
  { code: 143, name: 'SubnetSelfSize', effect: '-> i32', note: 'subnet_self_size' },
  { code: 144, name: 'SubnetSelfCopy', effect: 'offset:i32 size:i32 -> blob', note: 'subnet_self_copy' },
  { code: 145, name: 'SubnetSelf', effect: '-> blob' },
  { code: 146, name: 'RootKeySize', effect: '-> i32', note: 'root_key_size' },
  { code: 147, name: 'RootKeyCopy', effect: 'offset:i32 size:i32 -> blob', note: 'root_key_copy' },
  { code: 148, name: 'DataCertificateSize', effect: '-> i32', note: 'data_certificate_size' },
  { code: 149, name: 'DataCertificateCopy', effect: 'offset:i32 size:i32 -> blob', note: 'data_certificate_copy' },
  { code: 150, name: 'EnvVarCount', effect: '-> i32', note: 'env_var_count' },
  { code: 151, name: 'EnvVarNameSize', effect: 'index:i32 -> i32', note: 'env_var_name_size' },
  { code: 152, name: 'EnvVarNameCopy', effect: 'index:i32 offset:i32 size:i32 -> blob', note: 'env_var_name_copy' },
  { code: 153, name: 'EnvVarName', effect: 'index:i32 -> blob' },
  { code: 154, name: 'EnvVarNameExists', effect: 'name:blob -> i32', note: 'env_var_name_exists' },
  { code: 155, name: 'EnvVarValueSize', effect: 'name:blob -> i32', note: 'env_var_value_size' },
  { code: 156, name: 'EnvVarValueCopy', effect: 'name:blob offset:i32 size:i32 -> blob', note: 'env_var_value_copy' },
  { code: 157, name: 'EnvVarValue', effect: 'name:blob -> blob' },
  { code: 158, name: 'CostSignWithEcdsaCode', effect: 'key:blob curve:i32 -> c128 i32', note: 'cost_sign_with_ecdsa, no trap; pushes the result code' },
  { code: 159, name: 'CostSignWithSchnorrCode', effect: 'key:blob algorithm:i32 -> c128 i32', note: 'cost_sign_with_schnorr, no trap' },
  { code: 160, name: 'CostVetkdDeriveKeyCode', effect: 'key:blob curve:i32 -> c128 i32', note: 'cost_vetkd_derive_key, no trap' },
  { code: 161, name: 'BlobToInt', effect: 'blob -> i32', note: 'first 4 bytes LE (zero-padded)' },
  { code: 162, name: 'BlobToInt64', effect: 'blob -> i64', note: 'first 8 bytes LE (zero-padded)' },
  { code: 163, name: 'WasmMemorySize', effect: '-> i64', note: 'memory.size in bytes' },
];

/** Opcode number by name, e.g. `OP.PushBytes === 3`. */
export const OP: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(OP_TABLE.map((o) => [o.name, o.code])),
);

/** Builder method name of an opcode: `ReplyDataAppend` -> `replyDataAppend`. */
export function methodName(opName: string): string {
  return opName[0]!.toLowerCase() + opName.slice(1);
}

/** Env value meaning "no callback program" (one-way calls). */
export const ONE_WAY_ENV = 0xffffffff;

/** Table index of the callback function `(env: I) -> ()`; index 1 holds a `() -> ()` function. */
export const CALLBACK_FUN = 0;
export const WRONG_TYPE_FUN = 1;
