// Management canister Candid codec: round trips for every method, a pinned byte vector,
// older client shapes (dfx/agents/Motoko), malformed input and effective canister ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CandidDecodeError,
  CandidEncodeError,
  MANAGEMENT_METHODS,
  decodeManagementArg,
  decodeManagementResult,
  effectiveCanisterIdOf,
  encodeManagementArg,
  encodeManagementResult,
  isManagementQueryMethod,
  type ArgOf,
  type CanisterSettings,
  type ManagementMethod,
  type ResultOf,
} from '../../src/management/candid/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);
const p1 = Principal.fromHex('00000000000000010101'); // rrkah-fqaaa-aaaaa-aaaaq-cai style id
const p2 = Principal.fromHex('00000000000000020101');
const u = Principal.fromText('2vxsx-fae'); // anonymous
const h32 = new Uint8Array(32).fill(7);

const settings: CanisterSettings = {
  controllers: [[p1, u]],
  compute_allocation: [1n],
  memory_allocation: [],
  freezing_threshold: [2_592_000n],
  reserved_cycles_limit: [5_000_000_000_000n],
  minimum_incoming_canister_call_cycles: [],
  log_visibility: [{ allowed_viewers: [p2] }],
  log_memory_limit: [4096n],
  snapshot_visibility: [{ public: null }],
  status_visibility: [{ controllers: null }],
  wasm_memory_limit: [3n << 30n],
  wasm_memory_threshold: [0n],
  environment_variables: [[{ name: 'K', value: 'V' }]],
};
const noSettings: CanisterSettings = {
  controllers: [], compute_allocation: [], memory_allocation: [], freezing_threshold: [],
  reserved_cycles_limit: [], minimum_incoming_canister_call_cycles: [], log_visibility: [],
  log_memory_limit: [], snapshot_visibility: [], status_visibility: [], wasm_memory_limit: [],
  wasm_memory_threshold: [], environment_variables: [],
};
const cid = { canister_id: p1 };
const snap = { canister_id: p1, snapshot_id: bytes(1, 2) };
const snapshot = { id: bytes(1, 2), taken_at_timestamp: 9n, total_size: 1024n };
const http = { status: 200n, headers: [{ name: 'a', value: 'b' }], body: bytes(104, 105) };
const globals = [{ i32: -1 }, { i64: -2n }, { f32: 1.5 }, { f64: 2.25 }, { v128: 1n << 100n }];

