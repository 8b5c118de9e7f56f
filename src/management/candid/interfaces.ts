// TypeScript mirrors of the IDL values in types.ts, in @dfinity/candid's JS representation:
// nat/int/nat64/int64 → bigint, nat32/int32/float → number, blob → Uint8Array,
// opt T → [] | [T], variant → { tag: payload } (payload null for tags without one),
// reserved → null, func → [Principal, method name].

import type { Principal } from '@dfinity/principal';

export type Opt<T> = [] | [T];
export type Visibility = { controllers: null } | { public: null } | { allowed_viewers: Principal[] };
export type LogVisibility = Visibility;
export type SnapshotVisibility = Visibility;
export type StatusVisibility = Visibility;

export interface EnvironmentVariable {
  name: string;
  value: string;
}

export interface CanisterSettings {
  controllers: Opt<Principal[]>;
  compute_allocation: Opt<bigint>;
  memory_allocation: Opt<bigint>;
  freezing_threshold: Opt<bigint>;
  reserved_cycles_limit: Opt<bigint>;
  minimum_incoming_canister_call_cycles: Opt<bigint>;
  log_visibility: Opt<LogVisibility>;
  log_memory_limit: Opt<bigint>;
  snapshot_visibility: Opt<SnapshotVisibility>;
  status_visibility: Opt<StatusVisibility>;
  wasm_memory_limit: Opt<bigint>;
  wasm_memory_threshold: Opt<bigint>;
  environment_variables: Opt<EnvironmentVariable[]>;
}

export interface DefiniteCanisterSettings {
  controllers: Principal[];
  compute_allocation: bigint;
  memory_allocation: bigint;
  freezing_threshold: bigint;
  reserved_cycles_limit: bigint;
  minimum_incoming_canister_call_cycles: bigint;
  log_visibility: LogVisibility;
  log_memory_limit: bigint;
  snapshot_visibility: SnapshotVisibility;
  status_visibility: StatusVisibility;
  wasm_memory_limit: bigint;
  wasm_memory_threshold: bigint;
  environment_variables: EnvironmentVariable[];
}

export type ChangeOrigin =
  | { from_user: { user_id: Principal } }
  | { from_canister: { canister_id: Principal; canister_version: Opt<bigint> } };

export type SnapshotSource = { taken_from_canister: null } | { metadata_upload: null };

export type ChangeDetails =
  | { creation: { controllers: Principal[]; environment_variables_hash: Opt<Uint8Array> } }
  | { code_uninstall: null }
  | {
      code_deployment: {
        mode: { install: null } | { reinstall: null } | { upgrade: null };
        module_hash: Uint8Array;
      };
    }
  | {
      load_snapshot: {
        from_canister_id: Opt<Principal>;
        snapshot_id: Uint8Array;
        canister_version: bigint;
        taken_at_timestamp: bigint;
        source: SnapshotSource;
      };
    }
  | { controllers_change: { controllers: Principal[] } }
  | {
      rename_canister: {
        canister_id: Principal;
        total_num_changes: bigint;
        rename_to: { canister_id: Principal; version: bigint; total_num_changes: bigint };
        requested_by: Principal;
      };
    };

export interface Change {
  timestamp_nanos: bigint;
  canister_version: bigint;
  origin: ChangeOrigin;
  details: ChangeDetails;
}

export interface ChunkHash {
  hash: Uint8Array;
}

export interface HttpHeader {
  name: string;
  value: string;
}

export interface HttpRequestResult {
  status: bigint;
  headers: HttpHeader[];
  body: Uint8Array;
}

export type EcdsaCurve = { secp256k1: null } | { secp256r1: null };
export type SchnorrAlgorithm = { bip340secp256k1: null } | { ed25519: null };
export type VetkdCurve = { bls12_381_g2: null };
export interface EcdsaKeyId {
  curve: EcdsaCurve;
  name: string;
}
export interface SchnorrKeyId {
  algorithm: SchnorrAlgorithm;
  name: string;
}
export interface VetkdKeyId {
  curve: VetkdCurve;
  name: string;
}

export interface NodeMetrics {
  node_id: Principal;
  num_blocks_proposed_total: bigint;
  num_block_failures_total: bigint;
}

// ---- per-method arguments and results ----

export interface CanisterIdRecord {
  canister_id: Principal;
}

export interface CreateCanisterArgs {
  settings: Opt<CanisterSettings>;
  sender_canister_version: Opt<bigint>;
}
export interface CreateCanisterResult {
  canister_id: Principal;
}

export interface UpdateSettingsArgs {
  canister_id: Principal;
  settings: CanisterSettings;
  sender_canister_version: Opt<bigint>;
}

export interface UploadChunkArgs {
  canister_id: Principal;
  chunk: Uint8Array;
}
export type UploadChunkResult = ChunkHash;
export type StoredChunksResult = ChunkHash[];

