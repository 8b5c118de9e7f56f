// Candid types of the management canister (`aaaaa-aa`) as @dfinity/candid IDL values.
//
// Source: `public/references/ic.did` of dfinity/developer-docs @ 0ff5354 (the newest stored
// version: spec v0.66.0 plus the v0.67.0 additions `log_memory_limit`, `log_memory_store_size`,
// the `fetch_canister_logs` filter and the `subnet_metrics` method). `ecdsa_curve` additionally
// carries `secp256r1` from the v0.67.0 changelog. Names below are the ic.did type names.
// The deprecated bitcoin_* methods are not modelled.

import { IDL, lebDecode, type PipeArrayBuffer } from '@dfinity/candid';

/**
 * `blob` (`vec nat8`) that refuses a length prefix larger than the remaining input.
 * @dfinity/candid 3.4.3 reads blobs with an unchecked `Pipe.read`, so a truncated message whose
 * last value is a blob decodes "successfully" to a shorter blob. This subclass closes that hole
 * for every blob of our types (wire-only fields that get skipped are not covered).
 */
class StrictBlobClass extends IDL.VecClass<number | bigint> {
  constructor() {
    super(IDL.Nat8);
  }

  override decodeValue(b: PipeArrayBuffer, t: IDL.Type): (number | bigint)[] {
    const wire = this.checkType(t);
    if (wire instanceof IDL.VecClass && wire._type.name === 'nat8') {
      const checkpoint = b.save();
      const len = lebDecode(b);
      const remaining = b.byteLength;
      b.restore(checkpoint);
      if (len > BigInt(remaining)) {
        throw new Error(`blob length ${len} exceeds the ${remaining} remaining bytes`);
      }
    }
    return super.decodeValue(b, t);
  }
}

export const blob = new StrictBlobClass();
export const canister_id = IDL.Principal;
export const wasm_module = blob;
export const snapshot_id = blob;

const visibility = (): IDL.VariantClass =>
  IDL.Variant({ controllers: IDL.Null, public: IDL.Null, allowed_viewers: IDL.Vec(IDL.Principal) });
export const log_visibility = visibility();
export const snapshot_visibility = visibility();
export const status_visibility = visibility();

export const environment_variable = IDL.Record({ name: IDL.Text, value: IDL.Text });

export const canister_settings = IDL.Record({
  controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
  compute_allocation: IDL.Opt(IDL.Nat),
  memory_allocation: IDL.Opt(IDL.Nat),
  freezing_threshold: IDL.Opt(IDL.Nat),
  reserved_cycles_limit: IDL.Opt(IDL.Nat),
  minimum_incoming_canister_call_cycles: IDL.Opt(IDL.Nat),
  log_visibility: IDL.Opt(log_visibility),
  log_memory_limit: IDL.Opt(IDL.Nat),
  snapshot_visibility: IDL.Opt(snapshot_visibility),
  status_visibility: IDL.Opt(status_visibility),
  wasm_memory_limit: IDL.Opt(IDL.Nat),
  wasm_memory_threshold: IDL.Opt(IDL.Nat),
  environment_variables: IDL.Opt(IDL.Vec(environment_variable)),
});

export const definite_canister_settings = IDL.Record({
  controllers: IDL.Vec(IDL.Principal),
  compute_allocation: IDL.Nat,
  memory_allocation: IDL.Nat,
  freezing_threshold: IDL.Nat,
  reserved_cycles_limit: IDL.Nat,
  minimum_incoming_canister_call_cycles: IDL.Nat,
  log_visibility,
  log_memory_limit: IDL.Nat,
  snapshot_visibility,
  status_visibility,
  wasm_memory_limit: IDL.Nat,
  wasm_memory_threshold: IDL.Nat,
  environment_variables: IDL.Vec(environment_variable),
});

export const change_origin = IDL.Variant({
  from_user: IDL.Record({ user_id: IDL.Principal }),
  from_canister: IDL.Record({ canister_id, canister_version: IDL.Opt(IDL.Nat64) }),
});

export const snapshot_source = IDL.Variant({
  taken_from_canister: IDL.Reserved,
  metadata_upload: IDL.Reserved,
});

