// Import and export rules of canister modules (interface spec, section 'Canister module format';
// replica validation.rs), each with an accepted and a rejected case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertInvalidWat, canister, wat, assertInvalid } from './_helpers.ts';
import { IC0_SIGNATURES, isIc0Name, parseCanisterModule } from '../../src/wasm/index.ts';
import { IC0_REPLICA_EXTRA_NAMES, IC0_SPEC_NAMES } from '../vectors/ic0_spec_names.ts';

test('ic0 imports with the exact wasm32 signature are accepted and listed in import order', async () => {
  const m = await canister(`(module
    (import "ic0" "msg_reply_data_append" (func (param i32 i32)))
    (import "ic0" "msg_reply" (func))
    (import "ic0" "stable_size" (func (result i32)))
    (import "ic0" "msg_reply" (func $again))
    (memory 1))`);
  assert.deepEqual(m.ic0Imports, ['msg_reply_data_append', 'msg_reply', 'stable_size']);
  assert.equal(m.pointerWidth, 32);
});

test('wasm64 modules use i64 for pointer-width parameters', async () => {
  const m = await canister(`(module
    (import "ic0" "msg_reply_data_append" (func (param i64 i64)))
    (import "ic0" "msg_reject_code" (func (result i32)))
    (import "ic0" "stable64_size" (func (result i64)))
    (memory i64 1))`);
  assert.equal(m.pointerWidth, 64);
  await assertInvalidWat(
    `(module (import "ic0" "msg_reply_data_append" (func (param i32 i32))) (memory i64 1))`,
    'invalidFunctionSignature',
    "Wasm module has an invalid function signature. Expected input params [I64, I64] for 'msg_reply_data_append', got [I32, I32].",
  );
});

test('a wasm32 module importing i64 pointers is rejected with the expected signature', async () => {
  await assertInvalidWat(
    `(module (import "ic0" "msg_arg_data_size" (func (result i64))) (memory 1))`,
    'invalidFunctionSignature',
    "Expected return type [I32] for 'msg_arg_data_size', got [I64].",
  );
});

test('legacy wasm32-only functions are unknown in wasm64 modules', async () => {
  for (const name of ['stable_size', 'msg_cycles_available', 'canister_cycle_balance', 'mint_cycles'] as const) {
    assert.equal(IC0_SIGNATURES[name].wasm32Only, true, name);
  }
  await assertInvalidWat(
    `(module (import "ic0" "stable_size" (func (result i32))) (memory i64 1))`,
    'invalidImportSection',
    "Wasm module has an invalid import section. Module imports function 'stable_size' from 'ic0' that is not exported by the runtime.",
  );
});

test('unknown ic0 names and functions from other modules are rejected', async () => {
  await assertInvalidWat(
    `(module (import "ic0" "foo" (func)))`,
    'invalidImportSection',
    "Module imports function 'foo' from 'ic0' that is not exported by the runtime.",
  );
  await assertInvalidWat(
    `(module (import "env" "msg_reply" (func)))`,
    'invalidImportSection',
    'Module imports function "msg_reply" from "env", expected to be imported from one of ["ic0"] instead.',
  );
});

test('replica extras are accepted: mint_cycles128, cost_http_request_v2, mint_cycles (wasm32)', async () => {
  const m = await canister(`(module
    (import "ic0" "mint_cycles128" (func (param i64 i64 i32)))
    (import "ic0" "cost_http_request_v2" (func (param i32 i32 i32)))
    (import "ic0" "mint_cycles" (func (param i64) (result i64)))
    (memory 1))`);
  assert.deepEqual(m.ic0Imports, ['mint_cycles128', 'cost_http_request_v2', 'mint_cycles']);
});

test('the signature table holds exactly the spec functions of v0.66.0 and the replica extras', () => {
  assert.equal(IC0_SPEC_NAMES.length, 74);
  assert.deepEqual(Object.keys(IC0_SIGNATURES).sort(), [...IC0_SPEC_NAMES, ...IC0_REPLICA_EXTRA_NAMES].sort());
  for (const name of IC0_SPEC_NAMES) assert.ok(isIc0Name(name) && !IC0_SIGNATURES[name].replicaExtra, name);
  for (const name of IC0_REPLICA_EXTRA_NAMES) assert.ok(isIc0Name(name) && IC0_SIGNATURES[name].replicaExtra, name);
  assert.deepEqual(IC0_SIGNATURES.cost_http_request_v2, { params: ['I', 'I', 'I'], results: [], wasm32Only: false, replicaExtra: true });
});

test('extraImports admits additional function imports', async () => {
  const bytes = await wat(`(module (import "test" "hook" (func (param i32) (result i32))) (memory 1))`);
  assertInvalid(bytes, 'invalidImportSection', "Module imports function 'hook' from 'test'");
  const m = parseCanisterModule(bytes, { extraImports: [{ module: 'test', name: 'hook', params: ['I'], results: ['i32'] }] });
  assert.deepEqual(m.ic0Imports, []);
});

