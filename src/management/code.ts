// install_code, install_chunked_code, uninstall_code and the chunk store (interface spec).
import { createHash } from 'node:crypto';
import { abortPausedExecution, installCode, type InstallPause, type InstallRequest, rejectOf, respond, respondTo, settle, UserError } from '../execution/index.ts';
import { type CanisterState, MANAGEMENT_CANISTER, MAX_CHUNK_SIZE, MAX_CHUNK_STORE_CHUNKS, type Principal, principalEquals, StableMemory } from '../state/index.ts';
import { type CanisterModule, InvalidModuleError, parseCanisterModule } from '../wasm/index.ts';
import type { CanisterInstallMode, ChunkHash, InstallChunkedCodeArgs, InstallCodeArgs, UninstallCodeArgs } from './candid/index.ts';
import { controlledCanister, findCanister, isController, type ManagementCall, type ManagementContext, notController } from './context.ts';
import { addChange, originOf } from './history.ts';
import { EMPTY_REPLY } from './lifecycle.ts';

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function modeOf(mode: CanisterInstallMode): Pick<InstallRequest, 'mode' | 'skipPreUpgrade' | 'wasmMemoryPersistence'> {
  if ('install' in mode) return { mode: 'install', skipPreUpgrade: false, wasmMemoryPersistence: undefined };
  if ('reinstall' in mode) return { mode: 'reinstall', skipPreUpgrade: false, wasmMemoryPersistence: undefined };
  const options = mode.upgrade[0];
  const persistence = options?.wasm_memory_persistence[0];
  return {
    mode: 'upgrade',
    skipPreUpgrade: options?.skip_pre_upgrade[0] ?? false,
    wasmMemoryPersistence: persistence === undefined ? undefined : 'keep' in persistence ? 'keep' : 'replace',
  };
}

function install(context: ManagementContext, call: ManagementCall, canister: CanisterState, wasm: Uint8Array, args: { mode: CanisterInstallMode; arg: Uint8Array; sender_canister_version: [] | [bigint] }): UserError | undefined | 'deferred' {
  let module: CanisterModule;
  try {
    module = parseCanisterModule(wasm);
  } catch (error) {
    if (!(error instanceof InvalidModuleError)) throw error;
    return new UserError('CanisterInvalidWasm', `Error from Canister ${canister.id.toText()}: Canister's Wasm module is not valid: ${error.message}`);
  }
  const mode = modeOf(args.mode);
  const record = (): void => {
    addChange(canister, context.state.time, originOf(call, args.sender_canister_version), { kind: 'codeDeployment', mode: mode.mode, moduleHash: module.moduleHash });
  };
  // An installation past its slice answers when it ends (deterministic time slicing).
  const pause: InstallPause = {
    origin: call.origin,
    ended: (round, failure) => {
      if (!failure) record();
      respondTo(round, call.origin, MANAGEMENT_CANISTER, failure ? rejectOf(failure) : { kind: 'reply', payload: EMPTY_REPLY }, call.cycles);
    },
  };
  // New code aborts a paused execution, as on the replica: its message runs again, on the new code.
  abortPausedExecution(canister);
  const failure = installCode(context.round.env, canister, { module, arg: args.arg, caller: call.sender, ...mode }, pause);
  if (failure === 'paused') return 'deferred';
  if (failure) return failure;
  record();
  return undefined;
}

export function installCodeMethod(context: ManagementContext, call: ManagementCall, args: InstallCodeArgs): UserError | undefined | 'deferred' {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  return install(context, call, canister, args.wasm_module, args);
}

