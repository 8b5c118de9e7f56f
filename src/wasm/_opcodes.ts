// Opcode tables for walking function bodies: how to skip each instruction's immediates
// (KIND), what it costs (COST, the metering model) and how it counts toward the
// replica's function-complexity limit (CPLX). Typed arrays indexed by the opcode byte
// keep the per-instruction work to three loads. Prefixed opcodes (0xFC, 0xFD, 0xFE)
// are decoded by the rewriter with the helpers at the end of this file.
//
// Cost model: the replica's `instruction_to_cost` (rs/embedders instrumentation.rs):
// block/loop/else/end 0; constants, locals, integer arithmetic and comparisons,
// loads, stores, select, drop, nop 1; if/br/br_if/br_table 2; global.get/set 2;
// integer div/rem 10; float add/sub/mul/rounding 2, div 3 (f32) / 5 (f64), sqrt 5/8,
// min/max 18, comparisons 3; int->float convert 3 (signed) / 16 (unsigned); trunc and
// trunc_sat 20; call/return_call 5; call_indirect/call_ref 10; memory.size 20;
// memory.grow 300; memory.fill/copy/init 100 (plus per byte, charged by the host in
// mark_range); data.drop/elem.drop 300; table.get/set 5; table.size 100; ref.is_null 5;
// ref.func 130. SIMD and atomics cost 1 (the replica's SIMD table ranges 1-14).
import type { Reader } from './_reader.ts';

export const K = {
  NONE: 0,
  U32: 1,
  U32X2: 2,
  BLOCK: 3,
  LOOP: 4,
  IF: 5,
  ELSE: 6,
  END: 7,
  BR_TABLE: 12,
  CALL: 13,
  REF_FUNC: 15,
  LOAD: 16,
  STORE: 17,
  MEMORY_SIZE: 18,
  MEMORY_GROW: 19,
  CONST_LEB: 20,
  F32: 21,
  F64: 22,
  SELECT_T: 23,
  REF_NULL: 24,
  TRY_TABLE: 25,
  CATCH: 26,
  CATCH_ALL: 27,
  DELEGATE: 28,
  TABLE_SET: 29,
  PREFIX_FC: 30,
  PREFIX_FD: 31,
  PREFIX_FE: 32,
  NAN_F32: 33,
  NAN_F64: 34,
  CALL_INDIRECT: 35,
  CALL_REF: 36,
  INVALID: 255,
} as const;

export const KIND = new Uint8Array(256).fill(K.INVALID);
export const COST = new Uint16Array(256);
export const CPLX = new Uint8Array(256);
/**
 * 1 for instructions that cannot trap, call, branch, or touch memory, tables or globals' values
 * (global.get only reads): locals, constants, drop, select and the numeric instructions but integer
 * division and trapping truncation. A metering charge can move past them unobserved.
 */
export const PURE = new Uint8Array(256);
/** For stores (0x36-0x3E): bytes written and the value operand's type byte. */
export const STORE_SIZE = new Uint8Array(256);
export const STORE_TYPE = new Uint8Array(256);

function def(ops: number | readonly [number, number], kind: number, cost: number, cplx: number): void {
  const [from, to] = typeof ops === 'number' ? [ops, ops] : ops;
  for (let op = from; op <= to; op++) {
    KIND[op] = kind;
    COST[op] = cost;
    CPLX[op] = cplx;
  }
}

