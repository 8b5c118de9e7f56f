// The rewriter walks every instruction family it claims to know; the instrumented module
// must validate and compute exactly what the original computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister, instantiate, wat } from './_helpers.ts';
import { concat, HEADER, section } from './_binary.ts';
import { parseCanisterModule } from '../../src/wasm/index.ts';

/** Calls `name` on the original module and on the instrumented one; returns both results. */
function both(original: Uint8Array, name: string, ...args: unknown[]): [unknown, unknown] {
  const plain = new WebAssembly.Instance(new WebAssembly.Module(original as Uint8Array<ArrayBuffer>), {}).exports as Record<string, any>;
  const host = instantiate(parseCanisterModule(original));
  return [plain[name](...args), host.exports[name](...args)];
}

const KITCHEN_SINK = `(module (memory 1) (table 2 funcref) (elem (i32.const 0) func $sq $sq)
  (data $d "abcdefgh") (elem $e func $sq)
  (type $t (func (param i32) (result i32)))
  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func (export "mix") (param $x i32) (result i64) (local $f f64) (local $v v128)
    (local.set $f (f64.convert_i32_s (local.get $x)))
    (local.set $v (i32x4.splat (local.get $x)))
    (local.set $v (i32x4.add (local.get $v) (v128.const i32x4 1 2 3 4)))
    (v128.store offset=64 (i32.const 0) (local.get $v))
    (v128.store8_lane 5 (i32.const 200) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
    (i32.store8 (i32.const 300) (i8x16.extract_lane_u 4 (local.get $v)))
    (memory.copy (i32.const 400) (i32.const 64) (i32.const 16))
    (memory.init $d (i32.const 500) (i32.const 2) (i32.const 3))
    (data.drop $d) (elem.drop $e)
    (drop (table.size))
    (i64.add
      (i64.extend_i32_s (i32.extend8_s (local.get $x)))
      (i64.add
        (i64.trunc_sat_f64_s (f64.mul (local.get $f) (f64.const 1.5)))
        (i64.add
          (i64.extend_i32_u (call_indirect (type $t) (local.get $x) (i32.and (local.get $x) (i32.const 1))))
          (i64.add
            (i64.load (i32.const 400))
            (i64.add (i64.load32_u (i32.const 500)) (i64.load8_u (i32.const 300))))))))
  (func (export "control") (param $x i32) (result i32) (local $acc i32)
    (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 (local.get $x)))
      (local.set $acc (i32.const 10)) (br $b2))
      (local.set $acc (i32.const 20)))
    (select (result i32) (local.get $acc) (i32.const -1) (i32.lt_u (local.get $x) (i32.const 3)))
    (block (param i32) (result i32) (i32.add (i32.const 100)))
    (if (result i32) (i32.eqz (local.get $x)) (then (i32.const 1)) (else (i32.const 2)))
    (i32.add)))`;

test('numeric, SIMD, bulk memory and control instructions compute the same results', async () => {
  const original = await wat(KITCHEN_SINK);
  for (const x of [0, 1, 2, 3, 7, -5]) {
    const [a, b] = both(original, 'mix', x);
    assert.equal(b, a, `mix(${x})`);
    const [c, d] = both(original, 'control', x);
    assert.equal(d, c, `control(${x})`);
  }
});

test('memory64 with a 64-bit memarg offset', async () => {
  const m = await canister(`(module (memory i64 2)
    (func (export "far") (param $a i64) (i64.store offset=0x10008 (local.get $a) (i64.const 3)))
    (func (export "beyond") (i32.store offset=0x100000000 (i64.const 0) (i32.const 1))))`);
  const host = instantiate(m);
  host.exports['far'](0n);
  assert.deepEqual(host.markedPages, [16]);
  assert.throws(() => host.exports['beyond'](), WebAssembly.RuntimeError);
});

test('legacy exception handling: try, catch, catch_all, delegate', async () => {
  const source = `(module (tag $e (param i32))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func (export "run") (param i32) (result i32)
      (try (result i32)
        (do (try (do (call $thrower (local.get 0))) (delegate 0)) (i32.const -1))
        (catch $e (i32.add (i32.const 1)))
        (catch_all (i32.const -2)))))`;
  const original = await wat(source, { exceptions: true });
  assert.deepEqual(both(original, 'run', 41), [42, 42]);
});

test('exceptions with exnref: try_table and throw', () => {
  // type 0: [] -> [], type 1: [] -> [i32]; tag 0 of type 0.
  // run: block; try_table (catch_all 0); throw 0; end; end; i32.const 7
  const body = [0x00, 0x02, 0x40, 0x1f, 0x40, 0x01, 0x02, 0x00, 0x08, 0x00, 0x0b, 0x0b, 0x41, 0x07, 0x0b];
  const bytes = concat(
    HEADER,
    section(1, [2, 0x60, 0, 0, 0x60, 0, 1, 0x7f]),
    section(3, [1, 1]),
    section(13, [1, 0, 0]),
    section(7, [1, 3, ...new TextEncoder().encode('run'), 0, 0]),
    section(10, [1, body.length, ...body]),
  );
  assert.ok(WebAssembly.validate(bytes), 'V8 accepts try_table');
  assert.deepEqual(both(bytes, 'run'), [7, 7]);
});

test('tail calls keep their (shifted) targets', async () => {
  const original = await wat(`(module
    (func $fact (param $n i64) (param $acc i64) (result i64)
      (if (result i64) (i64.eqz (local.get $n)) (then (local.get $acc))
        (else (return_call $fact (i64.sub (local.get $n) (i64.const 1)) (i64.mul (local.get $n) (local.get $acc))))))
    (func (export "fact") (param i64) (result i64) (return_call $fact (local.get 0) (i64.const 1))))`, { tail_call: true });
  assert.deepEqual(both(original, 'fact', 20n), [2432902008176640000n, 2432902008176640000n]);
});

test('instrumented modules validate in V8 and grow by the injected code', async () => {
  const m = await canister(KITCHEN_SINK);
  assert.ok(WebAssembly.validate(m.instrumented));
  assert.ok(m.instrumented.length > m.wasm.length);
});
