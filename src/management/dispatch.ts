// The management canister aaaaa-aa (interface spec): decode the Candid argument, check who may call,
// run the method, encode the result. One table entry per method.
import { type ExecutionEnvironment, rejectOf, type RoundContext, UserError } from '../execution/index.ts';
import { type CallResult, getCanister, type Principal, type SubnetState } from '../state/index.ts';
import {
  type ArgOf,
  CandidDecodeError,
  decodeManagementArg,
  encodeManagementResult,
  isManagementMethod,
  isManagementQueryMethod,
  type ManagementMethod,
  type ResultOf,
} from './candid/index.ts';
import { httpRequest } from './http_request.ts';
import {
  chainKeyFee,
  ecdsaPublicKey,
  emptySigningRequest,
  schnorrPublicKey,
  signWithEcdsa,
  signWithSchnorr,
  vetkdDeriveKey,
  vetkdPublicKey,
} from './chain_key/index.ts';
import { listCanisters } from './list_canisters.ts';
import { isController, type ManagementCall, type ManagementContext, type ManagementOutcome } from './context.ts';
import { clearChunkStore, installChunkedCode, installCodeMethod, storedChunks, uninstallCode, uploadChunk } from './code.ts';
import { createCanister, deleteCanister, depositCycles, provisionalCreate, startCanister, stopCanister, topUp, updateSettings } from './lifecycle.ts';
import {
  deleteSnapshot,
  listSnapshots,
  loadSnapshot,
  readSnapshotData,
  readSnapshotMetadata,
  takeSnapshot,
  uploadSnapshotData,
  uploadSnapshotMetadata,
} from './snapshots.ts';
import { canisterInfo, canisterMetadata, canisterMetrics, canisterStatus, fetchCanisterLogs, rawRand } from './status.ts';

type Result<M extends ManagementMethod> = ResultOf<M> | UserError | 'deferred';

interface MethodEntry<M extends ManagementMethod> {
  /** Whether users may call it through ingress (interface spec, management canister access rules). */
  ingress: boolean;
  /** Whether attached cycles are kept by the method (not refunded). */
  keepsCycles?: boolean;
  /** The fee a reply keeps of the attached cycles (the rest is refunded); run checks they suffice. */
  fee?: (context: ManagementContext) => bigint;
  /** A refusal of the raw argument, which the replica makes before decoding it. */
  beforeDecode?: (call: ManagementCall) => UserError | undefined;
  /** Only non-replicated calls (user queries, composite queries) may call it. */
  nonReplicatedOnly?: boolean;
  run: (context: ManagementContext, call: ManagementCall, arg: ArgOf<M>) => Result<M>;
}

const done = (failure: UserError | undefined | 'deferred'): null | UserError | 'deferred' => failure ?? null;

function unsupported(method: string): UserError {
  return new UserError('CanisterRejectedMessage', `The management canister method ${method} is not supported by Capsule yet`);
}

