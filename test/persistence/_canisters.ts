// The WAT canister of the persistence tests ("pager"): each method touches a known set of heap and
// stable-memory pages, so tests can predict what a round must write to disk. Arguments and replies
// are raw little-endian u32s, not Candid.
import { wat } from '../support/build.ts';

export const PAGER_WAT = `
(module
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "stable64_grow" (func $sgrow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $swrite (param i64 i64 i64)))
  (memory 1)
  (global $count (mut i32) (i32.const 0))
  (func $arg (result i32)
    (call $arg_copy (i32.const 8) (i32.const 0) (i32.const 4))
    (i32.load (i32.const 8)))
  (func $reply_i32 (param $v i32)
    (i32.store (i32.const 16) (local.get $v))
    (call $append (i32.const 16) (i32.const 4))
    (call $reply))
  (func $scribble (local $p i32)
    (local.set $p (i32.const 1))
    (loop $next
      (i32.store8 (i32.add (i32.mul (local.get $p) (i32.const 4096)) (i32.const 1)) (i32.const 171))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $next (i32.le_u (local.get $p) (i32.const 100)))))
  ;; 9 wasm pages (144 pages of 4 KiB), 4 of stable memory
  (func (export "canister_init")
    (drop (memory.grow (i32.const 8)))
    (drop (call $sgrow (i64.const 4))))
  ;; step(i): heap page 0 and page 1 + i % 40, a global, stable page i % 50; grows the heap every 10th step
  (func (export "canister_update step") (local $i i32)
    (local.set $i (call $arg))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 0) (local.get $i))
    (i32.store
      (i32.add
        (i32.mul (i32.add (i32.const 1) (i32.rem_u (local.get $i) (i32.const 40))) (i32.const 4096))
        (i32.mul (i32.rem_u (local.get $i) (i32.const 1000)) (i32.const 4)))
      (local.get $i))
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 10)))
      (then (drop (memory.grow (i32.const 1)))))
    (i64.store (i32.const 24) (i64.extend_i32_u (local.get $i)))
    (call $swrite
      (i64.add
        (i64.mul (i64.extend_i32_u (i32.rem_u (local.get $i) (i32.const 50))) (i64.const 4096))
        (i64.mul (i64.extend_i32_u (i32.rem_u (local.get $i) (i32.const 100))) (i64.const 8)))
      (i64.const 24) (i64.const 8))
    (call $reply_i32 (local.get $i)))
  ;; last step and step count
  (func (export "canister_query get")
    (i32.store (i32.const 16) (i32.load (i32.const 0)))
    (i32.store (i32.const 20) (global.get $count))
    (call $append (i32.const 16) (i32.const 8))
    (call $reply))
  ;; touch(p): one byte of heap page p (and page 0, where arguments and replies are staged)
  (func (export "canister_update touch") (local $p i32)
    (local.set $p (call $arg))
    (i32.store8 (i32.mul (local.get $p) (i32.const 4096)) (i32.add (i32.load8_u (i32.mul (local.get $p) (i32.const 4096))) (i32.const 1)))
    (call $reply_i32 (local.get $p)))
  ;; peek(p): the byte touch(p) increments
  (func (export "canister_query peek")
    (call $reply_i32 (i32.load8_u (i32.mul (call $arg) (i32.const 4096)))))
  ;; fill(v): every byte of the heap (for benchmarks of a full heap)
  (func (export "canister_update fill") (local $v i32)
    (local.set $v (call $arg))
    (memory.fill (i32.const 0) (local.get $v) (i32.mul (memory.size) (i32.const 65536)))
    (call $reply_i32 (local.get $v)))
  (func (export "canister_update grow")
    (call $reply_i32 (memory.grow (call $arg))))
  ;; writes 100 heap pages, then traps: nothing of it may persist
  (func (export "canister_update scribble_trap")
    (call $scribble)
    (unreachable))
  ;; writes 100 heap pages in a query: nothing of it may persist
  (func (export "canister_query scribble_query")
    (call $scribble)
    (call $reply_i32 (i32.const 0)))
)`;

export function pagerWasm(): Promise<Uint8Array> {
  return wat(PAGER_WAT);
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

export function readU32(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** Fixed inputs, so that a replay in memory reaches the same state hash as the durable run. */
export const SEED = new Uint8Array(32).fill(7);
export const START = 1_750_000_000_000_000_000n;
/** Heap size after canister_init, in 64 KiB pages. */
export const INITIAL_WASM_PAGES = 9;