export type WasmMemoryPersistence = { keep: null } | { replace: null };
export interface UpgradeOptions {
  skip_pre_upgrade: Opt<boolean>;
  wasm_memory_persistence: Opt<WasmMemoryPersistence>;
}
/** `upgrade` is `[]` when the caller sent the pre-v0.21 payload-less `upgrade` (or `null`). */
export type CanisterInstallMode =
  | { install: null }
  | { reinstall: null }
  | { upgrade: Opt<UpgradeOptions> };

export interface InstallCodeArgs {
  mode: CanisterInstallMode;
  canister_id: Principal;
  wasm_module: Uint8Array;
  arg: Uint8Array;
  sender_canister_version: Opt<bigint>;
}

export interface InstallChunkedCodeArgs {
  mode: CanisterInstallMode;
  target_canister: Principal;
  store_canister: Opt<Principal>;
  chunk_hashes_list: ChunkHash[];
  wasm_module_hash: Uint8Array;
  arg: Uint8Array;
  sender_canister_version: Opt<bigint>;
}

export interface UninstallCodeArgs {
  canister_id: Principal;
  sender_canister_version: Opt<bigint>;
}

export type CanisterStatusType = { running: null } | { stopping: null } | { stopped: null };
export interface MemoryMetrics {
  wasm_memory_size: bigint;
  stable_memory_size: bigint;
  global_memory_size: bigint;
  wasm_binary_size: bigint;
  custom_sections_size: bigint;
  canister_history_size: bigint;
  wasm_chunk_store_size: bigint;
  snapshots_size: bigint;
  log_memory_store_size: bigint;
}
export interface QueryStats {
  num_calls_total: bigint;
  num_instructions_total: bigint;
  request_payload_bytes_total: bigint;
  response_payload_bytes_total: bigint;
}
export interface CanisterStatusResult {
  status: CanisterStatusType;
  ready_for_migration: boolean;
  version: bigint;
  settings: DefiniteCanisterSettings;
  module_hash: Opt<Uint8Array>;
  memory_size: bigint;
  memory_metrics: MemoryMetrics;
  cycles: bigint;
  reserved_cycles: bigint;
  idle_cycles_burned_per_day: bigint;
  query_stats: QueryStats;
}

export interface CyclesConsumed {
  memory: bigint;
  compute_allocation: bigint;
  ingress_induction: bigint;
  instructions: bigint;
  request_and_response_transmission: bigint;
  uninstall: bigint;
  canister_creation: bigint;
  http_outcalls: bigint;
  burned_cycles: bigint;
}
export interface CanisterMetricsResult {
  cycles_consumed: CyclesConsumed;
}

export interface CanisterInfoArgs {
  canister_id: Principal;
  num_requested_changes: Opt<bigint>;
}
export interface CanisterInfoResult {
  total_num_changes: bigint;
  recent_changes: Change[];
  module_hash: Opt<Uint8Array>;
  controllers: Principal[];
}

export interface CanisterMetadataArgs {
  canister_id: Principal;
  name: string;
}
export interface CanisterMetadataResult {
  value: Uint8Array;
}

export type HttpMethod =
  | { get: null }
  | { head: null }
  | { post: null }
  | { put: null }
  | { delete: null }
  | { patch: null };
export interface TransformArgs {
  response: HttpRequestResult;
  context: Uint8Array;
}
export interface HttpRequestArgs {
  url: string;
  max_response_bytes: Opt<bigint>;
  method: HttpMethod;
  headers: HttpHeader[];
  body: Opt<Uint8Array>;
  /** `function` is a query method reference: [canister, method name]. */
  transform: Opt<{ function: [Principal, string]; context: Uint8Array }>;
  is_replicated: Opt<boolean>;
}

export interface EcdsaPublicKeyArgs {
  canister_id: Opt<Principal>;
  derivation_path: Uint8Array[];
  key_id: EcdsaKeyId;
}
export interface PublicKeyResult {
  public_key: Uint8Array;
  chain_code: Uint8Array;
}
export type EcdsaPublicKeyResult = PublicKeyResult;
export interface SignWithEcdsaArgs {
  message_hash: Uint8Array;
  derivation_path: Uint8Array[];
  key_id: EcdsaKeyId;
}
export interface SignatureResult {
  signature: Uint8Array;
}
export type SignWithEcdsaResult = SignatureResult;

export interface SchnorrPublicKeyArgs {
  canister_id: Opt<Principal>;
  derivation_path: Uint8Array[];
  key_id: SchnorrKeyId;
}
export type SchnorrPublicKeyResult = PublicKeyResult;
export type SchnorrAux = { bip341: { merkle_root_hash: Uint8Array } };
export interface SignWithSchnorrArgs {
  message: Uint8Array;
  derivation_path: Uint8Array[];
  key_id: SchnorrKeyId;
  aux: Opt<SchnorrAux>;
}
export type SignWithSchnorrResult = SignatureResult;

