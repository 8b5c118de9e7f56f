// The method table of the management canister: argument/result IDL per method, whether the
// method is declared `query` in ic.did, and the TypeScript types of arguments and results.
// `arg: null` / `result: null` stand for the empty Candid tuple `()`; its JS value is `null`.

import type { IDL } from '@dfinity/candid';
import * as T from './types.ts';
import type * as I from './interfaces.ts';

export interface MethodSpec {
  readonly arg: IDL.Type | null;
  readonly result: IDL.Type | null;
  readonly query: boolean;
}

const update = <A extends IDL.Type | null, R extends IDL.Type | null>(arg: A, result: R) =>
  ({ arg, result, query: false }) as const;
const query = <A extends IDL.Type | null, R extends IDL.Type | null>(arg: A, result: R) =>
  ({ arg, result, query: true }) as const;

export const MANAGEMENT_METHODS = {
  create_canister: update(T.create_canister_args, T.create_canister_result),
  update_settings: update(T.update_settings_args, null),
  upload_chunk: update(T.upload_chunk_args, T.chunk_hash),
  clear_chunk_store: update(T.canister_id_record, null),
  stored_chunks: update(T.canister_id_record, T.stored_chunks_result),
  install_code: update(T.install_code_args, null),
  install_chunked_code: update(T.install_chunked_code_args, null),
  uninstall_code: update(T.uninstall_code_args, null),
  start_canister: update(T.canister_id_record, null),
  stop_canister: update(T.canister_id_record, null),
  canister_status: query(T.canister_id_record, T.canister_status_result),
  canister_metrics: query(T.canister_id_record, T.canister_metrics_result),
  canister_info: query(T.canister_info_args, T.canister_info_result),
  canister_metadata: update(T.canister_metadata_args, T.canister_metadata_result),
  delete_canister: update(T.canister_id_record, null),
  deposit_cycles: update(T.canister_id_record, null),
  raw_rand: update(null, T.blob),
  http_request: update(T.http_request_args, T.http_request_result),
  ecdsa_public_key: update(T.ecdsa_public_key_args, T.public_key_result),
  sign_with_ecdsa: update(T.sign_with_ecdsa_args, T.signature_result),
  schnorr_public_key: update(T.schnorr_public_key_args, T.public_key_result),
  sign_with_schnorr: update(T.sign_with_schnorr_args, T.signature_result),
  vetkd_public_key: update(T.vetkd_public_key_args, T.vetkd_public_key_result),
  vetkd_derive_key: update(T.vetkd_derive_key_args, T.vetkd_derive_key_result),
  node_metrics_history: update(T.node_metrics_history_args, T.node_metrics_history_result),
  subnet_metrics: update(T.subnet_id_record, T.subnet_metrics_result),
  subnet_info: update(T.subnet_id_record, T.subnet_info_result),
  provisional_create_canister_with_cycles: update(
    T.provisional_create_canister_with_cycles_args,
    T.create_canister_result,
  ),
  provisional_top_up_canister: update(T.provisional_top_up_canister_args, null),
  take_canister_snapshot: update(T.take_canister_snapshot_args, T.snapshot),
  load_canister_snapshot: update(T.load_canister_snapshot_args, null),
  read_canister_snapshot_metadata: update(
    T.canister_snapshot_args,
    T.read_canister_snapshot_metadata_response,
  ),
  read_canister_snapshot_data: update(
    T.read_canister_snapshot_data_args,
    T.read_canister_snapshot_data_response,
  ),
  upload_canister_snapshot_metadata: update(
    T.upload_canister_snapshot_metadata_args,
    T.upload_canister_snapshot_metadata_response,
  ),
  upload_canister_snapshot_data: update(T.upload_canister_snapshot_data_args, null),
  list_canister_snapshots: update(T.canister_id_record, T.list_canister_snapshots_result),
  delete_canister_snapshot: update(T.canister_snapshot_args, null),
  fetch_canister_logs: query(T.fetch_canister_logs_args, T.fetch_canister_logs_result),
  list_canisters: query(null, T.list_canisters_result),
} as const satisfies Record<string, MethodSpec>;

export type ManagementMethod = keyof typeof MANAGEMENT_METHODS;