export const change_details = IDL.Variant({
  creation: IDL.Record({
    controllers: IDL.Vec(IDL.Principal),
    environment_variables_hash: IDL.Opt(blob),
  }),
  code_uninstall: IDL.Null,
  code_deployment: IDL.Record({
    mode: IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Null }),
    module_hash: blob,
  }),
  load_snapshot: IDL.Record({
    from_canister_id: IDL.Opt(IDL.Principal),
    snapshot_id,
    canister_version: IDL.Nat64,
    taken_at_timestamp: IDL.Nat64,
    source: snapshot_source,
  }),
  controllers_change: IDL.Record({ controllers: IDL.Vec(IDL.Principal) }),
  rename_canister: IDL.Record({
    canister_id,
    total_num_changes: IDL.Nat64,
    rename_to: IDL.Record({ canister_id, version: IDL.Nat64, total_num_changes: IDL.Nat64 }),
    requested_by: IDL.Principal,
  }),
});

export const change = IDL.Record({
  timestamp_nanos: IDL.Nat64,
  canister_version: IDL.Nat64,
  origin: change_origin,
  details: change_details,
});

export const chunk_hash = IDL.Record({ hash: blob });
export const http_header = IDL.Record({ name: IDL.Text, value: IDL.Text });
export const http_request_result = IDL.Record({
  status: IDL.Nat,
  headers: IDL.Vec(http_header),
  body: blob,
});

export const ecdsa_curve = IDL.Variant({ secp256k1: IDL.Null, secp256r1: IDL.Null });
export const vetkd_curve = IDL.Variant({ bls12_381_g2: IDL.Null });
export const schnorr_algorithm = IDL.Variant({ bip340secp256k1: IDL.Null, ed25519: IDL.Null });
export const ecdsa_key_id = IDL.Record({ curve: ecdsa_curve, name: IDL.Text });
export const schnorr_key_id = IDL.Record({ algorithm: schnorr_algorithm, name: IDL.Text });
export const vetkd_key_id = IDL.Record({ curve: vetkd_curve, name: IDL.Text });

export const node_metrics = IDL.Record({
  node_id: IDL.Principal,
  num_blocks_proposed_total: IDL.Nat64,
  num_block_failures_total: IDL.Nat64,
});

// ---- per-method argument and result types ----

export const create_canister_args = IDL.Record({
  settings: IDL.Opt(canister_settings),
  sender_canister_version: IDL.Opt(IDL.Nat64),
});
export const create_canister_result = IDL.Record({ canister_id });

export const update_settings_args = IDL.Record({
  canister_id,
  settings: canister_settings,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});

export const upload_chunk_args = IDL.Record({ canister_id, chunk: blob });
export const canister_id_record = IDL.Record({ canister_id });
export const stored_chunks_result = IDL.Vec(chunk_hash);

export const wasm_memory_persistence = IDL.Variant({ keep: IDL.Null, replace: IDL.Null });
export const canister_install_mode = IDL.Variant({
  install: IDL.Null,
  reinstall: IDL.Null,
  upgrade: IDL.Opt(
    IDL.Record({
      skip_pre_upgrade: IDL.Opt(IDL.Bool),
      wasm_memory_persistence: IDL.Opt(wasm_memory_persistence),
    }),
  ),
});

export const install_code_args = IDL.Record({
  mode: canister_install_mode,
  canister_id,
  wasm_module,
  arg: blob,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});

export const install_chunked_code_args = IDL.Record({
  mode: canister_install_mode,
  target_canister: canister_id,
  store_canister: IDL.Opt(canister_id),
  chunk_hashes_list: IDL.Vec(chunk_hash),
  wasm_module_hash: blob,
  arg: blob,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});

/** Pre-v0.24 shape: `storage_canister` and `chunk_hashes_list : vec blob` (see methods.ts). */
export const install_chunked_code_args_v0_22 = IDL.Record({
  mode: canister_install_mode,
  target_canister: canister_id,
  storage_canister: IDL.Opt(canister_id),
  store_canister: IDL.Opt(canister_id),
  chunk_hashes_list: IDL.Vec(blob),
  wasm_module_hash: blob,
  arg: blob,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});

export const uninstall_code_args = IDL.Record({
  canister_id,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});

export const canister_status_result = IDL.Record({
  status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }),
  ready_for_migration: IDL.Bool,
  version: IDL.Nat64,
  settings: definite_canister_settings,
  module_hash: IDL.Opt(blob),
  memory_size: IDL.Nat,
  memory_metrics: IDL.Record({
    wasm_memory_size: IDL.Nat,
    stable_memory_size: IDL.Nat,
    global_memory_size: IDL.Nat,
    wasm_binary_size: IDL.Nat,
    custom_sections_size: IDL.Nat,
    canister_history_size: IDL.Nat,
    wasm_chunk_store_size: IDL.Nat,
    snapshots_size: IDL.Nat,
    log_memory_store_size: IDL.Nat,
  }),
  cycles: IDL.Nat,
  reserved_cycles: IDL.Nat,
  idle_cycles_burned_per_day: IDL.Nat,
  query_stats: IDL.Record({
    num_calls_total: IDL.Nat,
    num_instructions_total: IDL.Nat,
    request_payload_bytes_total: IDL.Nat,
    response_payload_bytes_total: IDL.Nat,
  }),
});

