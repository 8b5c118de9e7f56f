// Shared by the asset canister tests: its Candid interface, deployment on a `capsule start`,
// and verification of http_request answers as a gateway does it.
import { createHash } from 'node:crypto';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { Actor, Ed25519KeyIdentity, HttpAgent, IDL, Principal, type ActorMethod, type Identity } from '../clients/agent3/index.ts';
import { startServer, type ServerProcess } from '../http/_server.ts';
import { assetCanisterWasm } from './_canister.ts';

export const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
export const utf8 = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

export type Header = [string, string];
export interface HttpRequest {
  method: string;
  url: string;
  headers: Header[];
  body: Uint8Array;
  certificate_version: [] | [number];
}
export interface Token {
  key: string;
  content_encoding: string;
  index: bigint;
  sha256: [] | [Uint8Array];
}
export interface HttpResponse {
  status_code: number;
  headers: Header[];
  body: Uint8Array;
  streaming_strategy: [] | [{ Callback: { callback: unknown; token: Token } }];
}
export type Permission = { Commit: null } | { Prepare: null } | { ManagePermissions: null };
export type Operation =
  | { CreateAsset: { key: string; content_type: string; max_age: [] | [bigint]; headers: [] | [Header[]]; enable_aliasing: [] | [boolean]; allow_raw_access: [] | [boolean] } }
  | { SetAssetContent: { key: string; content_encoding: string; chunk_ids: bigint[]; last_chunk: [] | [Uint8Array]; sha256: [] | [Uint8Array] } }
  | { SetAssetProperties: { key: string; max_age: [] | [[] | [bigint]]; headers: [] | [[] | [Header[]]]; allow_raw_access: [] | [[] | [boolean]]; is_aliased: [] | [[] | [boolean]] } }
  | { DeleteAsset: { key: string } }
  | { Clear: Record<string, never> };