type Samples = { [M in ManagementMethod]: [ArgOf<M>, ResultOf<M>] };
const samples: Samples = {
  create_canister: [{ settings: [settings], sender_canister_version: [3n] }, cid],
  update_settings: [{ canister_id: p1, settings: noSettings, sender_canister_version: [] }, null],
  upload_chunk: [{ canister_id: p1, chunk: bytes(0, 1, 2) }, { hash: h32 }],
  clear_chunk_store: [cid, null],
  stored_chunks: [cid, [{ hash: h32 }, { hash: bytes() }]],
  install_code: [
    {
      mode: { upgrade: [{ skip_pre_upgrade: [false], wasm_memory_persistence: [{ keep: null }] }] },
      canister_id: p1, wasm_module: bytes(0, 97, 115, 109), arg: bytes(), sender_canister_version: [],
    },
    null,
  ],
  install_chunked_code: [
    {
      mode: { install: null }, target_canister: p1, store_canister: [p2],
      chunk_hashes_list: [{ hash: h32 }], wasm_module_hash: h32, arg: bytes(1), sender_canister_version: [1n],
    },
    null,
  ],
  uninstall_code: [{ canister_id: p1, sender_canister_version: [] }, null],
  start_canister: [cid, null],
  stop_canister: [cid, null],
  canister_status: [
    cid,
    {
      status: { stopping: null }, ready_for_migration: false, version: 4n,
      settings: {
        controllers: [p1], compute_allocation: 0n, memory_allocation: 0n, freezing_threshold: 2_592_000n,
        reserved_cycles_limit: 5_000_000_000_000n, minimum_incoming_canister_call_cycles: 0n,
        log_visibility: { controllers: null }, log_memory_limit: 4096n, snapshot_visibility: { controllers: null },
        status_visibility: { allowed_viewers: [u] }, wasm_memory_limit: 0n, wasm_memory_threshold: 0n,
        environment_variables: [],
      },
      module_hash: [h32], memory_size: 100n,
      memory_metrics: {
        wasm_memory_size: 1n, stable_memory_size: 2n, global_memory_size: 3n, wasm_binary_size: 4n,
        custom_sections_size: 5n, canister_history_size: 6n, wasm_chunk_store_size: 7n, snapshots_size: 8n,
        log_memory_store_size: 9n,
      },
      cycles: 1n << 70n, reserved_cycles: 0n, idle_cycles_burned_per_day: 12n,
      query_stats: {
        num_calls_total: 1n, num_instructions_total: 2n, request_payload_bytes_total: 3n,
        response_payload_bytes_total: 4n,
      },
    },
  ],
  canister_metrics: [
    cid,
    {
      cycles_consumed: {
        memory: 1n, compute_allocation: 2n, ingress_induction: 3n, instructions: 4n,
        request_and_response_transmission: 5n, uninstall: 6n, canister_creation: 7n, http_outcalls: 8n,
        burned_cycles: 9n,
      },
    },
  ],
  canister_info: [
    { canister_id: p1, num_requested_changes: [20n] },
    {
      total_num_changes: 7n, module_hash: [], controllers: [p1],
      recent_changes: [
        { timestamp_nanos: 1n, canister_version: 0n, origin: { from_user: { user_id: u } },
          details: { creation: { controllers: [u], environment_variables_hash: [] } } },
        { timestamp_nanos: 2n, canister_version: 1n,
          origin: { from_canister: { canister_id: p2, canister_version: [5n] } },
          details: { code_deployment: { mode: { upgrade: null }, module_hash: h32 } } },
        { timestamp_nanos: 3n, canister_version: 2n, origin: { from_user: { user_id: u } },
          details: { load_snapshot: { from_canister_id: [], snapshot_id: bytes(1), canister_version: 1n,
            taken_at_timestamp: 2n, source: { metadata_upload: null } } } },
        { timestamp_nanos: 4n, canister_version: 3n, origin: { from_user: { user_id: u } },
          details: { code_uninstall: null } },
        { timestamp_nanos: 5n, canister_version: 4n, origin: { from_user: { user_id: u } },
          details: { controllers_change: { controllers: [] } } },
        { timestamp_nanos: 6n, canister_version: 5n, origin: { from_user: { user_id: u } },
          details: { rename_canister: { canister_id: p2, total_num_changes: 3n,
            rename_to: { canister_id: p1, version: 9n, total_num_changes: 4n }, requested_by: u } } },
      ],
    },
  ],
  canister_metadata: [{ canister_id: p1, name: 'candid:service' }, { value: bytes(115) }],
  delete_canister: [cid, null],
  deposit_cycles: [cid, null],
  raw_rand: [null, h32],
  http_request: [
    {
      url: 'https://example.com/ü', max_response_bytes: [2_000_000n], method: { post: null },
      headers: [{ name: 'content-type', value: 'text/plain' }], body: [bytes(1)],
      transform: [{ function: [p1, 'transform'], context: bytes(2) }], is_replicated: [false],
    },
    http,
  ],
  ecdsa_public_key: [
    { canister_id: [], derivation_path: [bytes(1), bytes()], key_id: { curve: { secp256k1: null }, name: 'dfx_test_key' } },
    { public_key: bytes(2, 3), chain_code: h32 },
  ],
  sign_with_ecdsa: [
    { message_hash: h32, derivation_path: [], key_id: { curve: { secp256r1: null }, name: 'key_1' } },
    { signature: new Uint8Array(64) },
  ],
  schnorr_public_key: [
    { canister_id: [p2], derivation_path: [], key_id: { algorithm: { ed25519: null }, name: 'test_key_1' } },
    { public_key: bytes(1), chain_code: bytes() },
  ],
  sign_with_schnorr: [
    { message: bytes(1, 2), derivation_path: [bytes(9)], key_id: { algorithm: { bip340secp256k1: null }, name: 'k' },
      aux: [{ bip341: { merkle_root_hash: h32 } }] },
    { signature: bytes(5) },
  ],
  vetkd_public_key: [
    { canister_id: [], context: bytes(1), key_id: { curve: { bls12_381_g2: null }, name: 'key_1' } },
    { public_key: bytes(4) },
  ],
  vetkd_derive_key: [
    { input: bytes(1), context: bytes(2), transport_public_key: bytes(3), key_id: { curve: { bls12_381_g2: null }, name: 'k' } },
    { encrypted_key: bytes(4) },
  ],
  node_metrics_history: [
    { subnet_id: p2, start_at_timestamp_nanos: 0n },
    [{ timestamp_nanos: 1n, node_metrics: [{ node_id: p1, num_blocks_proposed_total: 2n, num_block_failures_total: 0n }] }],
  ],
  subnet_metrics: [
    { subnet_id: p2 },
    { block_height: 1n, num_canisters: 2n, canister_state_bytes: 3n, consumed_cycles_total: 4n, update_transactions_total: 5n },
  ],
  subnet_info: [{ subnet_id: p2 }, { replica_version: '0.9.0', registry_version: 1n }],
  provisional_create_canister_with_cycles: [
    { amount: [1n << 80n], settings: [], specified_id: [p2], sender_canister_version: [] },
    { canister_id: p2 },
  ],
  provisional_top_up_canister: [{ canister_id: p1, amount: 10n }, null],
  take_canister_snapshot: [
    { canister_id: p1, replace_snapshot: [bytes(1)], uninstall_code: [true], sender_canister_version: [] },
    snapshot,
  ],
  load_canister_snapshot: [{ ...snap, sender_canister_version: [2n] }, null],
  read_canister_snapshot_metadata: [
    snap,
    {
      source: { taken_from_canister: null }, taken_at_timestamp: 1n, wasm_module_size: 2n, globals,
      wasm_memory_size: 3n, stable_memory_size: 4n, wasm_chunk_store: [{ hash: h32 }], canister_version: 5n,
      certified_data: bytes(6), global_timer: [{ active: 7n }], on_low_wasm_memory_hook_status: [{ ready: null }],
    },
  ],
  read_canister_snapshot_data: [{ ...snap, kind: { stable_memory: { offset: 1n, size: 2n } } }, { chunk: bytes(3) }],
  upload_canister_snapshot_metadata: [
    {
      canister_id: p1, replace_snapshot: [], wasm_module_size: 1n, globals, wasm_memory_size: 2n,
      stable_memory_size: 3n, certified_data: bytes(), global_timer: [{ inactive: null }],
      on_low_wasm_memory_hook_status: [],
    },
    { snapshot_id: bytes(8) },
  ],
  upload_canister_snapshot_data: [{ ...snap, kind: { wasm_chunk: null }, chunk: bytes(1, 2, 3) }, null],
  list_canister_snapshots: [cid, [snapshot]],
  delete_canister_snapshot: [snap, null],
  fetch_canister_logs: [
    { canister_id: p1, filter: [{ by_timestamp_nanos: { start: 1n, end: 2n } }] },
    { canister_log_records: [{ idx: 0n, timestamp_nanos: 5n, content: bytes(104) }] },
  ],
  list_canisters: [null, { canisters: [{ start: p1, end: p2 }] }],
};

