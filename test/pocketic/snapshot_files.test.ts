// Canister snapshots as files: `update/canister_snapshot_download` writes dfx's and icp-cli's layout
// (metadata.json, wasm_module.bin, wasm_memory.bin, stable_memory.bin, wasm_chunk_store/), and
// `update/canister_snapshot_upload` turns such a directory into a snapshot of another canister, which
// then runs with the first one's state.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { candid } from '../../src/management/index.ts';
import { type PocketIcServerHandle, startPocketIcServer } from '../../src/pocketic/index.ts';
import { parseJson, stringifyJson } from '../../src/pocketic/json.ts';
import { Principal } from '../../src/state/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

const DEFAULT_CONFIG = { subnet_config_set: { application: [{ state_config: 'New', instruction_config: 'Production', cost_schedule: 'Normal' }] } };
const ANONYMOUS = Principal.anonymous();
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

let server: PocketIcServerHandle;
let wasm: Uint8Array;
let instance: number;
const dirs: string[] = [];

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, checked by each test
  body: any;
}

async function call(path: string, body: unknown): Promise<Reply> {
  const response = await fetch(`${server.url}/instances/${instance}${path}`, { method: 'POST', body: stringifyJson(body), headers: { 'content-type': 'application/json' } });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? parseJson(text) : null };
}

/** An update call as ingress from `sender`; the reply's bytes, or the reject's message thrown. */
async function update(sender: Principal, canisterId: Principal, method: string, arg: Uint8Array): Promise<Uint8Array> {
  const submitted = await call('/update/submit_ingress_message', {
    sender: b64(sender.toUint8Array()),
    canister_id: b64(canisterId.toUint8Array()),
    method,
    payload: b64(arg),
    effective_principal: canisterId.toText() === 'aaaaa-aa' ? 'None' : { CanisterId: b64(canisterId.toUint8Array()) },
  });
  const done = await call('/update/await_ingress_message', submitted.body.Ok);
  if (!('Ok' in done.body)) throw new Error(done.body.Err.reject_message);
  return new Uint8Array(Buffer.from(done.body.Ok, 'base64'));
}

async function manage<M extends candid.ManagementMethod>(method: M, arg: candid.ArgOf<M>, sender = ANONYMOUS): Promise<candid.ResultOf<M>> {
  const reply = await update(sender, candid.MANAGEMENT_CANISTER_ID, method, candid.encodeManagementArg(method, arg));
  return candid.decodeManagementResult(method, reply);
}

async function newCanister(): Promise<Principal> {
  const created = await manage('provisional_create_canister_with_cycles', { amount: [10n ** 13n], settings: [], specified_id: [], sender_canister_version: [] });
  return Principal.fromUint8Array(created.canister_id.toUint8Array());
}

async function query(canisterId: Principal, method: string, types: IDL.Type[]): Promise<unknown> {
  const reply = await call('/read/query', {
    sender: b64(ANONYMOUS.toUint8Array()),
    canister_id: b64(canisterId.toUint8Array()),
    method,
    payload: b64(IDL.encode([], [])),
    effective_principal: 'None',
  });
  // A fresh array: the decoder reads the whole underlying buffer, and small Buffers share a pool.
  return IDL.decode(types, new Uint8Array(Buffer.from(reply.body.Ok, 'base64')))[0];
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-snapshot-'));
  dirs.push(dir);
  return dir;
}

const download = (canisterId: Principal, snapshotId: Uint8Array, dir: string, sender = ANONYMOUS) =>
  call('/update/canister_snapshot_download', {
    sender: { principal_id: b64(sender.toUint8Array()) },
    canister_id: { canister_id: b64(canisterId.toUint8Array()) },
    snapshot_id: b64(snapshotId),
    snapshot_dir: dir,
  });

const upload = (canisterId: Principal, dir: string, replace?: Uint8Array) =>
  call('/update/canister_snapshot_upload', {
    sender: { principal_id: b64(ANONYMOUS.toUint8Array()) },
    canister_id: { canister_id: b64(canisterId.toUint8Array()) },
    replace_snapshot: replace ? { snapshot_id: b64(replace) } : null,
    snapshot_dir: dir,
  });

let original: Principal;
let snapshotId: Uint8Array;
let downloaded: string;

before(async () => {
  wasm = (await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' })).wasm;
  server = await startPocketIcServer();
  const created = await fetch(`${server.url}/instances`, { method: 'POST', body: JSON.stringify(DEFAULT_CONFIG), headers: { 'content-type': 'application/json' } });
  instance = ((await created.json()) as { Created: { instance_id: number } }).Created.instance_id;
  original = await newCanister();
  await manage('install_code', { mode: { install: null }, canister_id: original, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] });
  await update(ANONYMOUS, original, 'set', IDL.encode([IDL.Text], ['kept in the heap']));
  await update(ANONYMOUS, original, 'storeBlob', IDL.encode([IDL.Vec(IDL.Nat8)], [new Uint8Array([1, 2, 3, 4])]));
  await manage('stop_canister', { canister_id: original });
  snapshotId = (await manage('take_canister_snapshot', { canister_id: original, replace_snapshot: [], uninstall_code: [], sender_canister_version: [] })).id;
  downloaded = tempDir();
});