export interface AssetsCanister {
  http_request: ActorMethod<[HttpRequest], HttpResponse>;
  http_request_streaming_callback: ActorMethod<[Token], { body: Uint8Array; token: [] | [Token] }>;
  get_chunk: ActorMethod<[{ key: string; content_encoding: string; index: bigint; sha256: [] | [Uint8Array] }], { content: Uint8Array }>;
  store: ActorMethod<[{ key: string; content_type: string; content_encoding: string; content: Uint8Array; sha256: [] | [Uint8Array] }], undefined>;
  authorize: ActorMethod<[Principal], undefined>;
  list_authorized: ActorMethod<[], Principal[]>;
  list_permitted: ActorMethod<[{ permission: Permission }], Principal[]>;
  api_version: ActorMethod<[], number>;
  create_batch: ActorMethod<[Record<string, never>], { batch_id: bigint }>;
  create_chunks: ActorMethod<[{ batch_id: bigint; content: Uint8Array[] }], { chunk_ids: bigint[] }>;
  commit_batch: ActorMethod<[{ batch_id: bigint; operations: Operation[] }], undefined>;
  propose_commit_batch: ActorMethod<[{ batch_id: bigint; operations: Operation[] }], undefined>;
  compute_evidence: ActorMethod<[{ batch_id: bigint; max_iterations: [] | [number] }], [] | [Uint8Array]>;
  commit_proposed_batch: ActorMethod<[{ batch_id: bigint; evidence: Uint8Array }], undefined>;
  list: ActorMethod<[Record<string, never>], Array<{ key: string; content_type: string }>>;
  delete_asset: ActorMethod<[{ key: string }], undefined>;
  clear: ActorMethod<[Record<string, never>], undefined>;
  grant_permission: ActorMethod<[{ to_principal: Principal; permission: Permission }], undefined>;
  take_ownership: ActorMethod<[], undefined>;
  get_asset_properties: ActorMethod<[string], { max_age: [] | [bigint]; headers: [] | [Header[]]; allow_raw_access: [] | [boolean]; is_aliased: [] | [boolean] }>;
}
export const assetsIdl: IDL.InterfaceFactory = ({ IDL }) => {
  const header = IDL.Tuple(IDL.Text, IDL.Text);
  const token = IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, index: IDL.Nat, sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) });
  const callbackResponse = IDL.Record({ body: IDL.Vec(IDL.Nat8), token: IDL.Opt(token) });
  const permission = IDL.Variant({ Commit: IDL.Null, Prepare: IDL.Null, ManagePermissions: IDL.Null });
  const optHeaders = IDL.Opt(IDL.Vec(header));
  const operation = IDL.Variant({
    CreateAsset: IDL.Record({ key: IDL.Text, content_type: IDL.Text, max_age: IDL.Opt(IDL.Nat64), headers: optHeaders, enable_aliasing: IDL.Opt(IDL.Bool), allow_raw_access: IDL.Opt(IDL.Bool) }),
    SetAssetContent: IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, chunk_ids: IDL.Vec(IDL.Nat), last_chunk: IDL.Opt(IDL.Vec(IDL.Nat8)), sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) }),
    SetAssetProperties: IDL.Record({ key: IDL.Text, max_age: IDL.Opt(IDL.Opt(IDL.Nat64)), headers: IDL.Opt(optHeaders), allow_raw_access: IDL.Opt(IDL.Opt(IDL.Bool)), is_aliased: IDL.Opt(IDL.Opt(IDL.Bool)) }),
    DeleteAsset: IDL.Record({ key: IDL.Text }),
    Clear: IDL.Record({}),
  });
  const batchArgs = IDL.Record({ batch_id: IDL.Nat, operations: IDL.Vec(operation) });
  return IDL.Service({
    http_request: IDL.Func(
      [IDL.Record({ method: IDL.Text, url: IDL.Text, headers: IDL.Vec(header), body: IDL.Vec(IDL.Nat8), certificate_version: IDL.Opt(IDL.Nat16) })],
      [
        IDL.Record({
          status_code: IDL.Nat16,
          headers: IDL.Vec(header),
          body: IDL.Vec(IDL.Nat8),
          streaming_strategy: IDL.Opt(IDL.Variant({ Callback: IDL.Record({ callback: IDL.Func([token], [callbackResponse], ['query']), token }) })),
        }),
      ],
      ['query'],
    ),
    http_request_streaming_callback: IDL.Func([token], [callbackResponse], ['query']),
    get_chunk: IDL.Func([IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, index: IDL.Nat, sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) })], [IDL.Record({ content: IDL.Vec(IDL.Nat8) })], ['query']),
    store: IDL.Func(
      [IDL.Record({ key: IDL.Text, content_type: IDL.Text, content_encoding: IDL.Text, content: IDL.Vec(IDL.Nat8), sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) })],
      [],
      [],
    ),
    authorize: IDL.Func([IDL.Principal], [], []),
    list_authorized: IDL.Func([], [IDL.Vec(IDL.Principal)], ['query']),
    list_permitted: IDL.Func([IDL.Record({ permission })], [IDL.Vec(IDL.Principal)], ['query']),
    api_version: IDL.Func([], [IDL.Nat16], ['query']),
    create_batch: IDL.Func([IDL.Record({})], [IDL.Record({ batch_id: IDL.Nat })], []),
    create_chunks: IDL.Func([IDL.Record({ batch_id: IDL.Nat, content: IDL.Vec(IDL.Vec(IDL.Nat8)) })], [IDL.Record({ chunk_ids: IDL.Vec(IDL.Nat) })], []),
    commit_batch: IDL.Func([batchArgs], [], []),
    propose_commit_batch: IDL.Func([batchArgs], [], []),
    compute_evidence: IDL.Func([IDL.Record({ batch_id: IDL.Nat, max_iterations: IDL.Opt(IDL.Nat16) })], [IDL.Opt(IDL.Vec(IDL.Nat8))], []),
    commit_proposed_batch: IDL.Func([IDL.Record({ batch_id: IDL.Nat, evidence: IDL.Vec(IDL.Nat8) })], [], []),
    list: IDL.Func([IDL.Record({})], [IDL.Vec(IDL.Record({ key: IDL.Text, content_type: IDL.Text }))], ['query']),
    delete_asset: IDL.Func([IDL.Record({ key: IDL.Text })], [], []),
    clear: IDL.Func([IDL.Record({})], [], []),
    grant_permission: IDL.Func([IDL.Record({ to_principal: IDL.Principal, permission })], [], []),
    take_ownership: IDL.Func([], [], []),
    get_asset_properties: IDL.Func(
      [IDL.Text],
      [IDL.Record({ max_age: IDL.Opt(IDL.Nat64), headers: IDL.Opt(IDL.Vec(header)), allow_raw_access: IDL.Opt(IDL.Bool), is_aliased: IDL.Opt(IDL.Bool) })],
      ['query'],
    ),
  });
};