test('the table lists every method of the spec (bitcoin_* aside) with ic.did query flags', () => {
  const names = Object.keys(MANAGEMENT_METHODS).sort();
  assert.deepEqual(names, Object.keys(samples).sort());
  assert.equal(names.length, 39);
  const queries = names.filter((m) => isManagementQueryMethod(m));
  assert.deepEqual(queries, ['canister_info', 'canister_metrics', 'canister_status', 'fetch_canister_logs', 'list_canisters']);
  assert.equal(isManagementQueryMethod('nope'), false);
});

for (const method of Object.keys(samples) as ManagementMethod[]) {
  test(`round trip: ${method}`, () => {
    const [arg, result] = samples[method];
    const argBytes = encodeManagementArg(method, arg as never);
    assert.deepStrictEqual(decodeManagementArg(method, argBytes), arg);
    const resultBytes = encodeManagementResult(method, result as never);
    assert.deepStrictEqual(decodeManagementResult(method, resultBytes), result);
  });
}

test('empty tuples: raw_rand/list_canisters take () and update methods return ()', () => {
  assert.equal(hex(encodeManagementArg('raw_rand', null)), '4449444c0000');
  assert.equal(decodeManagementArg('raw_rand', unhex('4449444c0000')), null);
  assert.equal(hex(encodeManagementResult('start_canister', null)), '4449444c0000');
  // extra values sent to a () method are skipped, as Candid requires
  assert.equal(decodeManagementArg('list_canisters', IDL.encode([IDL.Text], ['x'])), null);
});