const METHODS: { [M in ManagementMethod]?: MethodEntry<M> } = {
  create_canister: {
    ingress: false,
    keepsCycles: true,
    run: (context, call, arg) => {
      const id = createCanister(context, call, arg);
      return id instanceof UserError ? id : { canister_id: id };
    },
  },
  provisional_create_canister_with_cycles: {
    ingress: true,
    run: (context, call, arg) => {
      const id = provisionalCreate(context, call, arg);
      return id instanceof UserError ? id : { canister_id: id };
    },
  },
  provisional_top_up_canister: { ingress: true, run: (context, _call, arg) => done(topUp(context, arg.canister_id, arg.amount)) },
  deposit_cycles: { ingress: false, keepsCycles: true, run: (context, call, arg) => done(depositCycles(context, call, arg.canister_id)) },
  update_settings: {
    ingress: true,
    run: (context, call, arg) => done(updateSettings(context, call, arg.canister_id, arg.settings, arg.sender_canister_version)),
  },
  install_code: { ingress: true, run: (context, call, arg) => done(installCodeMethod(context, call, arg)) },
  install_chunked_code: { ingress: true, run: (context, call, arg) => done(installChunkedCode(context, call, arg)) },
  uninstall_code: { ingress: true, run: (context, call, arg) => done(uninstallCode(context, call, arg)) },
  upload_chunk: { ingress: true, run: (context, call, arg) => uploadChunk(context, call, arg.canister_id, arg.chunk) },
  clear_chunk_store: { ingress: true, run: (context, call, arg) => done(clearChunkStore(context, call, arg.canister_id)) },
  stored_chunks: { ingress: true, run: (context, call, arg) => storedChunks(context, call, arg.canister_id) },
  start_canister: { ingress: true, run: (context, call, arg) => done(startCanister(context, call, arg.canister_id)) },
  stop_canister: {
    ingress: true,
    run: (context, call, arg) => {
      const outcome = stopCanister(context, call, arg.canister_id);
      return outcome === 'stopped' ? null : outcome;
    },
  },
  delete_canister: { ingress: true, run: (context, call, arg) => done(deleteCanister(context, call, arg.canister_id)) },
  canister_status: { ingress: true, run: (context, call, arg) => canisterStatus(context, call, arg.canister_id) },
  canister_metrics: { ingress: true, run: (context, call, arg) => canisterMetrics(context, call, arg.canister_id) },
  canister_info: { ingress: false, run: (context, _call, arg) => canisterInfo(context, arg) },
  canister_metadata: {
    ingress: false,
    run: (context, call, arg) => {
      const value = canisterMetadata(context, call, arg.canister_id, arg.name);
      return value instanceof UserError ? value : { value };
    },
  },
  fetch_canister_logs: { ingress: false, run: (context, call, arg) => fetchCanisterLogs(context, call, arg) },
  raw_rand: { ingress: false, run: (context) => rawRand(context) },
  http_request: { ingress: false, run: (context, call, arg) => httpRequest(context, call, arg) },
  ecdsa_public_key: { ingress: false, run: (_context, call, arg) => ecdsaPublicKey(call, arg) },
  sign_with_ecdsa: { ingress: false, fee: chainKeyFee, beforeDecode: emptySigningRequest, run: (context, call, arg) => signWithEcdsa(context, call, arg) },
  schnorr_public_key: { ingress: false, run: (_context, call, arg) => schnorrPublicKey(call, arg) },
  sign_with_schnorr: { ingress: false, fee: chainKeyFee, beforeDecode: emptySigningRequest, run: (context, call, arg) => signWithSchnorr(context, call, arg) },
  subnet_info: {
    ingress: false,
    run: () => ({ replica_version: 'capsule-0.1.0', registry_version: 1n }),
  },
  // A development instance has no subnet admins; like the provisional API, listing is open to every caller here.
  list_canisters: { ingress: false, nonReplicatedOnly: true, run: (context) => listCanisters(context.state.canisters.values()) },
  take_canister_snapshot: { ingress: true, run: (context, call, arg) => takeSnapshot(context, call, arg) },
  load_canister_snapshot: {
    ingress: true,
    run: (context, call, arg) => done(loadSnapshot(context, call, arg.canister_id, arg.snapshot_id, arg.sender_canister_version)),
  },
  list_canister_snapshots: { ingress: true, run: (context, call, arg) => listSnapshots(context, call, arg.canister_id) },
  delete_canister_snapshot: {
    ingress: true,
    run: (context, call, arg) => done(deleteSnapshot(context, call, arg.canister_id, arg.snapshot_id)),
  },
  read_canister_snapshot_metadata: {
    ingress: true,
    run: (context, call, arg) => readSnapshotMetadata(context, call, arg.canister_id, arg.snapshot_id),
  },
  read_canister_snapshot_data: {
    ingress: true,
    run: (context, call, arg) => {
      const chunk = readSnapshotData(context, call, arg);
      return chunk instanceof UserError ? chunk : { chunk };
    },
  },
  upload_canister_snapshot_metadata: {
    ingress: true,
    run: (context, call, arg) => {
      const id = uploadSnapshotMetadata(context, call, arg);
      return id instanceof UserError ? id : { snapshot_id: id };
    },
  },
  upload_canister_snapshot_data: { ingress: true, run: (context, call, arg) => done(uploadSnapshotData(context, call, arg)) },
  vetkd_public_key: { ingress: false, run: (_context, call, arg) => vetkdPublicKey(call, arg) },
  vetkd_derive_key: { ingress: false, fee: chainKeyFee, run: (context, call, arg) => vetkdDeriveKey(context, call, arg) },
};

function unknownMethod(method: string): UserError {
  return new UserError('CanisterMethodNotFound', `Management canister has no method '${method}'`);
}

function ingressOnlyForCanisters(method: string): UserError {
  return new UserError('CanisterRejectedMessage', `Only canisters can call the management canister method ${method}`);
}