export function installChunkedCode(context: ManagementContext, call: ManagementCall, args: InstallChunkedCodeArgs): UserError | undefined | 'deferred' {
  const target = controlledCanister(context, call, args.target_canister);
  if (target instanceof UserError) return target;
  const storeId = args.store_canister[0] ?? args.target_canister;
  const store = findCanister(context, storeId);
  if (store instanceof UserError) return store;
  if (!isController(store, call.sender) && !principalEquals(store.id, call.sender)) return notController(store, call.sender);
  const parts: Uint8Array[] = [];
  for (const { hash } of args.chunk_hashes_list) {
    const chunk = store.chunkStore.get(hex(hash));
    if (!chunk) return new UserError('CanisterContractViolation', `Error from Canister ${storeId.toText()}: Chunk ${hex(hash)} is not in the chunk store`);
    parts.push(chunk);
  }
  const wasm = Buffer.concat(parts);
  const actual = sha256(wasm);
  if (hex(actual) !== hex(args.wasm_module_hash)) {
    return new UserError('CanisterContractViolation', `Wasm module hash ${hex(actual)} does not match the expected hash ${hex(args.wasm_module_hash)}`);
  }
  return install(context, call, target, new Uint8Array(wasm), args);
}

/** Empties the canister and rejects its open calls with CANISTER_REJECT (interface spec, uninstall_code). */
export function uninstall(context: ManagementContext, canister: CanisterState): void {
  // The paused message runs again from the queue and meets a canister without code, as on the replica.
  abortPausedExecution(canister);
  canister.wasm = undefined;
  canister.stable = new StableMemory();
  canister.dirty.heapReplaced = true;
  canister.dirty.stableReplaced = true;
  canister.chunkStore.clear();
  canister.certifiedData = new Uint8Array(0);
  canister.logs = [];
  canister.globalTimer = 0n;
  canister.onLowWasmMemory = 'conditionNotSatisfied';
  const error = new UserError('CanisterRejectedMessage', 'Canister has been uninstalled.');
  for (const callContext of [...canister.callContexts.values()]) {
    if (!callContext.responded) respond(context.round, canister, callContext, rejectOf(error));
    callContext.deleted = true;
    settle(context.round, canister, callContext, undefined);
  }
  canister.version += 1n;
}

export function uninstallCode(context: ManagementContext, call: ManagementCall, args: UninstallCodeArgs): UserError | undefined {
  const canister = controlledCanister(context, call, args.canister_id);
  if (canister instanceof UserError) return canister;
  uninstall(context, canister);
  addChange(canister, context.state.time, originOf(call, args.sender_canister_version), { kind: 'codeUninstall' });
  return undefined;
}

/** Chunk-store methods are open to controllers and to the canister itself. */
function chunkStoreOwner(context: ManagementContext, call: ManagementCall, id: Principal): CanisterState | UserError {
  const canister = findCanister(context, id);
  if (canister instanceof UserError) return canister;
  if (!isController(canister, call.sender) && !principalEquals(canister.id, call.sender)) return notController(canister, call.sender);
  return canister;
}

export function uploadChunk(context: ManagementContext, call: ManagementCall, id: Principal, chunk: Uint8Array): ChunkHash | UserError {
  const canister = chunkStoreOwner(context, call, id);
  if (canister instanceof UserError) return canister;
  if (chunk.length > MAX_CHUNK_SIZE) {
    return new UserError('CanisterContractViolation', `Chunk of ${chunk.length} bytes exceeds the maximum chunk size of ${MAX_CHUNK_SIZE} bytes`);
  }
  const hash = sha256(chunk);
  const key = hex(hash);
  if (!canister.chunkStore.has(key) && canister.chunkStore.size >= MAX_CHUNK_STORE_CHUNKS) {
    return new UserError('CanisterContractViolation', `The chunk store of canister ${id.toText()} is full (${MAX_CHUNK_STORE_CHUNKS} chunks)`);
  }
  canister.chunkStore.set(key, chunk.slice());
  return { hash };
}

export function clearChunkStore(context: ManagementContext, call: ManagementCall, id: Principal): UserError | undefined {
  const canister = chunkStoreOwner(context, call, id);
  if (canister instanceof UserError) return canister;
  canister.chunkStore.clear();
  return undefined;
}

export function storedChunks(context: ManagementContext, call: ManagementCall, id: Principal): ChunkHash[] | UserError {
  const canister = chunkStoreOwner(context, call, id);
  if (canister instanceof UserError) return canister;
  return [...canister.chunkStore.keys()].sort().map((key) => ({ hash: new Uint8Array(Buffer.from(key, 'hex')) }));
}
