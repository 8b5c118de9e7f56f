// The instrumented module's shape: injected imports shift every function index (calls,
// tables, ref.func, exports, names) while behaviour stays the same; the start function
// is exported instead of run; globals, memory and table are exported for the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister, instantiate } from './_helpers.ts';
import { concat, HEADER, section } from './_binary.ts';
import { CAPSULE_EXPORTS, INJECTED_IMPORTS, parseCanisterModule } from '../../src/wasm/index.ts';

const SHIFT = `(module
  (import "ic0" "msg_arg_data_size" (func $size (result i32)))
  (import "ic0" "debug_print" (func $print (param i32 i32)))
  (type $binop (func (param i32 i32) (result i32)))
  (memory 1)
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $add $sub)
  (elem $passive func $mul)
  (elem declare func $mul)
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func (export "direct") (param i32 i32) (result i32) (call $sub (local.get 0) (local.get 1)))
  (func (export "indirect") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $binop) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "get_ref") (result funcref) (ref.func $mul))
  (func (export "tail") (param i32 i32) (result i32) (return_call $add (local.get 0) (local.get 1)))
  (func (export "host") (result i32) (call $print (i32.const 0) (i32.const 0)) (call $size))
  (func $helper_export (export "canister_update go") (drop (call $size))))`;

test('direct calls, call_indirect through elem, ref.func and return_call hit the original functions', async () => {
  const m = await canister(SHIFT, { tail_call: true });
  const host = instantiate(m, { msg_arg_data_size: () => 42 });
  const e = host.exports;
  assert.equal(e['direct'](10, 3), 7);
  assert.equal(e['indirect'](10, 3, 0), 13);
  assert.equal(e['indirect'](10, 3, 1), 7);
  assert.equal(e['get_ref']()(10, 3), 30);
  assert.equal(e['tail'](10, 3), 13);
  assert.equal(e['host'](), 42);
  assert.deepEqual(host.ic0Calls, ['debug_print']);
  e['canister_update go']();
});

test('the table is exported and its entries are the shifted functions', async () => {
  const host = instantiate(await canister(SHIFT, { tail_call: true }));
  const table = host.exports[CAPSULE_EXPORTS.table] as WebAssembly.Table;
  assert.ok(table instanceof WebAssembly.Table);
  assert.equal(table.length, 4);
  assert.equal(table.get(0)(2, 3), 5);
  assert.equal(table.get(1)(2, 3), -1);
  assert.equal(table.get(2), null);
});