/** Why an ingress message may not call this management method (interface spec), or undefined if it may. */
export function ingressRefusal(method: string): UserError | undefined {
  if (!isManagementMethod(method)) return unknownMethod(method);
  const entry = METHODS[method];
  if (entry?.nonReplicatedOnly) return replicatedRefusal(method);
  return entry?.ingress ? undefined : ingressOnlyForCanisters(method);
}

/** Methods the replica accepts as ingress only from a controller of the target canister. */
const CONTROLLERS_ONLY_INGRESS = new Set<string>([
  'install_code',
  'install_chunked_code',
  'uninstall_code',
  'update_settings',
  'start_canister',
  'stop_canister',
  'delete_canister',
  'upload_chunk',
  'clear_chunk_store',
  'stored_chunks',
  'take_canister_snapshot',
  'load_canister_snapshot',
  'list_canister_snapshots',
  'delete_canister_snapshot',
  'read_canister_snapshot_metadata',
  'read_canister_snapshot_data',
  'upload_canister_snapshot_metadata',
  'upload_canister_snapshot_data',
]);

/**
 * The replica refuses such ingress before it enters a block (its ingress filter,
 * `should_accept_ingress_message`), so a non-controller never gets a message id.
 */
export function ingressControllerRefusal(state: SubnetState, method: string, sender: Principal, canisterId: Principal): UserError | undefined {
  if (!CONTROLLERS_ONLY_INGRESS.has(method)) return undefined;
  const canister = getCanister(state, canisterId);
  if (!canister || isController(canister, sender)) return undefined;
  return new UserError('CanisterInvalidController', `Only controllers of canister ${canisterId.toText()} can call ic00 method ${method}`);
}

function replicatedRefusal(method: string): UserError {
  return new UserError('CanisterRejectedMessage', `The management canister method ${method} can only be called by non-replicated (query) calls`);
}

/** `nonReplicated`: a user query or a composite query, which may call the query-only methods. */
export function handleManagementCall(context: ManagementContext, call: ManagementCall, nonReplicated = false): ManagementOutcome {
  const reject = (error: UserError, refund = call.cycles): ManagementOutcome => ({ kind: 'reject', error, refund });
  if (!isManagementMethod(call.method)) {
    return reject(unknownMethod(call.method));
  }
  const entry = METHODS[call.method] as MethodEntry<ManagementMethod> | undefined;
  if (!entry) return reject(unsupported(call.method));
  if (entry.nonReplicatedOnly && !nonReplicated) return reject(replicatedRefusal(call.method));
  if (call.origin.kind === 'ingress' && !entry.ingress) {
    return reject(ingressOnlyForCanisters(call.method));
  }
  const refused = entry.beforeDecode?.(call);
  if (refused) return reject(refused);
  let arg: ArgOf<ManagementMethod>;
  try {
    arg = decodeManagementArg(call.method, call.arg);
  } catch (error) {
    if (!(error instanceof CandidDecodeError)) throw error;
    return reject(new UserError('InvalidManagementPayload', `Error decoding candid: ${error.message}`));
  }
  const result = entry.run(context, call, arg);
  if (result === 'deferred') return { kind: 'deferred' };
  if (result instanceof UserError) return reject(result);
  const refund = entry.keepsCycles ? 0n : call.cycles - (entry.fee?.(context) ?? 0n);
  return { kind: 'reply', payload: encodeManagementResult(call.method, result as ResultOf<ManagementMethod>), refund };
}

/** A management query method called by a user query or from a composite query (spec 0.66): answered at once, changes nothing. */
export function managementQuery(state: SubnetState, env: ExecutionEnvironment, caller: Principal, method: string, arg: Uint8Array): CallResult {
  if (!isManagementQueryMethod(method)) {
    return rejectOf(new UserError('CanisterRejectedMessage', `Management canister method ${method} cannot be called from a query`));
  }
  const round: RoundContext = { env, outbox: [], ingressResults: [] };
  const origin = { kind: 'canister', caller, callbackId: 0, deadline: 0n } as const;
  const outcome = handleManagementCall({ state, round }, { sender: caller, method, arg, cycles: 0n, origin }, true);
  if (outcome.kind === 'reply') return { kind: 'reply', payload: outcome.payload };
  if (outcome.kind === 'reject') return rejectOf(outcome.error);
  return rejectOf(new UserError('CanisterRejectedMessage', `Management canister method ${method} did not answer`));
}