export interface Management {
  provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: [] | [{ controllers: [] | [Principal[]] }]; specified_id: [] }], { canister_id: Principal }>;
  install_code: ActorMethod<[{ mode: { install: null } | { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
}
export const managementIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)) })), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
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
  });

export const EMPTY_ARG = IDL.encode([], []);

export interface Deployment {
  server: ServerProcess;
  owner: Identity;
  agent: HttpAgent;
  canisterId: Principal;
  wasm: Uint8Array;
  assets: AssetsCanister;
  agentFor(identity: Identity): Promise<HttpAgent>;
  management(effectiveId: Principal): Management;
  /** An actor for `identity` on the asset canister. */
  assetsAs(identity: Identity): Promise<AssetsCanister>;
}

/** Starts `capsule start` and installs the asset canister, owned by a fresh Ed25519 identity. */
export async function deployAssetCanister(): Promise<Deployment> {
  const [server, wasm] = await Promise.all([startServer(), assetCanisterWasm()]);
  const owner = Ed25519KeyIdentity.generate();
  const agentFor = (identity: Identity) => HttpAgent.create({ host: server.url, identity, shouldFetchRootKey: true });
  const agent = await agentFor(owner);
  const management = (id: Principal) => Actor.createActor<Management>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: id });
  const { canister_id: canisterId } = await management(IN_RANGE).provisional_create_canister_with_cycles({ amount: [10n ** 14n], settings: [], specified_id: [] });
  await management(canisterId).install_code({ mode: { install: null }, canister_id: canisterId, wasm_module: wasm, arg: EMPTY_ARG });
  const assetsAs = async (identity: Identity) => Actor.createActor<AssetsCanister>(assetsIdl, { agent: await agentFor(identity), canisterId });
  return { server, owner, agent, canisterId, wasm, assets: Actor.createActor<AssetsCanister>(assetsIdl, { agent, canisterId }), agentFor, management, assetsAs };
}

export function request(url: string, headers: Header[] = [], version: 1 | 2 = 2): HttpRequest {
  return { method: 'GET', url, headers, body: new Uint8Array(), certificate_version: version === 2 ? [2] : [] };
}

/** The full body, following the streaming callback to the end. */
export async function fullBody(assets: AssetsCanister, response: HttpResponse): Promise<Uint8Array> {
  const parts = [response.body];
  let token = response.streaming_strategy[0]?.Callback.token;
  while (token) {
    const next = await assets.http_request_streaming_callback(token);
    parts.push(next.body);
    token = next.token[0];
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Verifies the answer with @dfinity/response-verification (throws on failure); returns the certified part and the body. */
export async function verified(deployment: Deployment, req: HttpRequest, response: HttpResponse, minVersion = 2) {
  const body = await fullBody(deployment.assets, response);
  const result = verifyRequestResponsePair(
    { ...req, certificate_version: req.certificate_version.length ? req.certificate_version[0] : undefined } as never,
    { status_code: response.status_code, headers: response.headers, body },
    deployment.canisterId.toUint8Array(),
    BigInt(Date.now()) * 1_000_000n,
    300_000_000_000n,
    new Uint8Array(deployment.agent.rootKey!),
    minVersion,
  );
  return { result, body };
}