test('the injected imports come first; original imports and exports are kept', async () => {
  const m = await canister(SHIFT, { tail_call: true });
  const mod = new WebAssembly.Module(m.instrumented);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
  assert.deepEqual(imports, [
    ...INJECTED_IMPORTS.map((n) => `__capsule.${n}:function`),
    'ic0.msg_arg_data_size:function',
    'ic0.debug_print:function',
  ]);
  const exports = WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`);
  for (const name of ['direct:function', 'canister_update go:function', '__capsule_instructions:global',
    '__capsule_memory:memory', '__capsule_dirty:memory', '__capsule_table:table']) {
    assert.ok(exports.includes(name), name);
  }
  assert.ok(!exports.includes('__capsule_start:function'));
});

test('the start function is not run at instantiation; __capsule_start runs it', async () => {
  const m = await canister(`(module (memory 1)
    (global $ran (export "ran") (mut i32) (i32.const 0))
    (func $init (global.set $ran (i32.const 1)) (i32.store (i32.const 0x2000) (i32.const 5)))
    (start $init))`);
  assert.equal(m.hasStart, true);
  const host = instantiate(m);
  assert.equal((host.exports['ran'] as WebAssembly.Global).value, 0);
  host.exports[CAPSULE_EXPORTS.start]();
  assert.equal((host.exports['ran'] as WebAssembly.Global).value, 1);
  assert.deepEqual(host.markedPages, [2]);
});

test('every global is exported by its original index, mutable ones writable', async () => {
  const m = await canister(`(module
    (global $a (mut i32) (i32.const 1))
    (global $b i64 (i64.const 2))
    (global $c (export "c") (mut f64) (f64.const 3.5))
    (func (export "read_a") (result i32) (global.get $a)))`);
  const host = instantiate(m);
  const g = (i: number) => host.exports[`${CAPSULE_EXPORTS.globalPrefix}${i}`] as WebAssembly.Global;
  assert.equal(g(0).value, 1);
  assert.equal(g(1).value, 2n);
  assert.equal(g(2).value, 3.5);
  assert.equal((host.exports['c'] as WebAssembly.Global).value, 3.5); // still exported under its own name
  assert.equal(g(3), undefined);
  g(0).value = 41;
  assert.equal(host.exports['read_a'](), 41);
  assert.equal(typeof host.counter.value, 'bigint');
});

test('a module without memory gets an empty one so the host always finds __capsule_memory', async () => {
  const host = instantiate(await canister('(module (func (export "f")))'));
  assert.equal(host.memory.buffer.byteLength, 0);
  assert.equal(host.dirty.length, 0);
  host.exports['f']();
});

test('imported memory and table become defined ones with the same limits', async () => {
  const m = await canister(`(module
    (import "env" "memory" (memory 2 5))
    (import "env" "table" (table 2 funcref))
    (elem (i32.const 1) func $f)
    (func $f (result i32) (i32.const 9))
    (func (export "store") (i32.store (i32.const 0x10000) (i32.const 1))))`);
  const mod = new WebAssembly.Module(m.instrumented);
  assert.deepEqual(WebAssembly.Module.imports(mod).filter((i) => i.kind !== 'function'), []);
  const host = instantiate(m);
  assert.equal(host.memory.buffer.byteLength, 2 * 65536);
  assert.equal(host.memory.grow(3), 2);
  assert.throws(() => host.memory.grow(1));
  assert.equal((host.exports[CAPSULE_EXPORTS.table] as WebAssembly.Table).get(1)(), 9);
  host.exports['store']();
  assert.deepEqual(host.markedPages, [16]);
  assert.equal(host.dirty.length, 65536); // 5 pages of 64 KiB need 80 dirty bytes: one page
});

test('function names survive (original indices in functionNames, shifted in the module)', async () => {
  const m = await canister(`(module
    (import "ic0" "trap" (func $ic0_trap (param i32 i32)))
    (func $inner_function_that_traps (unreachable))
    (func $outer (export "outer") (call $inner_function_that_traps)))`);
  assert.deepEqual([...m.functionNames], [[0, 'ic0_trap'], [1, 'inner_function_that_traps'], [2, 'outer']]);
  const host = instantiate(m);
  try {
    host.exports['outer']();
    assert.fail('expected a trap');
  } catch (e) {
    assert.ok(e instanceof WebAssembly.RuntimeError);
    const stack = (e as Error).stack ?? '';
    assert.match(stack, /inner_function_that_traps/);
    assert.match(stack, /outer/);
  }
});

test('a table initializer using ref.func is shifted too', () => {
  // type 0: [] -> [i32]; func 0 returns 7; table 0: (ref null func), 2 entries, initialized to ref.func 0.
  const bytes = concat(
    HEADER,
    section(1, [1, 0x60, 0, 1, 0x7f]),
    section(3, [1, 0]),
    section(4, [1, 0x40, 0x00, 0x63, 0x70, 0x00, 0x02, 0xd2, 0x00, 0x0b]),
    section(10, [1, 4, 0, 0x41, 7, 0x0b]),
  );
  assert.ok(WebAssembly.validate(bytes));
  const host = instantiate(parseCanisterModule(bytes));
  assert.equal((host.exports[CAPSULE_EXPORTS.table] as WebAssembly.Table).get(1)(), 7);
});
