// Every management-canister method Capsule implements, from users and from canisters, with the controller
// checks (interface spec, 'The IC management canister'). The universal canister (UC) relays calls that only canisters may make.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  install,
  mgmt,
  mgmtRejects,
  newCapsule,
  subnetReplica,
  OTHER,
  type Principal,
  settings,
  ucWasm,
  USER,
  via,
  viaRejects,
} from '../conformance/_harness.ts';


const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const setGlobal = (value: string) => prog().pushBytes(value).setGlobal().pushBytes('ok').replyDataAppend().reply();
const getGlobal = prog().getGlobal().replyDataAppend().reply();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function ucWithGlobal(c: Capsule, value: string): Promise<Principal> {
  const id = await install(c, 32);
  await call(c, id, setGlobal(value));
  return id;
}

describe('management canister methods', () => {
  test('create_canister from a canister: attached cycles minus the fee; too few cycles are refused', async () => {
    const c = await newCapsule('application');
    const parent = await install(c, 32);
    const { canister_id } = await via(c, parent, 'create_canister', { settings: [], sender_canister_version: [] }, 2_000_000_000_000n);
    const child = subnetReplica(c).canister(canister_id)!;
    assert.equal(child.cycles, 2_000_000_000_000n - 500_000_000_000n);
    assert.deepEqual(child.settings.controllers.map((p) => p.toText()), [parent.toText()]);
    await viaRejects(c, parent, 'create_canister', { settings: [], sender_canister_version: [] }, 4, 1_000n);
    await mgmtRejects(c, 'create_canister', { settings: [], sender_canister_version: [] }, 4);
  });

  test('provisional create with a specified id, and top-up', async () => {
    const c = await newCapsule();
    const wanted = (await import('../../src/state/index.ts')).canisterIdFromIndex(0x1fff00n);
    const { canister_id } = await mgmt(c, 'provisional_create_canister_with_cycles', { amount: [5n], settings: [], specified_id: [wanted], sender_canister_version: [] });
    assert.equal(canister_id.toText(), wanted.toText());
    await mgmt(c, 'provisional_top_up_canister', { canister_id, amount: 10n });
    assert.equal(subnetReplica(c).canister(canister_id)!.cycles, 15n);
    // [replica] a taken specified_id is CanisterAlreadyInstalled (IC0538, reject code 5).
    await mgmtRejects(c, 'provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [wanted], sender_canister_version: [] }, 5);
  });

  test('update_settings changes every setting; non-controllers are refused', async () => {
    const c = await newCapsule();
    const id = await install(c, 32);
    await mgmt(c, 'update_settings', {
      canister_id: id,
      settings: settings({
        controllers: [[USER, OTHER]],
        compute_allocation: [7n],
        memory_allocation: [1n << 30n],
        freezing_threshold: [1000n],
        reserved_cycles_limit: [77n],
        minimum_incoming_canister_call_cycles: [5n],
        log_visibility: [{ public: null }],
        snapshot_visibility: [{ allowed_viewers: [OTHER] }],
        status_visibility: [{ public: null }],
        wasm_memory_limit: [1n << 31n],
        wasm_memory_threshold: [1n << 20n],
        environment_variables: [[{ name: 'B', value: '2' }, { name: 'A', value: '1' }]],
      }),
      sender_canister_version: [],
    });
    const s = (await mgmt(c, 'canister_status', { canister_id: id })).settings;
    assert.deepEqual(s.controllers.map((p) => p.toText()).sort(), [USER.toText(), OTHER.toText()].sort());
    assert.equal(s.compute_allocation, 7n);
    assert.equal(s.memory_allocation, 1n << 30n);
    assert.equal(s.freezing_threshold, 1000n);
    assert.equal(s.reserved_cycles_limit, 77n);
    assert.equal(s.minimum_incoming_canister_call_cycles, 5n);
    assert.deepEqual(s.log_visibility, { public: null });
    assert.deepEqual(s.status_visibility, { public: null });
    assert.equal(s.wasm_memory_limit, 1n << 31n);
    assert.equal(s.wasm_memory_threshold, 1n << 20n);
    assert.deepEqual(s.environment_variables, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    const stranger = (await import('../../src/api/index.ts')).Principal.selfAuthenticating(new Uint8Array(32).fill(9));
    await mgmtRejects(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [1n] }), sender_canister_version: [] }, 5, stranger);
    await mgmtRejects(c, 'update_settings', { canister_id: id, settings: settings({ compute_allocation: [101n] }), sender_canister_version: [] }, 5);
  });

  test('install_code modes: reinstall wipes, upgrade keeps stable memory, skip_pre_upgrade skips it', async () => {
    const c = await newCapsule();
    const wasm = await ucWasm(32);
    const id = await ucWithGlobal(c, 'heap');
    await call(c, id, prog().stableGrow(1).pushInt(0).pushBytes('stable').stableWrite().pushBytes('').replyDataAppend().reply());
    await call(c, id, prog().setPreUpgrade(prog().pushInt(0).pushBytes('prepre').stableWrite()).pushBytes('').replyDataAppend().reply());
    const readStable = prog().pushInt(0).pushInt(6).stableRead().replyDataAppend().reply();
    await mgmt(c, 'install_code', { mode: { upgrade: [{ skip_pre_upgrade: [true], wasm_memory_persistence: [] }] }, canister_id: id, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] });
    assert.equal(text(await call(c, id, readStable)), 'stable', 'pre_upgrade skipped');
    await call(c, id, prog().setPreUpgrade(prog().pushInt(0).pushBytes('prepre').stableWrite()).pushBytes('').replyDataAppend().reply());
    await mgmt(c, 'install_code', { mode: { upgrade: [] }, canister_id: id, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] });
    assert.equal(text(await call(c, id, readStable)), 'prepre', 'pre_upgrade ran and stable memory survived');
    assert.equal(text(await call(c, id, getGlobal)), '', 'the heap was replaced');
    await mgmt(c, 'install_code', { mode: { reinstall: null }, canister_id: id, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] });
    assert.equal((await mgmt(c, 'canister_status', { canister_id: id })).memory_metrics.stable_memory_size, 0n, 'reinstall wipes stable memory');
    await mgmtRejects(c, 'install_code', { mode: { install: null }, canister_id: id, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] }, 5);
    await mgmtRejects(c, 'install_code', { mode: { reinstall: null }, canister_id: id, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] }, 5, OTHER);
  });

  test('chunk store: upload, list, install_chunked_code, clear; only controllers', async () => {
    const c = await newCapsule();
    const wasm = await ucWasm(32);
    const store = await install(c, 32);
    const target = await (await import('../conformance/_harness.ts')).create(c);
    const half = Math.ceil(wasm.length / 2);
    const parts = [wasm.slice(0, half), wasm.slice(half)];
    const hashes = [];
    for (const part of parts) hashes.push(await mgmt(c, 'upload_chunk', { canister_id: store, chunk: part }));
    assert.deepEqual(hashes.map((h) => Buffer.from(h.hash).toString('hex')), parts.map((p) => Buffer.from(sha256(p)).toString('hex')));
    assert.equal((await mgmt(c, 'stored_chunks', { canister_id: store })).length, 2);
    await mgmtRejects(c, 'upload_chunk', { canister_id: store, chunk: parts[0]! }, 5, OTHER);
    await mgmt(c, 'install_chunked_code', {
      mode: { install: null },
      target_canister: target,
      store_canister: [store],
      chunk_hashes_list: hashes,
      wasm_module_hash: sha256(wasm),
      arg: new Uint8Array(),
      sender_canister_version: [],
    });
    assert.deepEqual((await mgmt(c, 'canister_status', { canister_id: target })).module_hash, [sha256(wasm)]);
    await mgmtRejects(c, 'install_chunked_code', { mode: { reinstall: null }, target_canister: target, store_canister: [store], chunk_hashes_list: hashes, wasm_module_hash: new Uint8Array(32), arg: new Uint8Array(), sender_canister_version: [] }, 5);
    await mgmt(c, 'clear_chunk_store', { canister_id: store });
    assert.equal((await mgmt(c, 'stored_chunks', { canister_id: store })).length, 0);
  });

  test('uninstall_code empties the canister; canister_info lists the history', async () => {
    const c = await newCapsule();
    const id = await install(c, 32);
    await mgmt(c, 'uninstall_code', { canister_id: id, sender_canister_version: [] });
    assert.deepEqual((await mgmt(c, 'canister_status', { canister_id: id })).module_hash, []);
    await mgmtRejects(c, 'uninstall_code', { canister_id: id, sender_canister_version: [] }, 5, OTHER);
    const reader = await install(c, 32);
    const info = await via(c, reader, 'canister_info', { canister_id: id, num_requested_changes: [10n] });
    assert.equal(info.total_num_changes, 3n);
    assert.deepEqual(info.recent_changes.map((change) => Object.keys(change.details)[0]), ['creation', 'code_deployment', 'code_uninstall']);
    assert.deepEqual(info.module_hash, []);
    assert.equal((await via(c, reader, 'canister_info', { canister_id: id, num_requested_changes: [] })).recent_changes.length, 0);
    await mgmtRejects(c, 'canister_info', { canister_id: id, num_requested_changes: [] }, 4);
  });

  test('stop, start, and delete (only when stopped); canister_status reports the status', async () => {
    const c = await newCapsule();
    const id = await install(c, 32);
    await mgmtRejects(c, 'delete_canister', { canister_id: id }, 5);
    await mgmtRejects(c, 'stop_canister', { canister_id: id }, 5, OTHER);
    await mgmt(c, 'stop_canister', { canister_id: id });
    assert.deepEqual((await mgmt(c, 'canister_status', { canister_id: id })).status, { stopped: null });
    await mgmt(c, 'start_canister', { canister_id: id });
    assert.deepEqual((await mgmt(c, 'canister_status', { canister_id: id })).status, { running: null });
    await mgmt(c, 'stop_canister', { canister_id: id });
    await mgmt(c, 'delete_canister', { canister_id: id });
    await mgmtRejects(c, 'canister_status', { canister_id: id }, 3);
  });

  test('deposit_cycles and raw_rand from a canister', async () => {
    // The free schedule: no storage or execution charges blur the deposited amount.
    const c = await newCapsule();
    const source = await install(c, 32);
    const target = await install(c, 32);
    const before = subnetReplica(c).canister(target)!.cycles;
    await via(c, source, 'deposit_cycles', { canister_id: target }, 1_000_000n);
    assert.equal(subnetReplica(c).canister(target)!.cycles, before + 1_000_000n);
    const first = await via(c, source, 'raw_rand', null);
    const second = await via(c, source, 'raw_rand', null);
    assert.equal(first.length, 32);
    assert.notDeepEqual(first, second);
    await mgmtRejects(c, 'raw_rand', null, 4);
  });

  test('fetch_canister_logs follows log_visibility', async () => {
    const c = await newCapsule();
    const id = await install(c, 32);
    await call(c, id, prog().pushBytes('hello log').debugPrint().pushBytes('').replyDataAppend().reply());
    const reader = await install(c, 32);
    await viaRejects(c, reader, 'fetch_canister_logs', { canister_id: id, filter: [] }, [4, 5]);
    await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ log_visibility: [{ public: null }] }), sender_canister_version: [] });
    const logs = await via(c, reader, 'fetch_canister_logs', { canister_id: id, filter: [] });
    assert.deepEqual(logs.canister_log_records.map((r) => text(r.content)), ['hello log']);
  });

  test('snapshots: take, list, load restores heap and stable memory, read and upload pieces, delete', async () => {
    const c = await newCapsule();
    const id = await ucWithGlobal(c, 'before');
    const snapshot = await mgmt(c, 'take_canister_snapshot', { canister_id: id, replace_snapshot: [], uninstall_code: [], sender_canister_version: [] });
    await call(c, id, setGlobal('after'));
    assert.equal((await mgmt(c, 'list_canister_snapshots', { canister_id: id })).length, 1);
    await mgmtRejects(c, 'take_canister_snapshot', { canister_id: id, replace_snapshot: [], uninstall_code: [], sender_canister_version: [] }, 5, OTHER);
    await mgmt(c, 'load_canister_snapshot', { canister_id: id, snapshot_id: snapshot.id, sender_canister_version: [] });
    assert.equal(text(await call(c, id, getGlobal)), 'before');

    const metadata = await mgmt(c, 'read_canister_snapshot_metadata', { canister_id: id, snapshot_id: snapshot.id });
    const module = await mgmt(c, 'read_canister_snapshot_data', { canister_id: id, snapshot_id: snapshot.id, kind: { wasm_module: { offset: 0n, size: metadata.wasm_module_size } } });
    const heap = await mgmt(c, 'read_canister_snapshot_data', { canister_id: id, snapshot_id: snapshot.id, kind: { wasm_memory: { offset: 0n, size: metadata.wasm_memory_size } } });
    const copy = await install(c, 32);
    const { snapshot_id } = await mgmt(c, 'upload_canister_snapshot_metadata', {
      canister_id: copy,
      replace_snapshot: [],
      wasm_module_size: metadata.wasm_module_size,
      globals: metadata.globals,
      wasm_memory_size: metadata.wasm_memory_size,
      stable_memory_size: metadata.stable_memory_size,
      certified_data: metadata.certified_data,
      global_timer: metadata.global_timer,
      on_low_wasm_memory_hook_status: metadata.on_low_wasm_memory_hook_status,
    });
    await mgmt(c, 'upload_canister_snapshot_data', { canister_id: copy, snapshot_id, kind: { wasm_module: { offset: 0n } }, chunk: module.chunk });
    await mgmt(c, 'upload_canister_snapshot_data', { canister_id: copy, snapshot_id, kind: { wasm_memory: { offset: 0n } }, chunk: heap.chunk });
    await mgmt(c, 'load_canister_snapshot', { canister_id: copy, snapshot_id, sender_canister_version: [] });
    assert.equal(text(await call(c, copy, getGlobal)), 'before', 'a snapshot moved by download and upload restores the same heap');

    await mgmt(c, 'delete_canister_snapshot', { canister_id: id, snapshot_id: snapshot.id });
    assert.equal((await mgmt(c, 'list_canister_snapshots', { canister_id: id })).length, 0);
    await mgmtRejects(c, 'load_canister_snapshot', { canister_id: id, snapshot_id: snapshot.id, sender_canister_version: [] }, 3);
  });
});