export const cycles_consumed = IDL.Record({
  memory: IDL.Nat,
  compute_allocation: IDL.Nat,
  ingress_induction: IDL.Nat,
  instructions: IDL.Nat,
  request_and_response_transmission: IDL.Nat,
  uninstall: IDL.Nat,
  canister_creation: IDL.Nat,
  http_outcalls: IDL.Nat,
  burned_cycles: IDL.Nat,
});
export const canister_metrics_result = IDL.Record({ cycles_consumed });

export const canister_info_args = IDL.Record({
  canister_id,
  num_requested_changes: IDL.Opt(IDL.Nat64),
});
export const canister_info_result = IDL.Record({
  total_num_changes: IDL.Nat64,
  recent_changes: IDL.Vec(change),
  module_hash: IDL.Opt(blob),
  controllers: IDL.Vec(IDL.Principal),
});

export const canister_metadata_args = IDL.Record({ canister_id, name: IDL.Text });
export const canister_metadata_result = IDL.Record({ value: blob });

export const transform_args = IDL.Record({ response: http_request_result, context: blob });
export const http_request_args = IDL.Record({
  url: IDL.Text,
  max_response_bytes: IDL.Opt(IDL.Nat64),
  method: IDL.Variant({
    get: IDL.Null,
    head: IDL.Null,
    post: IDL.Null,
    put: IDL.Null,
    delete: IDL.Null,
    patch: IDL.Null,
  }),
  headers: IDL.Vec(http_header),
  body: IDL.Opt(blob),
  transform: IDL.Opt(
    IDL.Record({
      function: IDL.Func([transform_args], [http_request_result], ['query']),
      context: blob,
    }),
  ),
  is_replicated: IDL.Opt(IDL.Bool),
});

export const ecdsa_public_key_args = IDL.Record({
  canister_id: IDL.Opt(canister_id),
  derivation_path: IDL.Vec(blob),
  key_id: ecdsa_key_id,
});
export const public_key_result = IDL.Record({ public_key: blob, chain_code: blob });
export const sign_with_ecdsa_args = IDL.Record({
  message_hash: blob,
  derivation_path: IDL.Vec(blob),
  key_id: ecdsa_key_id,
});
export const signature_result = IDL.Record({ signature: blob });

export const schnorr_public_key_args = IDL.Record({
  canister_id: IDL.Opt(canister_id),
  derivation_path: IDL.Vec(blob),
  key_id: schnorr_key_id,
});
export const schnorr_aux = IDL.Variant({ bip341: IDL.Record({ merkle_root_hash: blob }) });
export const sign_with_schnorr_args = IDL.Record({
  message: blob,
  derivation_path: IDL.Vec(blob),
  key_id: schnorr_key_id,
  aux: IDL.Opt(schnorr_aux),
});

export const vetkd_public_key_args = IDL.Record({
  canister_id: IDL.Opt(canister_id),
  context: blob,
  key_id: vetkd_key_id,
});
export const vetkd_public_key_result = IDL.Record({ public_key: blob });
export const vetkd_derive_key_args = IDL.Record({
  input: blob,
  context: blob,
  transport_public_key: blob,
  key_id: vetkd_key_id,
});
export const vetkd_derive_key_result = IDL.Record({ encrypted_key: blob });

export const node_metrics_history_args = IDL.Record({
  subnet_id: IDL.Principal,
  start_at_timestamp_nanos: IDL.Nat64,
});
export const node_metrics_history_result = IDL.Vec(
  IDL.Record({ timestamp_nanos: IDL.Nat64, node_metrics: IDL.Vec(node_metrics) }),
);

export const subnet_id_record = IDL.Record({ subnet_id: IDL.Principal });
export const subnet_metrics_result = IDL.Record({
  block_height: IDL.Nat,
  num_canisters: IDL.Nat,
  canister_state_bytes: IDL.Nat,
  consumed_cycles_total: IDL.Nat,
  update_transactions_total: IDL.Nat,
});
export const subnet_info_result = IDL.Record({
  replica_version: IDL.Text,
  registry_version: IDL.Nat64,
});