after(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("a downloaded snapshot is dfx's directory layout: metadata.json and the module, memories and chunk store as files", async () => {
  const reply = await download(original, snapshotId, downloaded);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body, null);
  assert.deepEqual(readdirSync(downloaded).sort(), ['metadata.json', 'stable_memory.bin', 'wasm_chunk_store', 'wasm_memory.bin', 'wasm_module.bin']);
  assert.deepEqual(new Uint8Array(readFileSync(join(downloaded, 'wasm_module.bin'))), wasm);
  const metadata = JSON.parse(readFileSync(join(downloaded, 'metadata.json'), 'utf8'));
  assert.deepEqual(metadata.source, { taken_from_canister: null });
  assert.equal(metadata.wasm_module_size, wasm.length);
  assert.equal(metadata.wasm_memory_size, readFileSync(join(downloaded, 'wasm_memory.bin')).length);
  assert.equal(metadata.stable_memory_size, readFileSync(join(downloaded, 'stable_memory.bin')).length);
  assert.ok(Array.isArray(metadata.certified_data) && Array.isArray(metadata.globals));
  assert.ok(metadata.wasm_memory_size > 2_000_000 && metadata.stable_memory_size > 2_000_000, 'the memories travel in several pieces');
});

test("uploading the directory into a fresh canister and loading it there restores the first canister's state", async () => {
  const copy = await newCanister();
  const reply = await upload(copy, downloaded);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const uploaded = new Uint8Array(Buffer.from(reply.body.snapshot_id, 'base64'));
  await manage('stop_canister', { canister_id: copy });
  await manage('load_canister_snapshot', { canister_id: copy, snapshot_id: uploaded, sender_canister_version: [] });
  await manage('start_canister', { canister_id: copy });
  assert.equal(await query(copy, 'get', [IDL.Text]), 'kept in the heap');
  assert.deepEqual([...((await query(copy, 'loadBlob', [IDL.Vec(IDL.Nat8)])) as Uint8Array)], [1, 2, 3, 4]);
  // The uploaded snapshot downloads to the same files.
  const again = tempDir();
  assert.equal((await download(copy, uploaded, again)).status, 200);
  for (const file of ['wasm_module.bin', 'wasm_memory.bin', 'stable_memory.bin']) {
    assert.ok(readFileSync(join(again, file)).equals(readFileSync(join(downloaded, file))), `${file} is the same`);
  }
  // replace_snapshot swaps the uploaded snapshot for a new one.
  const replaced = await upload(copy, downloaded, uploaded);
  assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
  const ids = (await manage('list_canister_snapshots', { canister_id: copy })).map(({ id }) => b64(id));
  assert.deepEqual(ids, [replaced.body.snapshot_id]);
  assert.notEqual(replaced.body.snapshot_id, b64(uploaded));
});

test('bad input is refused with a clear 400 and writes nothing: a non-controller, a non-empty directory, a file of the wrong size', async () => {
  const stranger = Principal.fromUint8Array(new Uint8Array([7, 7, 7]));
  const forbidden = tempDir();
  const refused = await download(original, snapshotId, forbidden, stranger);
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /controller/i);
  assert.deepEqual(readdirSync(forbidden), []);
  const notEmpty = await download(original, snapshotId, downloaded);
  assert.equal(notEmpty.status, 400);
  assert.match(notEmpty.body.message, /not empty/);
  const truncated = tempDir();
  for (const file of readdirSync(downloaded).filter((name) => name.endsWith('.bin') || name === 'metadata.json')) {
    writeFileSync(join(truncated, file), readFileSync(join(downloaded, file)));
  }
  writeFileSync(join(truncated, 'wasm_module.bin'), wasm.subarray(1));
  const copy = await newCanister();
  const wrongSize = await upload(copy, truncated);
  assert.equal(wrongSize.status, 400);
  assert.match(wrongSize.body.message, /wasm_module\.bin has \d+ bytes; metadata\.json says \d+/);
  const missing = await upload(copy, join(truncated, 'absent'));
  assert.equal(missing.status, 400);
  assert.ok(!existsSync(join(truncated, 'absent')));
  const snapshots = await manage('list_canister_snapshots', { canister_id: copy });
  assert.deepEqual(snapshots, [], 'no snapshot was created by a refused upload');
});
