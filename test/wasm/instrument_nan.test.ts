// NaN canonicalization: whatever NaN the CPU produces for a float instruction, the instrumented
// module yields the canonical NaN (positive, quiet bit only), as the replica's Cranelift does, so
// a canister's state does not depend on the machine. Bit-preserving instructions keep payloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { canister, instantiate, wat } from './_helpers.ts';

const F32_CANONICAL = 0x7fc00000;
const F64_CANONICAL = 0x7ff8000000000000n;

/** Each export returns the bits of one float result; `nan32`/`nan64` hold NaNs with a payload and the sign set. */
const FLOATS = `(module
  (global $nan32 (mut f32) (f32.const -nan:0x200001))
  (global $nan64 (mut f64) (f64.const -nan:0x4000000000001))
  (global $lanes (mut v128) (v128.const f32x4 -nan:0x1 1 0 0))
  (func (export "div32") (param f32 f32) (result i32) (i32.reinterpret_f32 (f32.div (local.get 0) (local.get 1))))
  (func (export "sqrt32") (param f32) (result i32) (i32.reinterpret_f32 (f32.sqrt (local.get 0))))
  (func (export "add32") (result i32) (i32.reinterpret_f32 (f32.add (global.get $nan32) (f32.const 1))))
  (func (export "min32") (result i32) (i32.reinterpret_f32 (f32.min (global.get $nan32) (f32.const 1))))
  (func (export "nearest32") (result i32) (i32.reinterpret_f32 (f32.nearest (global.get $nan32))))
  (func (export "demote") (result i32) (i32.reinterpret_f32 (f32.demote_f64 (global.get $nan64))))
  (func (export "mul64") (result i64) (i64.reinterpret_f64 (f64.mul (global.get $nan64) (f64.const 2))))
  (func (export "sub64") (param f64 f64) (result i64) (i64.reinterpret_f64 (f64.sub (local.get 0) (local.get 1))))
  (func (export "promote") (result i64) (i64.reinterpret_f64 (f64.promote_f32 (global.get $nan32))))
  (func (export "neg32") (result i32) (i32.reinterpret_f32 (f32.neg (global.get $nan32))))
  (func (export "copy64") (result i64) (i64.reinterpret_f64 (global.get $nan64)))
  (func (export "plain64") (result f64) (f64.add (f64.const 1.5) (f64.const 2.25)))
  (func (export "chain64") (param f64 f64) (result i64) (i64.reinterpret_f64 (f64.sqrt (f64.div (local.get 0) (local.get 1)))))
  (func (export "sign32") (param f32 f32) (result f32) (f32.copysign (f32.const 1) (f32.div (local.get 0) (local.get 1))))
  (func (export "reshaped") (result i64)
    (i64x2.extract_lane 0 (f64x2.add (v128.const f64x2 0 0) (f32x4.add (global.get $lanes) (v128.const f32x4 1 0 0 0)))))
  (func (export "lanes32") (result i64)
    (i64x2.extract_lane 0 (f32x4.add (v128.const f32x4 -nan:0x1 1 0 0) (v128.const f32x4 1 2 0 0))))
  (func (export "lanes64") (result i64)
    (i64x2.extract_lane 1 (f64x2.div (v128.const f64x2 1 0) (v128.const f64x2 2 0)))))`;

test('float arithmetic that produces a NaN yields the canonical NaN, whatever its operands carried', async () => {
  const { exports } = instantiate(await canister(FLOATS));
  const u32 = (value: number) => value >>> 0;
  assert.equal(u32(exports.div32(0, 0)), F32_CANONICAL);
  assert.equal(u32(exports.sqrt32(-1)), F32_CANONICAL);
  assert.equal(u32(exports.add32()), F32_CANONICAL);
  assert.equal(u32(exports.min32()), F32_CANONICAL);
  assert.equal(u32(exports.nearest32()), F32_CANONICAL);
  assert.equal(u32(exports.demote()), F32_CANONICAL);
  assert.equal(BigInt.asUintN(64, exports.mul64()), F64_CANONICAL);
  assert.equal(BigInt.asUintN(64, exports.sub64(Infinity, Infinity)), F64_CANONICAL);
  assert.equal(BigInt.asUintN(64, exports.promote()), F64_CANONICAL);
});

test('a NaN passed straight into another float operation still ends canonical, and its sign is the canonical one', async () => {
  const { exports } = instantiate(await canister(FLOATS));
  assert.equal(BigInt.asUintN(64, exports.chain64(0, 0)), F64_CANONICAL);
  assert.equal(exports.sign32(0, 0), 1); // the CPU's 0/0 is negative on x86; the canonical NaN is positive
});

test('SIMD float arithmetic canonicalizes NaN lanes and leaves the other lanes alone', async () => {
  const { exports } = instantiate(await canister(FLOATS));
  const lanes = BigInt.asUintN(64, exports.lanes32());
  assert.equal(Number(lanes & 0xffffffffn), F32_CANONICAL);
  assert.equal(Number(lanes >> 32n), 0x40400000); // 1 + 2 = 3
  assert.equal(BigInt.asUintN(64, exports.lanes64()), F64_CANONICAL); // 0 / 0
  // f64x2.add reads the f32x4 result's lanes 0 and 1 as one (non-NaN) f64: lane 0 must be canonical before.
  assert.equal(BigInt.asUintN(64, exports.reshaped()), 0x3f8000007fc00000n);
});

test('sign operations, reinterpretation and ordinary results keep their bits', async () => {
  const { exports } = instantiate(await canister(FLOATS));
  assert.equal(exports.neg32() >>> 0, 0x7fa00001); // neg flips the sign of the payload NaN
  assert.equal(BigInt.asUintN(64, exports.copy64()), 0xfff4000000000001n);
  assert.equal(exports.plain64(), 3.75);
});

test('a canister that computes 0/0 stores the canonical NaN bit pattern in its memory', async () => {
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  const source = `(module
    (import "ic0" "msg_reply" (func $reply))
    (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
    (memory 1)
    (global $zero (mut f64) (f64.const 0))
    (func (export "canister_update compute")
      (f32.store (i32.const 0) (f32.div (f32.demote_f64 (global.get $zero)) (f32.demote_f64 (global.get $zero))))
      (f64.store (i32.const 8) (f64.div (global.get $zero) (global.get $zero)))
      (call $reply))
    (func (export "canister_query read") (call $append (i32.const 0) (i32.const 16)) (call $reply)))`;
  await ic.installCode({ canisterId, wasm: await wat(source) });
  await ic.updateCall({ canisterId, method: 'compute' });
  const stored = await ic.queryCall({ canisterId, method: 'read' });
  const view = new DataView(stored.buffer, stored.byteOffset);
  assert.equal(view.getUint32(0, true), F32_CANONICAL);
  assert.equal(view.getBigUint64(8, true), F64_CANONICAL);
  await ic.close();
});