/** Argument value per method (`null` for `()`). */
export interface ManagementArgs {
  create_canister: I.CreateCanisterArgs;
  update_settings: I.UpdateSettingsArgs;
  upload_chunk: I.UploadChunkArgs;
  clear_chunk_store: I.CanisterIdRecord;
  stored_chunks: I.CanisterIdRecord;
  install_code: I.InstallCodeArgs;
  install_chunked_code: I.InstallChunkedCodeArgs;
  uninstall_code: I.UninstallCodeArgs;
  start_canister: I.CanisterIdRecord;
  stop_canister: I.CanisterIdRecord;
  canister_status: I.CanisterIdRecord;
  canister_metrics: I.CanisterIdRecord;
  canister_info: I.CanisterInfoArgs;
  canister_metadata: I.CanisterMetadataArgs;
  delete_canister: I.CanisterIdRecord;
  deposit_cycles: I.CanisterIdRecord;
  raw_rand: null;
  http_request: I.HttpRequestArgs;
  ecdsa_public_key: I.EcdsaPublicKeyArgs;
  sign_with_ecdsa: I.SignWithEcdsaArgs;
  schnorr_public_key: I.SchnorrPublicKeyArgs;
  sign_with_schnorr: I.SignWithSchnorrArgs;
  vetkd_public_key: I.VetkdPublicKeyArgs;
  vetkd_derive_key: I.VetkdDeriveKeyArgs;
  node_metrics_history: I.NodeMetricsHistoryArgs;
  subnet_metrics: I.SubnetIdRecord;
  subnet_info: I.SubnetIdRecord;
  provisional_create_canister_with_cycles: I.ProvisionalCreateCanisterWithCyclesArgs;
  provisional_top_up_canister: I.ProvisionalTopUpCanisterArgs;
  take_canister_snapshot: I.TakeCanisterSnapshotArgs;
  load_canister_snapshot: I.LoadCanisterSnapshotArgs;
  read_canister_snapshot_metadata: I.CanisterSnapshotArgs;
  read_canister_snapshot_data: I.ReadCanisterSnapshotDataArgs;
  upload_canister_snapshot_metadata: I.UploadCanisterSnapshotMetadataArgs;
  upload_canister_snapshot_data: I.UploadCanisterSnapshotDataArgs;
  list_canister_snapshots: I.CanisterIdRecord;
  delete_canister_snapshot: I.CanisterSnapshotArgs;
  fetch_canister_logs: I.FetchCanisterLogsArgs;
  list_canisters: null;
}

/** Result value per method (`null` for `()`). */
export interface ManagementResults {
  create_canister: I.CreateCanisterResult;
  update_settings: null;
  upload_chunk: I.UploadChunkResult;
  clear_chunk_store: null;
  stored_chunks: I.StoredChunksResult;
  install_code: null;
  install_chunked_code: null;
  uninstall_code: null;
  start_canister: null;
  stop_canister: null;
  canister_status: I.CanisterStatusResult;
  canister_metrics: I.CanisterMetricsResult;
  canister_info: I.CanisterInfoResult;
  canister_metadata: I.CanisterMetadataResult;
  delete_canister: null;
  deposit_cycles: null;
  raw_rand: Uint8Array;
  http_request: I.HttpRequestResult;
  ecdsa_public_key: I.EcdsaPublicKeyResult;
  sign_with_ecdsa: I.SignWithEcdsaResult;
  schnorr_public_key: I.SchnorrPublicKeyResult;
  sign_with_schnorr: I.SignWithSchnorrResult;
  vetkd_public_key: I.VetkdPublicKeyResult;
  vetkd_derive_key: I.VetkdDeriveKeyResult;
  node_metrics_history: I.NodeMetricsHistoryResult;
  subnet_metrics: I.SubnetMetricsResult;
  subnet_info: I.SubnetInfoResult;
  provisional_create_canister_with_cycles: I.CreateCanisterResult;
  provisional_top_up_canister: null;
  take_canister_snapshot: I.Snapshot;
  load_canister_snapshot: null;
  read_canister_snapshot_metadata: I.ReadCanisterSnapshotMetadataResult;
  read_canister_snapshot_data: I.ReadCanisterSnapshotDataResult;
  upload_canister_snapshot_metadata: I.UploadCanisterSnapshotMetadataResult;
  upload_canister_snapshot_data: null;
  list_canister_snapshots: I.Snapshot[];
  delete_canister_snapshot: null;
  fetch_canister_logs: I.FetchCanisterLogsResult;
  list_canisters: I.ListCanistersResult;
}

// Both maps must cover exactly the methods of the table (compile-time check).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const METHOD_MAPS_COMPLETE: Exact<ManagementMethod, keyof ManagementArgs> &
  Exact<ManagementMethod, keyof ManagementResults> = true;

export type ArgOf<M extends ManagementMethod> = ManagementArgs[M];
export type ResultOf<M extends ManagementMethod> = ManagementResults[M];

/**
 * Older wire shapes that are not Candid subtypes of the current argument type and therefore
 * need an explicit fallback: decoded with `type` when the current type fails, then converted.
 */
export interface LegacyArgShape {
  readonly since: string;
  readonly type: IDL.Type;
  readonly normalize: (value: unknown) => unknown;
}

interface InstallChunkedCodeArgsV022 extends Omit<I.InstallChunkedCodeArgs, 'chunk_hashes_list'> {
  storage_canister: I.Opt<I.InstallChunkedCodeArgs['target_canister']>;
  chunk_hashes_list: Uint8Array[];
}

export const LEGACY_ARG_SHAPES: { readonly [M in ManagementMethod]?: readonly LegacyArgShape[] } = {
  install_chunked_code: [
    {
      // spec 0.22/0.23: `storage_canister : opt canister_id; chunk_hashes_list : vec blob`
      since: 'v0.22.0 (renamed/wrapped in v0.24.0)',
      type: T.install_chunked_code_args_v0_22,
      normalize: (value: unknown): I.InstallChunkedCodeArgs => {
        const { storage_canister, chunk_hashes_list, ...rest } = value as InstallChunkedCodeArgsV022;
        return {
          ...rest,
          store_canister: rest.store_canister.length > 0 ? rest.store_canister : storage_canister,
          chunk_hashes_list: chunk_hashes_list.map((hash) => ({ hash })),
        };
      },
    },
  ],
};