// Control (complexity weights from the replica's `wasm_function_complexity`).
def(0x00, K.NONE, 1, 1); // unreachable
def(0x01, K.NONE, 1, 1); // nop
def(0x02, K.BLOCK, 0, 50);
def(0x03, K.LOOP, 0, 50);
def(0x04, K.IF, 2, 50);
def(0x05, K.ELSE, 0, 1);
def(0x06, K.BLOCK, 0, 1); // try (legacy exception handling)
def(0x07, K.CATCH, 0, 1);
def(0x08, K.U32, 1, 1); // throw
def(0x09, K.U32, 1, 1); // rethrow
def(0x0a, K.NONE, 1, 1); // throw_ref
def(0x0b, K.END, 0, 1);
def(0x0c, K.U32, 2, 50); // br
def(0x0d, K.U32, 2, 50); // br_if
def(0x0e, K.BR_TABLE, 2, 50);
def(0x0f, K.NONE, 1, 1); // return
def(0x10, K.CALL, 5, 50);
def(0x11, K.CALL_INDIRECT, 10, 50);
def(0x12, K.CALL, 5, 1); // return_call
def(0x13, K.U32X2, 10, 1); // return_call_indirect
def(0x14, K.CALL_REF, 10, 1);
def(0x15, K.U32, 10, 1); // return_call_ref
def(0x18, K.DELEGATE, 0, 1);
def(0x19, K.CATCH_ALL, 0, 1);
def(0x1a, K.NONE, 1, 1); // drop
def(0x1b, K.NONE, 1, 2); // select
def(0x1c, K.SELECT_T, 1, 2);
def(0x1f, K.TRY_TABLE, 0, 1);
// Variables and tables.
def([0x20, 0x22], K.U32, 1, 1); // local.get/set/tee
def(0x23, K.U32, 2, 2); // global.get
def(0x24, K.U32, 2, 1); // global.set
def(0x25, K.U32, 5, 14); // table.get
def(0x26, K.TABLE_SET, 5, 1); // table.set: refused by the replica
// Memory.
def([0x28, 0x35], K.LOAD, 1, 3);
def([0x36, 0x3e], K.STORE, 1, 2);
def(0x3f, K.MEMORY_SIZE, 20, 2);
def(0x40, K.MEMORY_GROW, 300, 50);
// Constants.
def([0x41, 0x42], K.CONST_LEB, 1, 1);
def(0x43, K.F32, 1, 1);
def(0x44, K.F64, 1, 1);
// Numeric: comparisons, then arithmetic.
def([0x45, 0x5a], K.NONE, 1, 2); // i32/i64 eqz..ge_u
def([0x5b, 0x66], K.NONE, 3, 2); // f32/f64 comparisons
CPLX[0x61] = 3; // f64.eq
def([0x67, 0x68], K.NONE, 1, 1); // i32.clz, ctz
def(0x69, K.NONE, 1, 2); // i32.popcnt
def([0x6a, 0x78], K.NONE, 1, 1); // i32 add..rotr
def([0x6d, 0x70], K.NONE, 10, 3); // i32 div/rem
def([0x79, 0x7a], K.NONE, 1, 1); // i64.clz, ctz
def(0x7b, K.NONE, 1, 2); // i64.popcnt
def([0x7c, 0x8a], K.NONE, 1, 1); // i64 add..rotr
def([0x7f, 0x82], K.NONE, 10, 3); // i64 div/rem
for (const base of [0x8b, 0x99]) {
  def([base, base + 1], K.NONE, 1, 4); // abs, neg
  def([base + 2, base + 4], K.NONE, 2, 2); // ceil, floor, trunc
  def(base + 5, K.NONE, 2, 1); // nearest
  def([base + 7, base + 9], K.NONE, 2, 1); // add, sub, mul
  def([base + 11, base + 12], K.NONE, 18, 1); // min, max
}
def(0x91, K.NONE, 5, 2); // f32.sqrt
def(0x95, K.NONE, 3, 1); // f32.div
def(0x98, K.NONE, 2, 3); // f32.copysign
def(0x9f, K.NONE, 8, 2); // f64.sqrt
def(0xa3, K.NONE, 5, 1); // f64.div
def(0xa6, K.NONE, 3, 3); // f64.copysign
// Conversions.
def(0xa7, K.NONE, 1, 2); // i32.wrap_i64
def([0xa8, 0xab], K.NONE, 20, 5); // i32.trunc_f*
def([0xac, 0xad], K.NONE, 1, 5); // i64.extend_i32_*
def([0xae, 0xb1], K.NONE, 20, 5); // i64.trunc_f*
def([0xb2, 0xba], K.NONE, 3, 5); // f32/f64.convert_*, f32.demote
for (const op of [0xb3, 0xb5, 0xb8, 0xba]) COST[op] = 16; // convert from unsigned
COST[0xb6] = 1; // f32.demote_f64
def(0xbb, K.NONE, 1, 2); // f64.promote_f32
def([0xbc, 0xbf], K.NONE, 1, 2); // reinterpret
def([0xc0, 0xc4], K.NONE, 1, 2); // sign extension
// Float arithmetic whose NaN results the rewriter canonicalizes (the replica's Cranelift does so for
// rounding, sqrt, add, sub, mul, div, min, max, demote and promote; abs, neg and copysign only move the sign).
for (let op = 0x8d; op <= 0x97; op++) KIND[op] = K.NAN_F32;
for (let op = 0x9b; op <= 0xa5; op++) KIND[op] = K.NAN_F64;
KIND[0xb6] = K.NAN_F32; // f32.demote_f64
KIND[0xbb] = K.NAN_F64; // f64.promote_f32
// References and typed function references.
def(0xd0, K.REF_NULL, 1, 1);
def(0xd1, K.NONE, 5, 6); // ref.is_null
def(0xd2, K.REF_FUNC, 130, 8);
def([0xd3, 0xd4], K.NONE, 1, 1); // ref.eq, ref.as_non_null
def([0xd5, 0xd6], K.U32, 2, 1); // br_on_null, br_on_non_null
// Prefixes; their cost is added by the prefix handlers.
def(0xfc, K.PREFIX_FC, 0, 0);
def(0xfd, K.PREFIX_FD, 0, 0);
def(0xfe, K.PREFIX_FE, 0, 0);