export const provisional_create_canister_with_cycles_args = IDL.Record({
  amount: IDL.Opt(IDL.Nat),
  settings: IDL.Opt(canister_settings),
  specified_id: IDL.Opt(canister_id),
  sender_canister_version: IDL.Opt(IDL.Nat64),
});
export const provisional_top_up_canister_args = IDL.Record({ canister_id, amount: IDL.Nat });

export const snapshot = IDL.Record({
  id: snapshot_id,
  taken_at_timestamp: IDL.Nat64,
  total_size: IDL.Nat64,
});
export const take_canister_snapshot_args = IDL.Record({
  canister_id,
  replace_snapshot: IDL.Opt(snapshot_id),
  uninstall_code: IDL.Opt(IDL.Bool),
  sender_canister_version: IDL.Opt(IDL.Nat64),
});
export const load_canister_snapshot_args = IDL.Record({
  canister_id,
  snapshot_id,
  sender_canister_version: IDL.Opt(IDL.Nat64),
});
export const list_canister_snapshots_result = IDL.Vec(snapshot);
export const canister_snapshot_args = IDL.Record({ canister_id, snapshot_id });

export const snapshot_global = IDL.Variant({
  i32: IDL.Int32,
  i64: IDL.Int64,
  f32: IDL.Float32,
  f64: IDL.Float64,
  v128: IDL.Nat,
});
export const global_timer = IDL.Variant({ inactive: IDL.Null, active: IDL.Nat64 });
export const on_low_wasm_memory_hook_status = IDL.Variant({
  condition_not_satisfied: IDL.Null,
  ready: IDL.Null,
  executed: IDL.Null,
});

export const read_canister_snapshot_metadata_response = IDL.Record({
  source: snapshot_source,
  taken_at_timestamp: IDL.Nat64,
  wasm_module_size: IDL.Nat64,
  globals: IDL.Vec(snapshot_global),
  wasm_memory_size: IDL.Nat64,
  stable_memory_size: IDL.Nat64,
  wasm_chunk_store: IDL.Vec(chunk_hash),
  canister_version: IDL.Nat64,
  certified_data: blob,
  global_timer: IDL.Opt(global_timer),
  on_low_wasm_memory_hook_status: IDL.Opt(on_low_wasm_memory_hook_status),
});

const range = (): IDL.RecordClass => IDL.Record({ offset: IDL.Nat64, size: IDL.Nat64 });
export const read_canister_snapshot_data_args = IDL.Record({
  canister_id,
  snapshot_id,
  kind: IDL.Variant({
    wasm_module: range(),
    wasm_memory: range(),
    stable_memory: range(),
    wasm_chunk: IDL.Record({ hash: blob }),
  }),
});
export const read_canister_snapshot_data_response = IDL.Record({ chunk: blob });

export const upload_canister_snapshot_metadata_args = IDL.Record({
  canister_id,
  replace_snapshot: IDL.Opt(snapshot_id),
  wasm_module_size: IDL.Nat64,
  globals: IDL.Vec(snapshot_global),
  wasm_memory_size: IDL.Nat64,
  stable_memory_size: IDL.Nat64,
  certified_data: blob,
  global_timer: IDL.Opt(global_timer),
  on_low_wasm_memory_hook_status: IDL.Opt(on_low_wasm_memory_hook_status),
});
export const upload_canister_snapshot_metadata_response = IDL.Record({ snapshot_id });

const offset = (): IDL.RecordClass => IDL.Record({ offset: IDL.Nat64 });
export const upload_canister_snapshot_data_args = IDL.Record({
  canister_id,
  snapshot_id,
  kind: IDL.Variant({
    wasm_module: offset(),
    wasm_memory: offset(),
    stable_memory: offset(),
    wasm_chunk: IDL.Null,
  }),
  chunk: blob,
});

const nat64_range = (): IDL.RecordClass => IDL.Record({ start: IDL.Nat64, end: IDL.Nat64 });
export const fetch_canister_logs_args = IDL.Record({
  canister_id,
  filter: IDL.Opt(
    IDL.Variant({ by_idx: nat64_range(), by_timestamp_nanos: nat64_range() }),
  ),
});
export const canister_log_record = IDL.Record({
  idx: IDL.Nat64,
  timestamp_nanos: IDL.Nat64,
  content: blob,
});
export const fetch_canister_logs_result = IDL.Record({
  canister_log_records: IDL.Vec(canister_log_record),
});

export const list_canisters_result = IDL.Record({
  canisters: IDL.Vec(IDL.Record({ start: canister_id, end: canister_id })),
});
