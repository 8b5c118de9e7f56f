// The part of the asset canister's Candid interface (ic-certified-assets) that `capsule deploy`
// and the applications' deployer use, and the management methods that create, configure and install canisters.
import type { ActorMethod } from '@icp-sdk/core/agent';
import type { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';

/** The first user canister id of the subnet: an effective id in its ranges for canister creation. */
export const FIRST_USER_CANISTER: Principal = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');

export type HeaderField = [string, string];

export type BatchOperation =
  | { CreateAsset: { key: string; content_type: string; max_age: [] | [bigint]; headers: [] | [HeaderField[]]; enable_aliasing: [] | [boolean]; allow_raw_access: [] | [boolean] } }
  | { SetAssetContent: { key: string; content_encoding: string; chunk_ids: bigint[]; last_chunk: [] | [Uint8Array]; sha256: [] | [Uint8Array] } }
  | { DeleteAsset: { key: string } };

export interface ListedAsset {
  key: string;
  content_type: string;
  encodings: Array<{ content_encoding: string; sha256: [] | [Uint8Array]; length: bigint }>;
}

export interface AssetsService {
  list: ActorMethod<[Record<string, never>], ListedAsset[]>;
  get_asset_properties: ActorMethod<[string], { max_age: [] | [bigint]; headers: [] | [HeaderField[]] }>;
  create_batch: ActorMethod<[Record<string, never>], { batch_id: bigint }>;
  create_chunks: ActorMethod<[{ batch_id: bigint; content: Uint8Array[] }], { chunk_ids: bigint[] }>;
  commit_batch: ActorMethod<[{ batch_id: bigint; operations: BatchOperation[] }], undefined>;
}

export const assetsIdl: IDL.InterfaceFactory = ({ IDL }) => {
  const header = IDL.Tuple(IDL.Text, IDL.Text);
  const operation = IDL.Variant({
    CreateAsset: IDL.Record({
      key: IDL.Text,
      content_type: IDL.Text,
      max_age: IDL.Opt(IDL.Nat64),
      headers: IDL.Opt(IDL.Vec(header)),
      enable_aliasing: IDL.Opt(IDL.Bool),
      allow_raw_access: IDL.Opt(IDL.Bool),
    }),
    SetAssetContent: IDL.Record({
      key: IDL.Text,
      content_encoding: IDL.Text,
      chunk_ids: IDL.Vec(IDL.Nat),
      last_chunk: IDL.Opt(IDL.Vec(IDL.Nat8)),
      sha256: IDL.Opt(IDL.Vec(IDL.Nat8)),
    }),
    DeleteAsset: IDL.Record({ key: IDL.Text }),
  });
  const encoding = IDL.Record({ content_encoding: IDL.Text, sha256: IDL.Opt(IDL.Vec(IDL.Nat8)), length: IDL.Nat });
  return IDL.Service({
    list: IDL.Func([IDL.Record({})], [IDL.Vec(IDL.Record({ key: IDL.Text, content_type: IDL.Text, encodings: IDL.Vec(encoding) }))], ['query']),
    get_asset_properties: IDL.Func([IDL.Text], [IDL.Record({ max_age: IDL.Opt(IDL.Nat64), headers: IDL.Opt(IDL.Vec(header)) })], ['query']),
    create_batch: IDL.Func([IDL.Record({})], [IDL.Record({ batch_id: IDL.Nat })], []),
    create_chunks: IDL.Func([IDL.Record({ batch_id: IDL.Nat, content: IDL.Vec(IDL.Vec(IDL.Nat8)) })], [IDL.Record({ chunk_ids: IDL.Vec(IDL.Nat) })], []),
    commit_batch: IDL.Func([IDL.Record({ batch_id: IDL.Nat, operations: IDL.Vec(operation) })], [], []),
  });
};

export type InstallMode = { install: null } | { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] };

export interface ManagementService {
  provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: []; specified_id: [] }], { canister_id: Principal }>;
  canister_status: ActorMethod<[{ canister_id: Principal }], { module_hash: [] | [Uint8Array] }>;
  install_code: ActorMethod<[{ mode: InstallMode; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
  update_settings: ActorMethod<[{ canister_id: Principal; settings: { environment_variables: [] | [Array<{ name: string; value: string }>] } }], undefined>;
}

export const managementIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
    canister_status: IDL.Func([IDL.Record({ canister_id: IDL.Principal })], [IDL.Record({ module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)) })], []),
    install_code: IDL.Func(
      [
        IDL.Record({
          mode: IDL.Variant({ install: IDL.Null, upgrade: IDL.Opt(IDL.Record({ wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })) })) }),
          canister_id: IDL.Principal,
          wasm_module: IDL.Vec(IDL.Nat8),
          arg: IDL.Vec(IDL.Nat8),
        }),
      ],
      [],
      [],
    ),
    update_settings: IDL.Func(
      [
        IDL.Record({
          canister_id: IDL.Principal,
          settings: IDL.Record({ environment_variables: IDL.Opt(IDL.Vec(IDL.Record({ name: IDL.Text, value: IDL.Text }))) }),
        }),
      ],
      [],
      [],
    ),
  });