for (const op of [0x01, 0x1a, 0x1b, 0x1c, 0x20, 0x21, 0x22, 0x23]) PURE[op] = 1; // nop, drop, select, locals, global.get
PURE.fill(1, 0x41, 0xc5); // constants, comparisons, arithmetic, conversions, sign extension
PURE.fill(0, 0x6d, 0x71); // i32 div/rem
PURE.fill(0, 0x7f, 0x83); // i64 div/rem
PURE.fill(0, 0xa8, 0xac); // i32.trunc_f*
PURE.fill(0, 0xae, 0xb2); // i64.trunc_f*

/**
 * 1 for instructions that cannot trap, call the host or touch memory or tables: the pure ones, control
 * flow but `unreachable`, and globals. Direct calls are quiet when their callee is (see _call_folding.ts).
 */
export const QUIET = PURE.slice();
for (const op of [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x12, 0x24]) QUIET[op] = 1; // block..return, call, return_call, global.set

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;
export const V128 = 0x7b;

const stores: [number, number, number][] = [
  [0x36, 4, I32], [0x37, 8, I64], [0x38, 4, F32], [0x39, 8, F64],
  [0x3a, 1, I32], [0x3b, 2, I32], [0x3c, 1, I64], [0x3d, 2, I64], [0x3e, 4, I64],
];
for (const [op, size, type] of stores) {
  STORE_SIZE[op] = size;
  STORE_TYPE[op] = type;
}

// 0xFE atomics that write memory come in families of seven with the same layout as
// the i32/i64 narrow stores: [i32, i64, i32 8-bit, i32 16-bit, i64 8, i64 16, i64 32].
const ATOMIC_SIZE = [4, 8, 1, 2, 1, 2, 4];
const ATOMIC_TYPE = [I32, I64, I32, I32, I64, I64, I64];

/** For a writing 0xFE sub-opcode: [bytes, value type, operands after the address], else undefined. */
export function atomicWrite(sub: number): readonly [number, number, 1 | 2] | undefined {
  if (sub >= 0x17 && sub <= 0x47) {
    const v = (sub - 0x17) % 7;
    return [ATOMIC_SIZE[v]!, ATOMIC_TYPE[v]!, 1]; // store, rmw.*
  }
  if (sub >= 0x48 && sub <= 0x4e) return [ATOMIC_SIZE[sub - 0x48]!, ATOMIC_TYPE[sub - 0x48]!, 2]; // cmpxchg
  return undefined;
}

/** SIMD float arithmetic (0xFD sub-opcodes) whose NaN lanes are canonicalized: f32x4 results. */
export const SIMD_NAN_F32X4: ReadonlySet<number> = new Set([0x5e, 0x67, 0x68, 0x69, 0x6a, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9]);
/** The same for f64x2 results. */
export const SIMD_NAN_F64X2: ReadonlySet<number> = new Set([0x5f, 0x74, 0x75, 0x7a, 0x94, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5]);

/** The canonicalizing SIMD operations by the lane shape they read: demote reads f64x2, promote f32x4. */
export const SIMD_NAN_INPUT: { readonly f32x4: ReadonlySet<number>; readonly f64x2: ReadonlySet<number> } = {
  f32x4: new Set([...SIMD_NAN_F32X4].filter((sub) => sub !== 0x5e).concat(0x5f)),
  f64x2: new Set([...SIMD_NAN_F64X2].filter((sub) => sub !== 0x5f).concat(0x5e)),
};

/** Bytes written by a 0xFD store sub-opcode, or 0 for non-stores. */
export function simdStoreSize(sub: number): number {
  if (sub === 0x0b) return 16; // v128.store
  if (sub >= 0x58 && sub <= 0x5b) return 1 << (sub - 0x58); // v128.storeN_lane
  return 0;
}

/**
 * Whether the instruction at the reader's position canonicalizes NaNs and reads the result just computed
 * with the same lane shape (an f64x2 operation would see the bits of two f32x4 lanes as one f64, which
 * need not be a NaN). Leaves the position unchanged.
 */
export function canonicalizesNext(r: Reader, shape: 'f32' | 'f64' | 'f32x4' | 'f64x2'): boolean {
  const op = r.buf[r.pos];
  if (op === undefined) return false;
  const kind = KIND[op];
  if (shape === 'f32' || shape === 'f64') return kind === K.NAN_F32 || kind === K.NAN_F64; // validation fixes the operand type
  if (kind !== K.PREFIX_FD) return false;
  const at = r.pos;
  r.pos++;
  const sub = r.u32();
  r.pos = at;
  return SIMD_NAN_INPUT[shape].has(sub);
}