export interface VetkdPublicKeyArgs {
  canister_id: Opt<Principal>;
  context: Uint8Array;
  key_id: VetkdKeyId;
}
export interface VetkdPublicKeyResult {
  public_key: Uint8Array;
}
export interface VetkdDeriveKeyArgs {
  input: Uint8Array;
  context: Uint8Array;
  transport_public_key: Uint8Array;
  key_id: VetkdKeyId;
}
export interface VetkdDeriveKeyResult {
  encrypted_key: Uint8Array;
}

export interface NodeMetricsHistoryArgs {
  subnet_id: Principal;
  start_at_timestamp_nanos: bigint;
}
export type NodeMetricsHistoryResult = { timestamp_nanos: bigint; node_metrics: NodeMetrics[] }[];

export interface SubnetIdRecord {
  subnet_id: Principal;
}
export interface SubnetMetricsResult {
  block_height: bigint;
  num_canisters: bigint;
  canister_state_bytes: bigint;
  consumed_cycles_total: bigint;
  update_transactions_total: bigint;
}
export interface SubnetInfoResult {
  replica_version: string;
  registry_version: bigint;
}

export interface ProvisionalCreateCanisterWithCyclesArgs {
  amount: Opt<bigint>;
  settings: Opt<CanisterSettings>;
  specified_id: Opt<Principal>;
  sender_canister_version: Opt<bigint>;
}
export interface ProvisionalTopUpCanisterArgs {
  canister_id: Principal;
  amount: bigint;
}

export interface Snapshot {
  id: Uint8Array;
  taken_at_timestamp: bigint;
  total_size: bigint;
}
export interface TakeCanisterSnapshotArgs {
  canister_id: Principal;
  replace_snapshot: Opt<Uint8Array>;
  uninstall_code: Opt<boolean>;
  sender_canister_version: Opt<bigint>;
}
export interface LoadCanisterSnapshotArgs {
  canister_id: Principal;
  snapshot_id: Uint8Array;
  sender_canister_version: Opt<bigint>;
}
export interface CanisterSnapshotArgs {
  canister_id: Principal;
  snapshot_id: Uint8Array;
}

export type SnapshotGlobal =
  | { i32: number }
  | { i64: bigint }
  | { f32: number }
  | { f64: number }
  | { v128: bigint };
export type GlobalTimer = { inactive: null } | { active: bigint };
export type OnLowWasmMemoryHookStatus =
  | { condition_not_satisfied: null }
  | { ready: null }
  | { executed: null };

export interface ReadCanisterSnapshotMetadataResult {
  source: SnapshotSource;
  taken_at_timestamp: bigint;
  wasm_module_size: bigint;
  globals: SnapshotGlobal[];
  wasm_memory_size: bigint;
  stable_memory_size: bigint;
  wasm_chunk_store: ChunkHash[];
  canister_version: bigint;
  certified_data: Uint8Array;
  global_timer: Opt<GlobalTimer>;
  on_low_wasm_memory_hook_status: Opt<OnLowWasmMemoryHookStatus>;
}

export interface ByteRange {
  offset: bigint;
  size: bigint;
}
export interface ReadCanisterSnapshotDataArgs {
  canister_id: Principal;
  snapshot_id: Uint8Array;
  kind:
    | { wasm_module: ByteRange }
    | { wasm_memory: ByteRange }
    | { stable_memory: ByteRange }
    | { wasm_chunk: { hash: Uint8Array } };
}
export interface ReadCanisterSnapshotDataResult {
  chunk: Uint8Array;
}

export interface UploadCanisterSnapshotMetadataArgs {
  canister_id: Principal;
  replace_snapshot: Opt<Uint8Array>;
  wasm_module_size: bigint;
  globals: SnapshotGlobal[];
  wasm_memory_size: bigint;
  stable_memory_size: bigint;
  certified_data: Uint8Array;
  global_timer: Opt<GlobalTimer>;
  on_low_wasm_memory_hook_status: Opt<OnLowWasmMemoryHookStatus>;
}
export interface UploadCanisterSnapshotMetadataResult {
  snapshot_id: Uint8Array;
}
export interface UploadCanisterSnapshotDataArgs {
  canister_id: Principal;
  snapshot_id: Uint8Array;
  kind:
    | { wasm_module: { offset: bigint } }
    | { wasm_memory: { offset: bigint } }
    | { stable_memory: { offset: bigint } }
    | { wasm_chunk: null };
  chunk: Uint8Array;
}

export interface Nat64Range {
  start: bigint;
  end: bigint;
}
export interface FetchCanisterLogsArgs {
  canister_id: Principal;
  filter: Opt<{ by_idx: Nat64Range } | { by_timestamp_nanos: Nat64Range }>;
}
export interface CanisterLogRecord {
  idx: bigint;
  timestamp_nanos: bigint;
  content: Uint8Array;
}
export interface FetchCanisterLogsResult {
  canister_log_records: CanisterLogRecord[];
}

export interface ListCanistersResult {
  canisters: { start: Principal; end: Principal }[];
}