test('canister_status { canister_id } encodes to the known bytes and they decode to the same id', () => {
  const vector = '4449444c016c01b3c4b1f204680100010a00000000000000010101';
  assert.equal(hex(encodeManagementArg('canister_status', { canister_id: p1 })), vector);
  const arg = decodeManagementArg('canister_status', unhex(vector));
  assert.equal(arg.canister_id.toHex(), '00000000000000010101');
  assert.equal(effectiveCanisterIdOf('start_canister', unhex(vector))?.toText(), p1.toText());
});

// ---- older shapes ----

const oldMode = IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Null });
const installWith = (mode: IDL.Type, extra: Record<string, IDL.Type> = {}): IDL.Type =>
  IDL.Record({ mode, canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8), ...extra });
const installValue = (mode: unknown): Record<string, unknown> => ({ mode, canister_id: p1, wasm_module: bytes(0), arg: bytes() });

test('(a) records missing newer opt fields decode with [] (settings, sender_canister_version)', () => {
  const oldSettings = IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)), freezing_threshold: IDL.Opt(IDL.Nat) });
  const wire = IDL.encode(
    [IDL.Record({ canister_id: IDL.Principal, settings: oldSettings })],
    [{ canister_id: p1, settings: { controllers: [[u]], freezing_threshold: [] } }],
  );
  const arg = decodeManagementArg('update_settings', wire);
  assert.deepStrictEqual(arg, {
    canister_id: p1, sender_canister_version: [], settings: { ...noSettings, controllers: [[u]] },
  });
  const none = decodeManagementArg('provisional_create_canister_with_cycles', IDL.encode([IDL.Record({})], [{}]));
  assert.deepStrictEqual(none, { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
});

test('(b) extra fields on the wire are skipped', () => {
  const wire = IDL.encode(
    [IDL.Record({ canister_id: IDL.Principal, future: IDL.Vec(IDL.Text), zzz: IDL.Opt(IDL.Record({ a: IDL.Nat })) })],
    [{ canister_id: p1, future: ['x', 'y'], zzz: [{ a: 1n }] }],
  );
  assert.deepStrictEqual(decodeManagementArg('stop_canister', wire), cid);
  const settingsWire = IDL.encode(
    [IDL.Record({ settings: IDL.Opt(IDL.Record({ compute_allocation: IDL.Opt(IDL.Nat), new_knob: IDL.Bool })) })],
    [{ settings: [{ compute_allocation: [5n], new_knob: true }] }],
  );
  assert.deepStrictEqual(decodeManagementArg('create_canister', settingsWire), {
    settings: [{ ...noSettings, compute_allocation: [5n] }], sender_canister_version: [],
  });
});

test('(c) opt values of a mismatching type decode as []', () => {
  const wire = IDL.encode(
    [IDL.Record({
      settings: IDL.Opt(IDL.Record({
        compute_allocation: IDL.Opt(IDL.Text),
        log_visibility: IDL.Opt(IDL.Variant({ only_me: IDL.Null })), // unknown tag
        freezing_threshold: IDL.Opt(IDL.Nat),
      })),
      sender_canister_version: IDL.Opt(IDL.Nat), // nat is not nat64
    })],
    [{ settings: [{ compute_allocation: ['high'], log_visibility: [{ only_me: null }], freezing_threshold: [7n] }],
       sender_canister_version: [1n] }],
  );
  assert.deepStrictEqual(decodeManagementArg('create_canister', wire), {
    settings: [{ ...noSettings, freezing_threshold: [7n] }], sender_canister_version: [],
  });
});

test('(d) install mode: payload-less upgrade (dfx < 0.15), reserved, v0.21 and non-opt records', () => {
  const legacy = IDL.encode([installWith(oldMode)], [installValue({ upgrade: null })]);
  const arg = decodeManagementArg('install_code', legacy);
  assert.deepStrictEqual(arg.mode, { upgrade: [] });
  assert.deepStrictEqual(arg.sender_canister_version, []);
  assert.deepStrictEqual(decodeManagementArg('install_code', IDL.encode([installWith(oldMode)], [installValue({ reinstall: null })])).mode, { reinstall: null });

  const reserved = IDL.Variant({ upgrade: IDL.Reserved });
  assert.deepStrictEqual(decodeManagementArg('install_code', IDL.encode([installWith(reserved)], [installValue({ upgrade: null })])).mode, { upgrade: [] });

  const v021 = IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Opt(IDL.Record({ skip_pre_upgrade: IDL.Opt(IDL.Bool) })) });
  assert.deepStrictEqual(
    decodeManagementArg('install_code', IDL.encode([installWith(v021)], [installValue({ upgrade: [{ skip_pre_upgrade: [true] }] })])).mode,
    { upgrade: [{ skip_pre_upgrade: [true], wasm_memory_persistence: [] }] },
  );
  const bare = IDL.Variant({ upgrade: IDL.Record({ skip_pre_upgrade: IDL.Opt(IDL.Bool) }) });
  assert.deepStrictEqual(
    decodeManagementArg('install_code', IDL.encode([installWith(bare)], [installValue({ upgrade: { skip_pre_upgrade: [] } })])).mode,
    { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [] }] },
  );
  // an unknown tag in a non-opt variant is an error, not a default
  const future = IDL.Variant({ install: IDL.Null, migrate: IDL.Null });
  assert.throws(() => decodeManagementArg('install_code', IDL.encode([installWith(future)], [installValue({ migrate: null })])), CandidDecodeError);
});

