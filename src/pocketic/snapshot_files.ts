// Canister snapshots as files (`update/canister_snapshot_download` and `_upload`), in the directory
// layout dfx and icp-cli use: `metadata.json` (the `read_canister_snapshot_metadata` result as JSON),
// `wasm_module.bin`, `wasm_memory.bin`, `stable_memory.bin` and `wasm_chunk_store/<hex sha256>.bin`.
// The bytes travel through the management canister's snapshot data methods, as ingress from the
// sender, so the same checks apply (controllers, sizes, snapshot slots).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../execution/index.ts';
import { candid } from '../management/index.ts';
import type { Principal } from '../state/index.ts';
import { PocketIcError } from './errors.ts';
import type { PocketIcInstance } from './instance.ts';
import { bytes, encodeBase64, type Json, type JsonObject, object, principal, stringifyJson, text, wrappedPrincipal } from './json.ts';
import { metadataJson, readMetadata } from './snapshot_metadata.ts';

/** The largest piece one read or upload carries (dfx and icp-cli use the same). */
const CHUNK_BYTES = 2_000_000n;

type Method = candid.ManagementMethod;

/** Calls a management method as ingress from `sender` and waits for its reply; a reject is a 400 with its message. */
async function manage<M extends Method>(instance: PocketIcInstance, sender: Principal, method: M, arg: candid.ArgOf<M> & { canister_id: Principal }): Promise<candid.ResultOf<M>> {
  const replica = instance.network.subnetOf(arg.canister_id) ?? instance.defaultSubnet;
  const messageId = replica.submit({ sender, receiver: candid.MANAGEMENT_CANISTER_ID, method, arg: candid.encodeManagementArg(method, arg) });
  if (messageId instanceof UserError) throw new PocketIcError(400, messageId.message);
  await instance.awaitIngress(messageId);
  const status = replica.ingressStatus(messageId);
  if (status?.status === 'replied') return candid.decodeManagementResult(method, status.reply);
  throw new PocketIcError(400, status?.status === 'rejected' ? status.message : `The ${method} call did not complete`);
}

const BLOBS = [
  { file: 'wasm_module.bin', kind: 'wasm_module', size: 'wasm_module_size' },
  { file: 'wasm_memory.bin', kind: 'wasm_memory', size: 'wasm_memory_size' },
  { file: 'stable_memory.bin', kind: 'stable_memory', size: 'stable_memory_size' },
] as const;
const CHUNK_STORE = 'wasm_chunk_store';

interface Target {
  sender: Principal;
  canisterId: Principal;
  dir: string;
}

function targetOf(request: JsonObject): Target {
  const sender = principal(object(request.sender, 'sender'), 'principal_id');
  const dir = text(request, 'snapshot_dir');
  if (!dir.startsWith('/')) throw new PocketIcError(400, `The snapshot directory must be an absolute path, not ${dir}`);
  return { sender, canisterId: wrappedPrincipal(request.canister_id, 'canister_id'), dir };
}

/** Writes the snapshot's files into `snapshot_dir`, which must be empty or absent. */
export async function downloadSnapshot(instance: PocketIcInstance, body: Json): Promise<null> {
  const request = object(body, 'the snapshot download');
  const { sender, canisterId, dir } = targetOf(request);
  const snapshotId = bytes(request, 'snapshot_id');
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new PocketIcError(400, `The snapshot directory ${dir} is not empty`);
  const metadata = await manage(instance, sender, 'read_canister_snapshot_metadata', { canister_id: canisterId, snapshot_id: snapshotId });
  const read = async (kind: candid.ReadCanisterSnapshotDataArgs['kind']): Promise<Uint8Array> =>
    (await manage(instance, sender, 'read_canister_snapshot_data', { canister_id: canisterId, snapshot_id: snapshotId, kind })).chunk;
  mkdirSync(join(dir, CHUNK_STORE), { recursive: true });
  writeFileSync(join(dir, 'metadata.json'), stringifyJson(metadataJson(metadata)));
  for (const blob of BLOBS) {
    const size = metadata[blob.size];
    const pieces: Uint8Array[] = [];
    for (let offset = 0n; offset < size; offset += CHUNK_BYTES) {
      const range = { offset, size: size - offset < CHUNK_BYTES ? size - offset : CHUNK_BYTES };
      pieces.push(await read({ [blob.kind]: range } as candid.ReadCanisterSnapshotDataArgs['kind']));
    }
    writeFileSync(join(dir, blob.file), Buffer.concat(pieces));
  }
  for (const { hash } of metadata.wasm_chunk_store) {
    writeFileSync(join(dir, CHUNK_STORE, `${Buffer.from(hash).toString('hex')}.bin`), await read({ wasm_chunk: { hash } }));
  }
  return null;
}

/** Creates a snapshot of the canister from the files in `snapshot_dir`; answers its id. */
export async function uploadSnapshot(instance: PocketIcInstance, body: Json): Promise<{ snapshot_id: string }> {
  const request = object(body, 'the snapshot upload');
  const { sender, canisterId, dir } = targetOf(request);
  const replace = request.replace_snapshot;
  const metadata = readMetadata(dir);
  const files = BLOBS.map((blob) => ({ blob, content: readBlob(dir, blob.file, metadata[blob.size]) }));
  const chunks = metadata.wasm_chunk_store.map(({ hash }) => readChunk(dir, hash));
  const { snapshot_id: snapshotId } = await manage(instance, sender, 'upload_canister_snapshot_metadata', {
    canister_id: canisterId,
    replace_snapshot: replace === undefined || replace === null ? [] : [bytes(object(replace, 'replace_snapshot'), 'snapshot_id')],
    wasm_module_size: metadata.wasm_module_size,
    globals: metadata.globals,
    wasm_memory_size: metadata.wasm_memory_size,
    stable_memory_size: metadata.stable_memory_size,
    certified_data: metadata.certified_data,
    global_timer: metadata.global_timer,
    on_low_wasm_memory_hook_status: metadata.on_low_wasm_memory_hook_status,
  });
  const upload = (kind: candid.UploadCanisterSnapshotDataArgs['kind'], chunk: Uint8Array) =>
    manage(instance, sender, 'upload_canister_snapshot_data', { canister_id: canisterId, snapshot_id: snapshotId, kind, chunk });
  for (const { blob, content } of files) {
    for (let offset = 0n; offset < BigInt(content.length); offset += CHUNK_BYTES) {
      const chunk = content.subarray(Number(offset), Number(offset + CHUNK_BYTES));
      await upload({ [blob.kind]: { offset } } as candid.UploadCanisterSnapshotDataArgs['kind'], chunk);
    }
  }
  for (const chunk of chunks) await upload({ wasm_chunk: null }, chunk);
  return { snapshot_id: encodeBase64(snapshotId) };
}

function readBlob(dir: string, file: string, size: bigint): Uint8Array {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (size === 0n) return new Uint8Array();
    throw new PocketIcError(400, `The snapshot directory has no ${file}`);
  }
  const content = new Uint8Array(readFileSync(path));
  if (BigInt(content.length) !== size) throw new PocketIcError(400, `${file} has ${content.length} bytes; metadata.json says ${size}`);
  return content;
}

function readChunk(dir: string, hash: Uint8Array): Uint8Array {
  const file = join(CHUNK_STORE, `${Buffer.from(hash).toString('hex')}.bin`);
  const path = join(dir, file);
  if (!existsSync(path)) throw new PocketIcError(400, `The snapshot directory has no ${file}`);
  return new Uint8Array(readFileSync(path));
}
