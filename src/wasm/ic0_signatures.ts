// The wasm types of every `ic0` import, once, as data. Import
// validation reads it here; the execution layer builds its import object against it.
// Source: interface spec v0.66.0 section 'Overview of imports' and the replica's
// validation.rs / linker.rs for the functions it provides beyond the spec (dfinity/ic, rs/embedders).

/** `I` is the pointer width: i32 for wasm32 modules (or no memory), i64 for wasm64. */
export type Ic0ValType = 'i32' | 'i64' | 'I';

export interface Ic0Signature {
  readonly params: readonly Ic0ValType[];
  readonly results: readonly Ic0ValType[];
  /** Legacy function that only exists when `I = i32` (interface spec, section 'Overview of imports'); rejected in wasm64 modules. */
  readonly wasm32Only: boolean;
  /** Provided by the DFINITY replica but not in the interface spec. */
  readonly replicaExtra: boolean;
}

type Spec = readonly [params: readonly Ic0ValType[], results: readonly Ic0ValType[]];

const I = 'I';
const i32 = 'i32';
const i64 = 'i64';
const copy: Spec = [[I, I, I], []];
const size: Spec = [[], [I]];

const COMMON: Record<string, Spec> = {
  msg_arg_data_size: size,
  msg_arg_data_copy: copy,
  msg_caller_size: size,
  msg_caller_copy: copy,
  msg_caller_info_data_size: size,
  msg_caller_info_data_copy: copy,
  msg_caller_info_signer_size: size,
  msg_caller_info_signer_copy: copy,
  msg_reject_code: [[], [i32]],
  msg_reject_msg_size: size,
  msg_reject_msg_copy: copy,
  msg_deadline: [[], [i64]],
  msg_method_name_size: size,
  msg_method_name_copy: copy,
  accept_message: [[], []],
  msg_reply_data_append: [[I, I], []],
  msg_reply: [[], []],
  msg_reject: [[I, I], []],
  msg_cycles_available128: [[I], []],
  msg_cycles_refunded128: [[I], []],
  msg_cycles_accept128: [[i64, i64, I], []],
  cycles_burn128: [[i64, i64, I], []],
  canister_cycle_balance128: [[I], []],
  canister_liquid_cycle_balance128: [[I], []],
  call_cycles_add128: [[i64, i64], []],
  canister_self_size: size,
  canister_self_copy: copy,
  subnet_self_size: size,
  subnet_self_copy: copy,
  canister_status: [[], [i32]],
  canister_version: [[], [i64]],
  call_new: [[I, I, I, I, I, I, I, I], []],
  call_on_cleanup: [[I, I], []],
  call_data_append: [[I, I], []],
  call_with_best_effort_response: [[i32], []],
  call_perform: [[], [i32]],
  stable64_size: [[], [i64]],
  stable64_grow: [[i64], [i64]],
  stable64_write: [[i64, i64, i64], []],
  stable64_read: [[i64, i64, i64], []],
  root_key_size: size,
  root_key_copy: copy,
  certified_data_set: [[I, I], []],
  data_certificate_present: [[], [i32]],
  data_certificate_size: size,
  data_certificate_copy: copy,
  time: [[], [i64]],
  global_timer_set: [[i64], [i64]],
  performance_counter: [[i32], [i64]],
  is_controller: [[I, I], [i32]],
  in_replicated_execution: [[], [i32]],
  debug_print: [[I, I], []],
  trap: [[I, I], []],
  cost_call: [[i64, i64, I], []],
  cost_create_canister: [[I], []],
  cost_http_request: [[i64, i64, I], []],
  cost_sign_with_ecdsa: [[I, I, i32, I], [i32]],
  cost_sign_with_schnorr: [[I, I, i32, I], [i32]],
  cost_vetkd_derive_key: [[I, I, i32, I], [i32]],
  env_var_count: [[], [I]],
  env_var_name_size: [[I], [I]],
  env_var_name_copy: [[I, I, I, I], []],
  env_var_name_exists: [[I, I], [i32]],
  env_var_value_size: [[I, I], [I]],
  env_var_value_copy: [[I, I, I, I, I], []],
};

const WASM32_ONLY: Record<string, Spec> = {
  msg_cycles_available: [[], [i64]],
  msg_cycles_refunded: [[], [i64]],
  msg_cycles_accept: [[i64], [i64]],
  canister_cycle_balance: [[], [i64]],
  call_cycles_add: [[i64], []],
  stable_size: [[], [i32]],
  stable_grow: [[i32], [i32]],
  stable_write: [[i32, i32, i32], []],
  stable_read: [[i32, i32, i32], []],
};

// linker.rs: `mint_cycles128(amount_high: u64, amount_low: u64, dst: I)` and
// `cost_http_request_v2(params_src: I, params_size: I, dst: I)`, both without results;
// `mint_cycles(i64) -> i64` is the older form still imported by old universal canisters.
const REPLICA_EXTRAS: Record<string, Spec> = {
  mint_cycles128: [[i64, i64, I], []],
  cost_http_request_v2: [[I, I, I], []],
};
const REPLICA_EXTRAS_WASM32: Record<string, Spec> = {
  mint_cycles: [[i64], [i64]],
};

function entries(specs: Record<string, Spec>, wasm32Only: boolean, replicaExtra: boolean): [string, Ic0Signature][] {
  return Object.entries(specs).map(([name, [params, results]]) => [name, { params, results, wasm32Only, replicaExtra }]);
}

/** One entry per `ic0` function Capsule accepts as an import. */
export const IC0_SIGNATURES: Readonly<Record<string, Ic0Signature>> = Object.freeze(
  Object.fromEntries([
    ...entries(COMMON, false, false),
    ...entries(WASM32_ONLY, true, false),
    ...entries(REPLICA_EXTRAS, false, true),
    ...entries(REPLICA_EXTRAS_WASM32, true, true),
  ]),
);

/** The concrete wasm types of an `ic0` function for a pointer width, or undefined if unavailable. */
export function ic0Signature(name: string, width: 32 | 64): { params: ('i32' | 'i64')[]; results: ('i32' | 'i64')[] } | undefined {
  if (!Object.hasOwn(IC0_SIGNATURES, name)) return undefined;
  const sig = IC0_SIGNATURES[name]!;
  if (sig.wasm32Only && width === 64) return undefined;
  const resolve = (t: Ic0ValType): 'i32' | 'i64' => (t === 'I' ? (width === 64 ? 'i64' : 'i32') : t);
  return { params: sig.params.map(resolve), results: sig.results.map(resolve) };
}