test('install_chunked_code in the v0.22 shape (storage_canister, vec blob hashes)', () => {
  const v022 = IDL.Record({
    mode: oldMode, target_canister: IDL.Principal, storage_canister: IDL.Opt(IDL.Principal),
    chunk_hashes_list: IDL.Vec(IDL.Vec(IDL.Nat8)), wasm_module_hash: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8),
    sender_canister_version: IDL.Opt(IDL.Nat64),
  });
  const wire = IDL.encode([v022], [{
    mode: { install: null }, target_canister: p1, storage_canister: [p2], chunk_hashes_list: [h32, h32],
    wasm_module_hash: h32, arg: bytes(1), sender_canister_version: [],
  }]);
  assert.deepStrictEqual(decodeManagementArg('install_chunked_code', wire), {
    mode: { install: null }, target_canister: p1, store_canister: [p2], chunk_hashes_list: [{ hash: h32 }, { hash: h32 }],
    wasm_module_hash: h32, arg: bytes(1), sender_canister_version: [],
  });
  assert.equal(effectiveCanisterIdOf('install_chunked_code', wire)?.toText(), p1.toText());
});

// Type descriptions copied from the wasm moc (npm motoko 4.10.0) emits for test/canisters/factory.mo:
// the prelude's `@ic00.create_canister` / `@ic00.install_code` calls made by actor class constructors.
const MOC_CREATE = '4449444c076c02e3f9f5d90802ca9998b40d016e786e036c04c0cff27104d7e09b900205deebb5a90e04a882acc60f046e7d6e066d680100';
const MOC_INSTALL = '4449444c086c05d6fca70201a79fc97e01e3a683c30402b3c4b1f20468ca9998b40d076d7b6b03c8bb8a707f9ce9c69906039baaebec087f6e046c01dceaaefa02056e066b0285a19bb8047fb490a1d90a7f6e780100';

test('Motoko actor class: create_canister as moc encodes it', () => {
  // settings = null; sender_canister_version = ?7
  const a = decodeManagementArg('create_canister', unhex(`${MOC_CREATE}00010700000000000000`));
  assert.deepStrictEqual(a, { settings: [], sender_canister_version: [7n] });
  // settings = ?{ freezing_threshold = null; controllers = ?[p1]; memory_allocation = null; compute_allocation = ?1 }
  const b = decodeManagementArg('create_canister', unhex(`${MOC_CREATE}0100010101` + `0a${p1.toHex().toLowerCase()}` + '00010100'));
  assert.deepStrictEqual(b, { settings: [{ ...noSettings, controllers: [[p1]], compute_allocation: [1n] }], sender_canister_version: [] });
});

test('Motoko actor class: install_code as moc encodes it (#install, #upgrade ?{wasm_memory_persistence})', () => {
  // fields by hash: arg, wasm_module, mode, canister_id, sender_canister_version
  const common = (mode: string): Uint8Array =>
    unhex(`${MOC_INSTALL}0201ff` + `0400617301` + mode + `010a${p1.toHex().toLowerCase()}` + '010100000000000000');
  const install = decodeManagementArg('install_code', common('02')); // variant index 2 = install
  assert.deepStrictEqual(install, {
    arg: bytes(1, 255), wasm_module: bytes(0, 97, 115, 1), mode: { install: null }, canister_id: p1, sender_canister_version: [1n],
  });
  const upgrade = decodeManagementArg('install_code', common('01010100')); // #upgrade(?{ wasm_memory_persistence = ?#keep })
  assert.deepStrictEqual(upgrade.mode, { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [{ keep: null }] }] });
  const plain = decodeManagementArg('install_code', common('0100')); // #upgrade(null)
  assert.deepStrictEqual(plain.mode, { upgrade: [] });
  assert.equal(effectiveCanisterIdOf('install_code', common('02'))?.toText(), p1.toText());
});