test('globals and tags cannot be imported', async () => {
  await assertInvalidWat(`(module (import "env" "g" (global i32)))`, 'invalidImportSection', 'Importing globals is not allowed.');
  await assertInvalidWat(`(module (import "env" "t" (tag)))`, 'invalidImportSection', 'Importing tags is not allowed.', { exceptions: true });
});

test('a memory or table may be imported, but `memory`/`table` only from env', async () => {
  const m = await canister(`(module (import "env" "memory" (memory 2 4)) (import "env" "table" (table 3 funcref)))`);
  assert.deepEqual(m.memory, { minPages: 2, maxPages: 4 });
  await assertInvalidWat(`(module (import "foo" "memory" (memory 1)))`, 'invalidImportSection', 'Only memory imported from env.memory is allowed.');
  await assertInvalidWat(`(module (import "foo" "table" (table 1 funcref)))`, 'invalidImportSection', 'Only tables imported from env.table are allowed.');
});

test('exported methods are listed by kind; system methods are collected', async () => {
  const m = await canister(`(module
    (func $f)
    (export "canister_update inc" (func $f))
    (export "canister_query get" (func $f))
    (export "canister_query with spaces" (func $f))
    (export "canister_update " (func $f))
    (export "canister_composite_query cq" (func $f))
    (export "canister_init" (func $f))
    (export "canister_pre_upgrade" (func $f))
    (export "canister_post_upgrade" (func $f))
    (export "canister_inspect_message" (func $f))
    (export "canister_heartbeat" (func $f))
    (export "canister_global_timer" (func $f))
    (export "canister_on_low_wasm_memory" (func $f))
    (export "helper" (func $f))
    (global $g i32 (i32.const 0))
    (export "canister_query global" (global $g)))`);
  assert.deepEqual(m.updateMethods, ['inc', '']);
  assert.deepEqual(m.queryMethods, ['get', 'with spaces']);
  assert.deepEqual(m.compositeQueryMethods, ['cq']);
  assert.deepEqual([...m.systemMethods].sort(), [
    'canister_global_timer', 'canister_heartbeat', 'canister_init', 'canister_inspect_message',
    'canister_on_low_wasm_memory', 'canister_post_upgrade', 'canister_pre_upgrade',
  ]);
});

test('the same method name in two kinds is rejected', async () => {
  await assertInvalidWat(
    `(module (func $f) (export "canister_update m" (func $f)) (export "canister_query m" (func $f)))`,
    'duplicateExport',
    "Duplicate function 'm' exported multiple times with different call types: update, query, or composite_query.",
  );
});

test('unknown canister_ exports are rejected', async () => {
  await assertInvalidWat(
    `(module (func $f) (export "canister_foo" (func $f)))`,
    'invalidExportSection',
    `Wasm module has an invalid export section. Exporting reserved function 'canister_foo' with "canister_" prefix`,
  );
  // No space after the kind: not a method, and not an allowed canister_ name either.
  await assertInvalidWat(`(module (func $f) (export "canister_updatex" (func $f)))`, 'invalidExportSection', "'canister_updatex'");
});

test('entry points must have type () -> ()', async () => {
  await assertInvalidWat(
    `(module (func $f (param i32)) (export "canister_init" (func $f)))`,
    'invalidFunctionSignature',
    "Expected input params [] for 'canister_init', got [I32].",
  );
  await assertInvalidWat(
    `(module (func $f (result i64) (i64.const 0)) (export "canister_query q" (func $f)))`,
    'invalidFunctionSignature',
    "Expected return type [] for 'canister_query q', got [I64].",
  );
  await assertInvalidWat(
    `(module (import "ic0" "msg_reply_data_append" (func $r (param i32 i32))) (export "canister_update u" (func $r)))`,
    'invalidFunctionSignature',
    "for 'canister_update u'",
  );
});

test('reserved export names are rejected', async () => {
  for (const name of ['canister_start', 'canister counter_instructions', 'stable_memory', '__capsule_memory']) {
    await assertInvalidWat(
      `(module (func $f) (export ${JSON.stringify(name)} (func $f)))`,
      'invalidExportSection',
      `Exporting reserved symbol ${name} not allowed.`,
    );
  }
});

test('at most 1,000 exported methods', async () => {
  const exports = (n: number) => Array.from({ length: n }, (_, i) => `(export "canister_update m${i}" (func $f))`).join('');
  await canister(`(module (func $f) ${exports(1000)})`);
  await assertInvalidWat(
    `(module (func $f) ${exports(1001)})`,
    'tooManyExports',
    'The number of exported functions called `canister_update <name>`, `canister_query <name>`, or `canister_composite_query <name>` is 1001 which exceeds 1000.',
  );
});

test('the sum of method name lengths is at most 20,000 bytes', async () => {
  const long = (n: number, len: number) =>
    Array.from({ length: n }, (_, i) => `(export "canister_query ${String(i).padStart(len, 'x')}" (func $f))`).join('');
  await canister(`(module (func $f) ${long(20, 1000)})`);
  await assertInvalidWat(`(module (func $f) ${long(20, 1000)} (export "canister_query y" (func $f)))`, 'exportedNamesTooLong', 'is 20001 which exceeds the allowed limit of 20000.');
});
