// The names of the `ic0` System API functions, pinned: the interface specification's list
// (https://internetcomputer.org/docs/references/ic-interface-spec, section 'Overview of imports',
// v0.66.0) and the functions the DFINITY replica provides beyond it that Capsule supports too.

/** The 74 functions of the interface specification (v0.66.0), sorted. */
export const IC0_SPEC_NAMES: readonly string[] = `accept_message call_cycles_add call_cycles_add128 call_data_append call_new call_on_cleanup
  call_perform call_with_best_effort_response canister_cycle_balance canister_cycle_balance128
  canister_liquid_cycle_balance128 canister_self_copy canister_self_size canister_status
  canister_version certified_data_set cost_call cost_create_canister cost_http_request
  cost_sign_with_ecdsa cost_sign_with_schnorr cost_vetkd_derive_key cycles_burn128
  data_certificate_copy data_certificate_present data_certificate_size debug_print env_var_count
  env_var_name_copy env_var_name_exists env_var_name_size env_var_value_copy env_var_value_size
  global_timer_set in_replicated_execution is_controller msg_arg_data_copy msg_arg_data_size
  msg_caller_copy msg_caller_info_data_copy msg_caller_info_data_size msg_caller_info_signer_copy
  msg_caller_info_signer_size msg_caller_size msg_cycles_accept msg_cycles_accept128
  msg_cycles_available msg_cycles_available128 msg_cycles_refunded msg_cycles_refunded128
  msg_deadline msg_method_name_copy msg_method_name_size msg_reject msg_reject_code
  msg_reject_msg_copy msg_reject_msg_size msg_reply msg_reply_data_append performance_counter
  root_key_copy root_key_size stable64_grow stable64_read stable64_size stable64_write stable_grow
  stable_read stable_size stable_write subnet_self_copy subnet_self_size time trap`.split(/\s+/);

/** Replica functions outside the specification that Capsule accepts, sorted. */
export const IC0_REPLICA_EXTRA_NAMES: readonly string[] = ['cost_http_request_v2', 'mint_cycles', 'mint_cycles128'];