// ---- malformed input ----

test('malformed bytes throw CandidDecodeError naming the method', () => {
  const good = encodeManagementArg('upload_chunk', { canister_id: p1, chunk: bytes(1, 2, 3, 4, 5) });
  const cases: [string, Uint8Array][] = [
    ['empty', bytes()],
    ['garbage', bytes(1, 2, 3, 4, 5, 6, 7)],
    ['wrong magic', unhex('4449444d0000')],
    ['truncated type table', good.subarray(0, 8)],
    ['truncated value', good.subarray(0, good.length - 2)],
    ['trailing bytes', new Uint8Array([...good, 0])],
    ['no arguments', unhex('4449444c0000')],
    ['missing required field', IDL.encode([IDL.Record({ chunk: IDL.Vec(IDL.Nat8) })], [{ chunk: bytes() }])],
    ['wrong field type', IDL.encode([IDL.Record({ canister_id: IDL.Text, chunk: IDL.Vec(IDL.Nat8) })], [{ canister_id: 'x', chunk: bytes() }])],
  ];
  for (const [name, input] of cases) {
    assert.throws(
      () => decodeManagementArg('upload_chunk', input),
      (e: unknown) => e instanceof CandidDecodeError && e.method === 'upload_chunk' && /^upload_chunk: invalid Candid argument: /.test(e.message),
      name,
    );
  }
  assert.throws(() => decodeManagementResult('canister_status', unhex('4449444c0000')), CandidDecodeError);
  assert.throws(() => decodeManagementArg('bitcoin_get_balance' as ManagementMethod, unhex('4449444c0000')), /unknown management canister method/);
  // @dfinity/candid alone decodes a truncated trailing blob to a shorter blob; the StrictBlob guard
  // in types.ts turns that into an error (here the blob is the last value of the message)
  const rand = encodeManagementResult('raw_rand', bytes(1, 2, 3));
  assert.deepStrictEqual(IDL.decode([IDL.Vec(IDL.Nat8)], rand.subarray(0, rand.length - 1)), [bytes(1, 2)]);
  assert.throws(() => decodeManagementResult('raw_rand', rand.subarray(0, rand.length - 1)), /blob length 3 exceeds the 2 remaining bytes/);
  const meta = encodeManagementResult('canister_metadata', { value: bytes(1, 2, 3) });
  assert.throws(() => decodeManagementResult('canister_metadata', meta.subarray(0, meta.length - 1)), CandidDecodeError);
});

test('encoding a value of the wrong shape throws CandidEncodeError', () => {
  assert.throws(() => encodeManagementResult('create_canister', { canister_id: 'aaaaa-aa' } as never), CandidEncodeError);
  assert.throws(() => encodeManagementArg('install_code', { mode: { install: null } } as never), CandidEncodeError);
});

// ---- effective canister id ----

test('effectiveCanisterIdOf', () => {
  const enc = <M extends ManagementMethod>(m: M): Uint8Array => encodeManagementArg(m, samples[m][0]);
  for (const m of ['update_settings', 'install_code', 'canister_status', 'fetch_canister_logs', 'take_canister_snapshot',
    'provisional_top_up_canister', 'deposit_cycles', 'read_canister_snapshot_data'] as const) {
    assert.equal(effectiveCanisterIdOf(m, enc(m))?.toText(), p1.toText(), m);
  }
  assert.equal(effectiveCanisterIdOf('install_chunked_code', enc('install_chunked_code'))?.toText(), p1.toText());
  for (const m of ['create_canister', 'provisional_create_canister_with_cycles', 'raw_rand', 'http_request',
    'ecdsa_public_key', 'schnorr_public_key', 'subnet_info', 'node_metrics_history', 'list_canisters'] as const) {
    assert.equal(effectiveCanisterIdOf(m, enc(m)), null, m);
  }
  assert.equal(effectiveCanisterIdOf('greet', unhex('4449444c0000')), null);
  assert.throws(() => effectiveCanisterIdOf('start_canister', unhex('4449444c0000')), CandidDecodeError);
});
