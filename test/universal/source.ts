/**
 * WAT source generator of Capsule's universal test canister, for either pointer width.
 *
 * The canister interprets its argument as a byte-coded program for a small typed stack machine
 * (see ops.ts and README.md). One generator produces both builds:
 *  - width 32: 32-bit memory, `I = i32`, imports the legacy 32-bit functions too;
 *  - width 64: 64-bit memory (memory64), `I = i64`, no legacy functions.
 *
 * Memory layout (addresses are the same in both builds):
 *  - [0, 256): scratch for System API outputs (128-bit cycle amounts);
 *  - [256, ...): static data (messages, Candid prefix, base32 alphabet, default inspect program),
 *    then the interpreter value stack, then the table of stored programs;
 *  - [HEAP_BASE, heap_top): a first-fit free-list heap (`$malloc`/`$free`). Persistent objects
 *    (the global blob, stored programs, callback programs) live here. Each message also gets a
 *    bump arena made of heap chunks that are all freed when the message returns normally (a trap
 *    rolls the whole state back anyway). Every blob on the value stack lives in the arena or in
 *    the program being run, so persistent objects may be replaced while the stack refers to copies.
 */

import { OP_TABLE, ONE_WAY_ENV, type OpInfo } from './ops.ts';

export type Width = 32 | 64;

/** One ic0 import: parameter and result types, with `I` for the pointer-width type. */
type Sig = { readonly params: readonly string[]; readonly results: readonly string[] };

const sig = (params: string, results = ''): Sig => ({
  params: params ? params.split(',') : [],
  results: results ? [results] : [],
});

/** ic0 imports of the canister (interface spec, section 'Overview of imports', plus replica extras). `legacy` = only in the wasm32 build. */
const IC0_IMPORTS: ReadonlyArray<readonly [string, Sig, boolean?]> = [
  ['msg_arg_data_size', sig('', 'I')],
  ['msg_arg_data_copy', sig('I,I,I')],
  ['msg_caller_size', sig('', 'I')],
  ['msg_caller_copy', sig('I,I,I')],
  ['msg_caller_info_data_size', sig('', 'I')],
  ['msg_caller_info_data_copy', sig('I,I,I')],
  ['msg_caller_info_signer_size', sig('', 'I')],
  ['msg_caller_info_signer_copy', sig('I,I,I')],
  ['msg_reject_code', sig('', 'i32')],
  ['msg_reject_msg_size', sig('', 'I')],
  ['msg_reject_msg_copy', sig('I,I,I')],
  ['msg_deadline', sig('', 'i64')],
  ['msg_method_name_size', sig('', 'I')],
  ['msg_method_name_copy', sig('I,I,I')],
  ['accept_message', sig('')],
  ['msg_reply_data_append', sig('I,I')],
  ['msg_reply', sig('')],
  ['msg_reject', sig('I,I')],
  ['msg_cycles_available128', sig('I')],
  ['msg_cycles_refunded128', sig('I')],
  ['msg_cycles_accept128', sig('i64,i64,I')],
  ['cycles_burn128', sig('i64,i64,I')],
  ['canister_cycle_balance128', sig('I')],
  ['canister_liquid_cycle_balance128', sig('I')],
  ['call_cycles_add128', sig('i64,i64')],
  ['canister_self_size', sig('', 'I')],
  ['canister_self_copy', sig('I,I,I')],
  ['subnet_self_size', sig('', 'I')],
  ['subnet_self_copy', sig('I,I,I')],
  ['canister_status', sig('', 'i32')],
  ['canister_version', sig('', 'i64')],
  ['call_new', sig('I,I,I,I,I,I,I,I')],
  ['call_on_cleanup', sig('I,I')],
  ['call_data_append', sig('I,I')],
  ['call_with_best_effort_response', sig('i32')],
  ['call_perform', sig('', 'i32')],
  ['stable64_size', sig('', 'i64')],
  ['stable64_grow', sig('i64', 'i64')],
  ['stable64_write', sig('i64,i64,i64')],
  ['stable64_read', sig('i64,i64,i64')],
  ['root_key_size', sig('', 'I')],
  ['root_key_copy', sig('I,I,I')],
  ['certified_data_set', sig('I,I')],
  ['data_certificate_present', sig('', 'i32')],
  ['data_certificate_size', sig('', 'I')],
  ['data_certificate_copy', sig('I,I,I')],
  ['time', sig('', 'i64')],
  ['global_timer_set', sig('i64', 'i64')],
  ['performance_counter', sig('i32', 'i64')],
  ['is_controller', sig('I,I', 'i32')],
  ['in_replicated_execution', sig('', 'i32')],
  ['debug_print', sig('I,I')],
  ['trap', sig('I,I')],
  ['cost_call', sig('i64,i64,I')],
  ['cost_create_canister', sig('I')],
  ['cost_http_request', sig('i64,i64,I')],
  ['cost_sign_with_ecdsa', sig('I,I,i32,I', 'i32')],
  ['cost_sign_with_schnorr', sig('I,I,i32,I', 'i32')],
  ['cost_vetkd_derive_key', sig('I,I,i32,I', 'i32')],
  ['env_var_count', sig('', 'I')],
  ['env_var_name_size', sig('I', 'I')],
  ['env_var_name_copy', sig('I,I,I,I')],
  ['env_var_name_exists', sig('I,I', 'i32')],
  ['env_var_value_size', sig('I,I', 'I')],
  ['env_var_value_copy', sig('I,I,I,I,I')],
  // Replica extras (provided by the DFINITY replica beyond the spec).
  ['mint_cycles128', sig('i64,i64,I')],
  ['cost_http_request_v2', sig('I,I,I')],
  // Legacy, only when I = i32 (interface spec, section 'Overview of imports').
  ['msg_cycles_available', sig('', 'i64'), true],
  ['msg_cycles_refunded', sig('', 'i64'), true],
  ['msg_cycles_accept', sig('i64', 'i64'), true],
  ['canister_cycle_balance', sig('', 'i64'), true],
  ['call_cycles_add', sig('i64'), true],
  ['stable_size', sig('', 'i32'), true],
  ['stable_grow', sig('i32', 'i32'), true],
  ['stable_write', sig('i32,i32,i32'), true],
  ['stable_read', sig('i32,i32,i32'), true],
];

/** Names of the ic0 functions imported by the build of the given width. */
export function importedIc0Names(width: Width): string[] {
  return IC0_IMPORTS.filter(([, , legacy]) => width === 32 || !legacy).map(([n]) => n);
}

// ---------------------------------------------------------------------------------------------
// Static layout

const SCRATCH = 0; // 256 bytes
const DATA_BASE = 256;
const STACK_ENTRY = 24; // tag:i32 (+pad) | value:i64 | len:i64
const STACK_MAX = 1024;
const SLOT_SIZE = 16; // ptr:i64 | len:i64
/** Stored-program slots. */
const SLOT = {
  global: 0,
  preUpgrade: 1,
  heartbeat: 2,
  globalTimer: 3,
  inspect: 4,
  transform: 5,
  lowMemory: 6,
} as const;
const SLOT_COUNT = 8;
const HEAP_BASE = 0x10000;
const CB_ENTRY = 32; // ptr:i64 | len:i64 | live:i32 | group_start:i32 | group_end:i32 | pad
const ARENA_CHUNK = 0x10000;

/** Field hashes of Candid (`idl_hash`). */
function idlHash(name: string): number {
  let h = 0;
  for (const b of new TextEncoder().encode(name)) h = (h * 223 + b) >>> 0;
  return h;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/**
 * Candid encoding of `record { status: nat; headers: vec record { name: text; value: text };
 * body: blob }` up to (excluding) the body, with status 200 and no headers. Values are in
 * field-hash order: status < body < headers, so the encoding is prefix ++ leb(len) ++ body ++ [0].
 */
function httpReplyPrefix(): number[] {
  const byHash = (a: string, b: string): number => idlHash(a) - idlHash(b);
  const fieldType: Record<string, number> = { status: 0x7d, body: 1, headers: 2 };
  const fields = Object.keys(fieldType).sort(byHash);
  if (fields.join() !== 'status,body,headers') throw new Error('unexpected HttpRequestResult field order');
  const bytes = [0x44, 0x49, 0x44, 0x4c, 4]; // "DIDL", 4 types
  bytes.push(0x6c, 3); // 0: record
  for (const f of fields) bytes.push(...leb(idlHash(f)), fieldType[f]!);
  bytes.push(0x6d, 0x7b); // 1: vec nat8
  bytes.push(0x6d, 3); // 2: vec 3
  bytes.push(0x6c, 2); // 3: record { name: text; value: text }
  for (const f of ['name', 'value'].sort(byHash)) bytes.push(...leb(idlHash(f)), 0x71);
  bytes.push(1, 0); // one argument of type 0
  bytes.push(0xc8, 0x01); // status = 200
  return bytes;
}

// `$transform_context` relies on `context` preceding `response` in TransformArgs (hash order).
if (!(idlHash('context') < idlHash('response'))) throw new Error('unexpected TransformArgs field order');

class DataPool {
  readonly bytes: number[] = [];
  readonly #strings = new Map<string, { off: number; len: number }>();
  add(data: readonly number[], align = 1): number {
    while ((DATA_BASE + this.bytes.length) % align !== 0) this.bytes.push(0);
    const off = DATA_BASE + this.bytes.length;
    this.bytes.push(...data);
    return off;
  }
  str(s: string): { off: number; len: number } {
    let r = this.#strings.get(s);
    if (!r) {
      const data = [...new TextEncoder().encode(s)];
      r = { off: this.add(data), len: data.length };
      this.#strings.set(s, r);
    }
    return r;
  }
  get end(): number {
    return DATA_BASE + this.bytes.length;
  }
}

function watString(bytes: readonly number[]): string {
  return '"' + bytes.map((b) => '\\' + b.toString(16).padStart(2, '0')).join('') + '"';
}

/** Generates the WAT text of the universal canister for a pointer width. */
export function universalCanisterWat(width: Width): string {
  const P = width === 32 ? 'i32' : 'i64';
  const is64 = width === 64;
  /** P constant. */
  const c = (n: number | bigint | string): string => `(${P}.const ${n})`;
  /** i32 expression -> P. */
  const ext = (e: string): string => (is64 ? `(i64.extend_i32_u ${e})` : e);
  /** P expression -> i32. */
  const wrap = (e: string): string => (is64 ? `(i32.wrap_i64 ${e})` : e);
  /** P expression -> i64. */
  const toI64 = (e: string): string => (is64 ? e : `(i64.extend_i32_u ${e})`);
  /** i64 expression -> P. */
  const fromI64 = (e: string): string => (is64 ? e : `(i32.wrap_i64 ${e})`);
  /** Load / store a P-sized value kept in an 8-byte field (little-endian, so 32-bit loads work). */
  const load = (addr: string, offset = 0): string => `(${P}.load offset=${offset} ${addr})`;
  const store = (addr: string, v: string, offset = 0): string => `(i64.store offset=${offset} ${addr} ${toI64(v)})`;

  const pool = new DataPool();
  const trapStr = (msg: string): string => {
    const s = pool.str(msg);
    return `(call $ic0_trap ${c(s.off)} ${c(s.len)}) (unreachable)`;
  };
  const alphabet = pool.add([...new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz234567')]);
  const httpPrefix = httpReplyPrefix();
  const httpPrefixOff = pool.add(httpPrefix);
  const defaultInspect = pool.add([41]);

  // -- imports
  const imports = IC0_IMPORTS.filter(([, , legacy]) => !is64 || !legacy)
    .map(([name, s]) => {
      const params = s.params.map((t) => (t === 'I' ? P : t));
      const results = s.results.map((t) => (t === 'I' ? P : t));
      const ps = params.length ? ` (param ${params.join(' ')})` : '';
      const rs = results.length ? ` (result ${results.join(' ')})` : '';
      return `  (import "ic0" "${name}" (func $ic0_${name}${ps}${rs}))`;
    })
    .join('\n');

  // -- op bodies. Locals of $eval: $i $j $k (i32), $x $y $z (i64), $p $n $q $m $r $s $t $u (P).
  const popBlob = (p: string, n: string): string => `(local.set $${p} (call $pop_blob)) (local.set $${n} (global.get $len))`;
  const popI32P = (v: string): string => `(local.set $${v} ${ext('(call $pop_i32)')})`;
  /** Push the whole value of a `<name>_size` / `<name>_copy` pair. */
  const whole = (fn: string): string => `
        (local.set $n (call $ic0_${fn}_size))
        (local.set $p (call $alloc (local.get $n)))
        (call $ic0_${fn}_copy (local.get $p) ${c(0)} (local.get $n))
        (call $push_blob (local.get $p) (local.get $n))`;
  const size = (fn: string): string => `(call $push_i32 ${wrap(`(call $ic0_${fn}_size)`)})`;
  /** offset:i32 size:i32 -> blob via `<name>_copy`. */
  const copy = (fn: string): string => `
        ${popI32P('n')} ${popI32P('q')}
        (local.set $p (call $alloc (local.get $n)))
        (call $ic0_${fn}_copy (local.get $p) (local.get $q) (local.get $n))
        (call $push_blob (local.get $p) (local.get $n))`;
  const scratch128 = (callExpr: string): string => `${callExpr} (call $push_scratch16)`;
  const hiLo = `(local.set $y (call $pop_i64)) (local.set $x (call $pop_i64))`; // x = high, y = low
  const setSlot = (slot: number): string => `${popBlob('p', 'n')} (call $slot_set (i32.const ${slot}) (local.get $p) (local.get $n))`;
  const costSign = (fn: string, trapOnError: boolean): string => `
        (local.set $i (call $pop_i32)) ${popBlob('p', 'n')}
        (local.set $j (call $ic0_${fn} (local.get $p) (local.get $n) (local.get $i) ${c(SCRATCH)}))
        ${trapOnError ? `(if (local.get $j) (then ${trapStr(`${fn} failed`)}))` : ''}
        (call $push_scratch16)
        ${trapOnError ? '' : '(call $push_i32 (local.get $j))'}`;
  const stableFill = (legacy: boolean): string =>
    legacy
      ? `
        ${popI32P('n')} (local.set $i (call $pop_i32)) (local.set $k (call $pop_i32))
        (local.set $p (call $alloc (local.get $n)))
        (memory.fill (local.get $p) (local.get $i) (local.get $n))
        (call $ic0_stable_write (local.get $k) (local.get $p) (local.get $n))`
      : `
        (local.set $z (call $pop_i64)) (local.set $y (call $pop_i64)) (local.set $x (call $pop_i64))
        (local.set $p (call $alloc ${fromI64('(local.get $z)')}))
        (memory.fill (local.get $p) (i32.wrap_i64 (local.get $y)) ${fromI64('(local.get $z)')})
        (call $ic0_stable64_write (local.get $x) ${toI64('(local.get $p)')} (local.get $z))`;
  const same = '(call $blob_eq (local.get $p) (local.get $n) (local.get $q) (local.get $m))';
  const trapIf = (eq: boolean): string => `
        ${popBlob('r', 's')} ${popBlob('q', 'm')} ${popBlob('p', 'n')}
        (if ${eq ? same : `(i32.eqz ${same})`}
          (then (call $ic0_trap (local.get $r) (local.get $s)) (unreachable)))`;
  const callPerform = (trapOnError: boolean): string => `
        (local.set $i (call $ic0_call_perform))
        (if (local.get $i) (then (call $grp_discard)) (else (call $grp_commit)))
        ${trapOnError ? `(if (local.get $i) (then ${trapStr('call_perform failed')}))` : '(call $push_i32 (local.get $i))'}`;

  const bodies: Record<string, string> = {
    Noop: '',
    Drop: `(if (global.get $sp) (then (global.set $sp (i32.sub (global.get $sp) (i32.const 1)))))`,
    PushInt: `(call $push_i32 (call $read_u32))`,
    PushBytes: `
        (local.set $n ${ext('(call $read_u32)')})
        (call $need (local.get $n))
        (call $push_blob (global.get $pc) (local.get $n))
        (global.set $pc (${P}.add (global.get $pc) (local.get $n)))`,
    ReplyDataAppend: `${popBlob('p', 'n')} (call $ic0_msg_reply_data_append (local.get $p) (local.get $n))`,
    Reply: `(call $ic0_msg_reply)`,
    Self: whole('canister_self'),
    Reject: `${popBlob('p', 'n')} (call $ic0_msg_reject (local.get $p) (local.get $n))`,
    Caller: whole('msg_caller'),
    InstructionCounterIsAtLeast: `
        (local.set $x (call $pop_i64))
        (block $done (loop $spin
          (br_if $done (i64.ge_u (call $ic0_performance_counter (i32.const 0)) (local.get $x)))
          (local.set $i (i32.const 0))
          (loop $work
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $work (i32.lt_u (local.get $i) (i32.const 1000))))
          (br $spin)))`,
    RejectMessage: whole('msg_reject_msg'),
    RejectCode: `(call $push_i32 (call $ic0_msg_reject_code))`,
    IntToBlob: `
        (local.set $i (call $pop_i32))
        (local.set $p (call $alloc ${c(4)}))
        (i32.store (local.get $p) (local.get $i))
        (call $push_blob (local.get $p) ${c(4)})`,
    MessagePayload: whole('msg_arg_data'),
    Concat: `
        ${popBlob('q', 'm')} ${popBlob('p', 'n')}
        (local.set $r (call $alloc (${P}.add (local.get $n) (local.get $m))))
        (memory.copy (local.get $r) (local.get $p) (local.get $n))
        (memory.copy (${P}.add (local.get $r) (local.get $n)) (local.get $q) (local.get $m))
        (call $push_blob (local.get $r) (${P}.add (local.get $n) (local.get $m)))`,
    StableSize: `(call $push_i32 (call $ic0_stable_size))`,
    StableGrow: `(call $push_i32 (call $ic0_stable_grow (call $pop_i32)))`,
    StableRead: `
        (local.set $i (call $pop_i32)) (local.set $j (call $pop_i32))
        (local.set $p (call $alloc ${ext('(local.get $i)')}))
        (call $ic0_stable_read ${wrap('(local.get $p)')} (local.get $j) (local.get $i))
        (call $push_blob (local.get $p) ${ext('(local.get $i)')})`,
    StableWrite: `
        ${popBlob('p', 'n')} (local.set $j (call $pop_i32))
        (call $ic0_stable_write (local.get $j) ${wrap('(local.get $p)')} ${wrap('(local.get $n)')})`,
    DebugPrint: `${popBlob('p', 'n')} (call $ic0_debug_print (local.get $p) (local.get $n))`,
    Trap: `${popBlob('p', 'n')} (call $ic0_trap (local.get $p) (local.get $n)) (unreachable)`,
    SetGlobal: setSlot(SLOT.global),
    GetGlobal: `(local.set $p (call $slot_get (i32.const ${SLOT.global}))) (call $push_blob (local.get $p) (global.get $len))`,
    BadPrint: `(call $ic0_debug_print ${c(is64 ? '0xfffffffffffffff0' : '0xfffffff0')} ${c(256)})`,
    SetPreUpgrade: setSlot(SLOT.preUpgrade),
    AppendGlobal: `${popBlob('p', 'n')} (call $global_append (local.get $p) (local.get $n))`,
    Time: `(call $push_i64 (call $ic0_time))`,
    CyclesAvailable: `(call $push_i64 (call $ic0_msg_cycles_available))`,
    CyclesBalance: `(call $push_i64 (call $ic0_canister_cycle_balance))`,
    CyclesRefunded: `(call $push_i64 (call $ic0_msg_cycles_refunded))`,
    AcceptCycles: `(call $push_i64 (call $ic0_msg_cycles_accept (call $pop_i64)))`,
    PushInt64: `(call $push_i64 (call $read_u64))`,
    CallNew: `
        ${popBlob('t', 'u')} ${popBlob('r', 's')} ${popBlob('q', 'm')} ${popBlob('p', 'n')}
        (call $grp_begin)
        (local.set $j (call $cb_add (local.get $t) (local.get $u)))
        (local.set $i (call $cb_add (local.get $r) (local.get $s)))
        (call $ic0_call_new (local.get $p) (local.get $n) (local.get $q) (local.get $m)
          ${c(0)} ${ext('(local.get $i)')} ${c(0)} ${ext('(local.get $j)')})`,
    CallDataAppend: `${popBlob('p', 'n')} (call $ic0_call_data_append (local.get $p) (local.get $n))`,
    CallCyclesAdd: `(call $ic0_call_cycles_add (call $pop_i64))`,
    CallPerform: callPerform(true),
    CertifiedDataSet: `${popBlob('p', 'n')} (call $ic0_certified_data_set (local.get $p) (local.get $n))`,
    DataCertificatePresent: `(call $push_i32 (call $ic0_data_certificate_present))`,
    DataCertificate: whole('data_certificate'),
    CanisterStatus: `(call $push_i32 (call $ic0_canister_status))`,
    SetHeartbeat: setSlot(SLOT.heartbeat),
    AcceptMessage: `(call $ic0_accept_message)`,
    SetInspectMessage: setSlot(SLOT.inspect),
    TrapIfEq: trapIf(true),
    CallOnCleanup: `
        ${popBlob('p', 'n')}
        (local.set $i (call $cb_add (local.get $p) (local.get $n)))
        (call $ic0_call_on_cleanup ${c(0)} ${ext('(local.get $i)')})`,
    StableFill: stableFill(true),
    StableSize64: `(call $push_i64 (call $ic0_stable64_size))`,
    StableGrow64: `(call $push_i64 (call $ic0_stable64_grow (call $pop_i64)))`,
    StableRead64: `
        (local.set $y (call $pop_i64)) (local.set $x (call $pop_i64))
        (local.set $p (call $alloc ${fromI64('(local.get $y)')}))
        (call $ic0_stable64_read ${toI64('(local.get $p)')} (local.get $x) (local.get $y))
        (call $push_blob (local.get $p) ${fromI64('(local.get $y)')})`,
    StableWrite64: `
        ${popBlob('p', 'n')} (local.set $x (call $pop_i64))
        (call $ic0_stable64_write (local.get $x) ${toI64('(local.get $p)')} ${toI64('(local.get $n)')})`,
    Int64ToBlob: `
        (local.set $x (call $pop_i64))
        (local.set $p (call $alloc ${c(8)}))
        (i64.store (local.get $p) (local.get $x))
        (call $push_blob (local.get $p) ${c(8)})`,
    CyclesAvailable128: scratch128(`(call $ic0_msg_cycles_available128 ${c(SCRATCH)})`),
    CyclesBalance128: scratch128(`(call $ic0_canister_cycle_balance128 ${c(SCRATCH)})`),
    CyclesRefunded128: scratch128(`(call $ic0_msg_cycles_refunded128 ${c(SCRATCH)})`),
    AcceptCycles128: `${hiLo} ${scratch128(`(call $ic0_msg_cycles_accept128 (local.get $x) (local.get $y) ${c(SCRATCH)})`)}`,
    CallCyclesAdd128: `${hiLo} (call $ic0_call_cycles_add128 (local.get $x) (local.get $y))`,
    MsgArgDataSize: size('msg_arg_data'),
    MsgArgDataCopy: copy('msg_arg_data'),
    MsgCallerSize: size('msg_caller'),
    MsgCallerCopy: copy('msg_caller'),
    MsgRejectMsgSize: size('msg_reject_msg'),
    MsgRejectMsgCopy: copy('msg_reject_msg'),
    SetGlobalTimerMethod: setSlot(SLOT.globalTimer),
    ApiGlobalTimerSet: `(call $push_i64 (call $ic0_global_timer_set (call $pop_i64)))`,
    IncGlobalCounter: `(global.set $counter (i64.add (global.get $counter) (i64.const 1)))`,
    GetGlobalCounter: `(call $push_i64 (global.get $counter))`,
    GetPerformanceCounter: `(call $push_i64 (call $ic0_performance_counter (call $pop_i32)))`,
    MsgMethodName: whole('msg_method_name'),
    ParsePrincipal: `${popBlob('p', 'n')} (call $principal_text (local.get $p) (local.get $n))`,
    SetTransform: setSlot(SLOT.transform),
    GetHttpReplyWithBody: `${popBlob('p', 'n')} (call $http_reply (local.get $p) (local.get $n))`,
    GetHttpTransformContext: `${popBlob('p', 'n')} (call $transform_context (local.get $p) (local.get $n))`,
    StableFill64: stableFill(false),
    CanisterVersion: `(call $push_i64 (call $ic0_canister_version))`,
    TrapIfNeq: trapIf(false),
    MintCycles: `
        (call $ic0_mint_cycles128 (i64.const 0) (call $pop_i64) ${c(SCRATCH)})
        (call $push_i64 (i64.load ${c(SCRATCH)}))`,
    OneWayCallNew: `
        ${popBlob('q', 'm')} ${popBlob('p', 'n')}
        (call $grp_begin)
        (call $ic0_call_new (local.get $p) (local.get $n) (local.get $q) (local.get $m)
          ${c(0)} ${c(ONE_WAY_ENV)} ${c(0)} ${c(ONE_WAY_ENV)})`,
    IsController: `${popBlob('p', 'n')} (call $push_i32 (call $ic0_is_controller (local.get $p) (local.get $n)))`,
    CyclesBurn128: `${hiLo} ${scratch128(`(call $ic0_cycles_burn128 (local.get $x) (local.get $y) ${c(SCRATCH)})`)}`,
    BlobLength: `(drop (call $pop_blob)) (call $push_i32 ${wrap('(global.get $len)')})`,
    PushEqualBytes: `
        ${popI32P('n')} (local.set $i (call $pop_i32))
        (local.set $p (call $alloc (local.get $n)))
        (memory.fill (local.get $p) (local.get $i) (local.get $n))
        (call $push_blob (local.get $p) (local.get $n))`,
    InReplicatedExecution: `(call $push_i32 (call $ic0_in_replicated_execution))`,
    CallWithBestEffortResponse: `(call $ic0_call_with_best_effort_response (call $pop_i32))`,
    MsgDeadline: `(call $push_i64 (call $ic0_msg_deadline))`,
    MemorySizeIsAtLeast: `
        (local.set $x (call $pop_i64))
        (call $ensure ${fromI64('(i64.add (local.get $x) (i64.const 1))')})`,
    MintCycles128: `${hiLo} ${scratch128(`(call $ic0_mint_cycles128 (local.get $x) (local.get $y) ${c(SCRATCH)})`)}`,
    CostCall: `${hiLo} ${scratch128(`(call $ic0_cost_call (local.get $x) (local.get $y) ${c(SCRATCH)})`)}`,
    CostCreateCanister: scratch128(`(call $ic0_cost_create_canister ${c(SCRATCH)})`),
    CostHttpRequest: `${hiLo} ${scratch128(`(call $ic0_cost_http_request (local.get $x) (local.get $y) ${c(SCRATCH)})`)}`,
    CostSignWithEcdsa: costSign('cost_sign_with_ecdsa', true),
    CostSignWithSchnorr: costSign('cost_sign_with_schnorr', true),
    CostVetkdDeriveKey: costSign('cost_vetkd_derive_key', true),
    LiquidCyclesBalance128: scratch128(`(call $ic0_canister_liquid_cycle_balance128 ${c(SCRATCH)})`),
    CallDataAppendCyclesAddMax: `
        ${popBlob('p', 'n')} (local.set $x (call $pop_i64))
        (call $ic0_call_data_append (local.get $p) (local.get $n))
        (call $ic0_cost_call (local.get $x) ${toI64('(local.get $n)')} ${c(SCRATCH)})
        (call $ic0_canister_liquid_cycle_balance128 ${c(SCRATCH + 16)})
        (call $add_liquid_minus_cost)`,
    RootKey: whole('root_key'),
    SetOnLowWasmMemoryMethod: setSlot(SLOT.lowMemory),
    WasmMemoryGrow: `(drop (memory.grow ${ext('(call $pop_i32)')}))`,
    CostHttpRequestV2: `
        ${popBlob('p', 'n')}
        ${scratch128(`(call $ic0_cost_http_request_v2 (local.get $p) (local.get $n) ${c(SCRATCH)})`)}`,
    // ---- extensions
    Dup: `(call $dup)`,
    Swap: `(call $swap)`,
    CallPerformErrCode: callPerform(false),
    CallNewRaw: `
        (local.set $z (call $pop_i64_of_i32)) (local.set $y (call $pop_i64_of_i32))
        (local.set $x (call $pop_i64_of_i32)) (local.set $j (call $pop_i32))
        ${popBlob('q', 'm')} ${popBlob('p', 'n')}
        (call $grp_begin)
        (call $ic0_call_new (local.get $p) (local.get $n) (local.get $q) (local.get $m)
          ${ext('(local.get $j)')} ${fromI64('(local.get $x)')} ${fromI64('(local.get $y)')} ${fromI64('(local.get $z)')})`,
    CallOnCleanupRaw: `
        (local.set $i (call $pop_i32)) (local.set $j (call $pop_i32))
        (call $ic0_call_on_cleanup ${ext('(local.get $j)')} ${ext('(local.get $i)')})`,
    MsgCallerInfoDataSize: size('msg_caller_info_data'),
    MsgCallerInfoDataCopy: copy('msg_caller_info_data'),
    MsgCallerInfoData: whole('msg_caller_info_data'),
    MsgCallerInfoSignerSize: size('msg_caller_info_signer'),
    MsgCallerInfoSignerCopy: copy('msg_caller_info_signer'),
    MsgCallerInfoSigner: whole('msg_caller_info_signer'),
    MsgMethodNameSize: size('msg_method_name'),
    MsgMethodNameCopy: copy('msg_method_name'),
    CanisterSelfSize: size('canister_self'),
    CanisterSelfCopy: copy('canister_self'),
    SubnetSelfSize: size('subnet_self'),
    SubnetSelfCopy: copy('subnet_self'),
    SubnetSelf: whole('subnet_self'),
    RootKeySize: size('root_key'),
    RootKeyCopy: copy('root_key'),
    DataCertificateSize: size('data_certificate'),
    DataCertificateCopy: copy('data_certificate'),
    EnvVarCount: `(call $push_i32 ${wrap('(call $ic0_env_var_count)')})`,
    EnvVarNameSize: `(call $push_i32 ${wrap(`(call $ic0_env_var_name_size ${ext('(call $pop_i32)')})`)})`,
    EnvVarNameCopy: `
        ${popI32P('n')} ${popI32P('q')} ${popI32P('r')}
        (local.set $p (call $alloc (local.get $n)))
        (call $ic0_env_var_name_copy (local.get $r) (local.get $p) (local.get $q) (local.get $n))
        (call $push_blob (local.get $p) (local.get $n))`,
    EnvVarName: `
        ${popI32P('r')}
        (local.set $n (call $ic0_env_var_name_size (local.get $r)))
        (local.set $p (call $alloc (local.get $n)))
        (call $ic0_env_var_name_copy (local.get $r) (local.get $p) ${c(0)} (local.get $n))
        (call $push_blob (local.get $p) (local.get $n))`,
    EnvVarNameExists: `${popBlob('p', 'n')} (call $push_i32 (call $ic0_env_var_name_exists (local.get $p) (local.get $n)))`,
    EnvVarValueSize: `${popBlob('p', 'n')} (call $push_i32 ${wrap('(call $ic0_env_var_value_size (local.get $p) (local.get $n))')})`,
    EnvVarValueCopy: `
        ${popI32P('m')} ${popI32P('q')} ${popBlob('p', 'n')}
        (local.set $r (call $alloc (local.get $m)))
        (call $ic0_env_var_value_copy (local.get $p) (local.get $n) (local.get $r) (local.get $q) (local.get $m))
        (call $push_blob (local.get $r) (local.get $m))`,
    EnvVarValue: `
        ${popBlob('p', 'n')}
        (local.set $m (call $ic0_env_var_value_size (local.get $p) (local.get $n)))
        (local.set $r (call $alloc (local.get $m)))
        (call $ic0_env_var_value_copy (local.get $p) (local.get $n) (local.get $r) ${c(0)} (local.get $m))
        (call $push_blob (local.get $r) (local.get $m))`,
    CostSignWithEcdsaCode: costSign('cost_sign_with_ecdsa', false),
    CostSignWithSchnorrCode: costSign('cost_sign_with_schnorr', false),
    CostVetkdDeriveKeyCode: costSign('cost_vetkd_derive_key', false),
    BlobToInt: `${popBlob('p', 'n')} (call $push_i32 (i32.wrap_i64 (call $blob_le (local.get $p) (local.get $n) ${c(4)})))`,
    BlobToInt64: `${popBlob('p', 'n')} (call $push_i64 (call $blob_le (local.get $p) (local.get $n) ${c(8)}))`,
    WasmMemorySize: `(call $push_i64 ${toI64(`(${P}.mul (memory.size) ${c(65536)})`)})`,
  };

  const legacyTrap = trapStr('legacy 32-bit System API is not available in the wasm64 build');
  const bodyOf = (op: OpInfo): string => {
    const b = bodies[op.name];
    if (b === undefined) throw new Error(`universal canister: no body for op ${op.name}`);
    return is64 && op.only32 ? legacyTrap : b;
  };
  for (const name of Object.keys(bodies)) {
    if (!OP_TABLE.some((o) => o.name === name)) throw new Error(`universal canister: body for unknown op ${name}`);
  }

  // -- dispatch: nested blocks + br_table
  const maxOp = Math.max(...OP_TABLE.map((o) => o.code));
  const byCode = new Map(OP_TABLE.map((o) => [o.code, o]));
  const ops = [...OP_TABLE].sort((a, b) => a.code - b.code);
  const labels: string[] = [];
  for (let code = 0; code <= maxOp; code++) labels.push(byCode.has(code) ? `$op_${code}` : '$op_unknown');
  let dispatch = `(br_table ${labels.join(' ')} $op_unknown (local.get $op))`;
  for (const op of ops) {
    dispatch = `(block $op_${op.code}\n      ${dispatch})\n      ;; ${op.code} ${op.name}: ${op.effect}\n      ${bodyOf(op).trim()}\n      (br $next)`;
  }
  dispatch = `(block $op_unknown\n      ${dispatch})\n      (call $trap_unknown_op (local.get $op))`;

  /** Helper functions; their text depends on the static layout, which follows the data pool. */
  const helperText = (STACK_BASE: number, SLOTS_BASE: number): string => {
    const slotAddr = (i: string): string => `(${P}.add ${c(SLOTS_BASE)} ${ext(`(i32.mul ${i} (i32.const ${SLOT_SIZE}))`)})`;
    const unknownMsg = pool.str('unknown op ');
    const notTaken = pool.str('callback: env is unknown or already taken');
    return `
  ;; ---- traps
  (func $trap_unknown_op (param $op i32)
    (local $p ${P}) (local $n ${P}) (local $d i32)
    (local.set $p (call $alloc ${c(unknownMsg.len + 3)}))
    (memory.copy (local.get $p) ${c(unknownMsg.off)} ${c(unknownMsg.len)})
    (local.set $n ${c(unknownMsg.len)})
    (if (i32.ge_u (local.get $op) (i32.const 100)) (then
      (i32.store8 (${P}.add (local.get $p) (local.get $n)) (i32.add (i32.const 48) (i32.div_u (local.get $op) (i32.const 100))))
      (local.set $n (${P}.add (local.get $n) ${c(1)}))))
    (if (i32.ge_u (local.get $op) (i32.const 10)) (then
      (i32.store8 (${P}.add (local.get $p) (local.get $n)) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $op) (i32.const 10)) (i32.const 10))))
      (local.set $n (${P}.add (local.get $n) ${c(1)}))))
    (i32.store8 (${P}.add (local.get $p) (local.get $n)) (i32.add (i32.const 48) (i32.rem_u (local.get $op) (i32.const 10))))
    (local.set $n (${P}.add (local.get $n) ${c(1)}))
    (call $ic0_trap (local.get $p) (local.get $n))
    (unreachable))

  ;; ---- heap: first-fit free list, blocks = [size:i64 | next_free:i64 | payload]
  (func $ensure (param $end ${P})
    (local $have ${P})
    (local.set $have (${P}.mul (memory.size) ${c(65536)}))
    (if (${P}.gt_u (local.get $end) (local.get $have)) (then
      (if (${P}.eq
            (memory.grow (${P}.div_u (${P}.add (${P}.sub (local.get $end) (local.get $have)) ${c(65535)}) ${c(65536)}))
            ${c(-1)})
        (then ${trapStr('universal canister: out of memory')})))))
  (func $malloc (param $n ${P}) (result ${P})
    (local $size ${P}) (local $prev ${P}) (local $cur ${P}) (local $csize ${P}) (local $b ${P})
    (if (${P}.gt_u (local.get $n) ${c(is64 ? '0x0000ffffffffffff' : '0xf0000000')})
      (then ${trapStr('universal canister: out of memory')}))
    (local.set $size (${P}.add (${P}.and (${P}.add (local.get $n) ${c(15)}) ${c(-16)}) ${c(16)}))
    (local.set $cur (global.get $free_head))
    (block $none (loop $walk
      (br_if $none (${P}.eqz (local.get $cur)))
      (local.set $csize ${load('(local.get $cur)')})
      (if (${P}.ge_u (local.get $csize) (local.get $size)) (then
        (if (${P}.ge_u (${P}.sub (local.get $csize) (local.get $size)) ${c(64)})
          (then
            ;; split: hand out the tail, the head stays in the list
            ${store('(local.get $cur)', `(${P}.sub (local.get $csize) (local.get $size))`)}
            (local.set $b (${P}.add (local.get $cur) (${P}.sub (local.get $csize) (local.get $size))))
            ${store('(local.get $b)', '(local.get $size)')}
            (return (${P}.add (local.get $b) ${c(16)})))
          (else
            (if (${P}.eqz (local.get $prev))
              (then (global.set $free_head ${load('(local.get $cur)', 8)}))
              (else ${store('(local.get $prev)', load('(local.get $cur)', 8), 8)}))
            (return (${P}.add (local.get $cur) ${c(16)}))))))
      (local.set $prev (local.get $cur))
      (local.set $cur ${load('(local.get $cur)', 8)})
      (br $walk)))
    (local.set $b (global.get $heap_top))
    (call $ensure (${P}.add (local.get $b) (local.get $size)))
    (global.set $heap_top (${P}.add (local.get $b) (local.get $size)))
    ${store('(local.get $b)', '(local.get $size)')}
    (${P}.add (local.get $b) ${c(16)}))
  (func $free (param $ptr ${P})
    (local $b ${P}) (local $size ${P}) (local $prev ${P}) (local $cur ${P}) (local $next ${P})
    (if (${P}.lt_u (local.get $ptr) ${c(HEAP_BASE + 16)}) (then (return)))
    (local.set $b (${P}.sub (local.get $ptr) ${c(16)}))
    (local.set $size ${load('(local.get $b)')})
    (local.set $cur (global.get $free_head))
    (block $found (loop $walk
      (br_if $found (${P}.eqz (local.get $cur)))
      (br_if $found (${P}.gt_u (local.get $cur) (local.get $b)))
      (local.set $prev (local.get $cur))
      (local.set $cur ${load('(local.get $cur)', 8)})
      (br $walk)))
    (local.set $next (local.get $cur))
    (if (i32.and (${P}.ne (local.get $cur) ${c(0)}) (${P}.eq (${P}.add (local.get $b) (local.get $size)) (local.get $cur)))
      (then
        (local.set $size (${P}.add (local.get $size) ${load('(local.get $cur)')}))
        (local.set $next ${load('(local.get $cur)', 8)})))
    (if (i32.and (${P}.ne (local.get $prev) ${c(0)})
                 (${P}.eq (${P}.add (local.get $prev) ${load('(local.get $prev)')}) (local.get $b)))
      (then
        ${store('(local.get $prev)', `(${P}.add ${load('(local.get $prev)')} (local.get $size))`)}
        ${store('(local.get $prev)', '(local.get $next)', 8)})
      (else
        ${store('(local.get $b)', '(local.get $size)')}
        ${store('(local.get $b)', '(local.get $next)', 8)}
        (if (${P}.eqz (local.get $prev))
          (then (global.set $free_head (local.get $b)))
          (else ${store('(local.get $prev)', '(local.get $b)', 8)})))))

  ;; ---- per-message arena: chunks = [next_chunk:i64 | pad | data]
  (func $alloc (param $n ${P}) (result ${P})
    (local $r ${P}) (local $size ${P}) (local $chunk ${P})
    (local.set $n (${P}.and (${P}.add (local.get $n) ${c(7)}) ${c(-8)}))
    (if (${P}.gt_u (local.get $n) (${P}.sub (global.get $a_end) (global.get $a_ptr))) (then
      (local.set $size (${P}.add (local.get $n) ${c(16)}))
      (if (${P}.lt_u (local.get $size) ${c(ARENA_CHUNK)}) (then (local.set $size ${c(ARENA_CHUNK)})))
      (local.set $chunk (call $malloc (local.get $size)))
      ${store('(local.get $chunk)', '(global.get $a_chunks)')}
      (global.set $a_chunks (local.get $chunk))
      (global.set $a_ptr (${P}.add (local.get $chunk) ${c(16)}))
      (global.set $a_end (${P}.add (local.get $chunk) (local.get $size)))))
    (local.set $r (global.get $a_ptr))
    (global.set $a_ptr (${P}.add (local.get $r) (local.get $n)))
    (local.get $r))
  (func $begin
    (global.set $sp (i32.const 0))
    (global.set $grp_open (i32.const 0))
    (global.set $a_chunks ${c(0)})
    (global.set $a_ptr ${c(0)})
    (global.set $a_end ${c(0)}))
  (func $end
    (local $chunk ${P}) (local $next ${P})
    (call $grp_discard)
    (local.set $chunk (global.get $a_chunks))
    (block $done (loop $walk
      (br_if $done (${P}.eqz (local.get $chunk)))
      (local.set $next ${load('(local.get $chunk)')})
      (call $free (local.get $chunk))
      (local.set $chunk (local.get $next))
      (br $walk)))
    (call $begin))

  ;; ---- value stack: entries [tag:i32 | pad | value:i64 | len:i64]; tags 0 = I32, 1 = I64, 2 = Blob
  (func $entry (param $i i32) (result ${P})
    (${P}.add ${c(STACK_BASE)} ${ext(`(i32.mul (local.get $i) (i32.const ${STACK_ENTRY}))`)}))
  (func $push_raw (param $tag i32) (param $v i64) (param $n i64)
    (local $e ${P})
    (if (i32.ge_u (global.get $sp) (i32.const ${STACK_MAX})) (then ${trapStr('universal canister: stack overflow')}))
    (local.set $e (call $entry (global.get $sp)))
    (i32.store (local.get $e) (local.get $tag))
    (i64.store offset=8 (local.get $e) (local.get $v))
    (i64.store offset=16 (local.get $e) (local.get $n))
    (global.set $sp (i32.add (global.get $sp) (i32.const 1))))
  (func $push_i32 (param $v i32) (call $push_raw (i32.const 0) (i64.extend_i32_u (local.get $v)) (i64.const 0)))
  (func $push_i64 (param $v i64) (call $push_raw (i32.const 1) (local.get $v) (i64.const 0)))
  (func $push_blob (param $p ${P}) (param $n ${P}) (call $push_raw (i32.const 2) ${toI64('(local.get $p)')} ${toI64('(local.get $n)')}))
  (func $type_trap (param $tag i32)
    (block $blob (block $i64 (block $i32
      (br_table $i32 $i64 $blob (local.get $tag)))
      ${trapStr('did not find I32 on stack')})
      ${trapStr('did not find I64 on stack')})
    ${trapStr('did not find blob on stack')})
  (func $pop (param $tag i32) (result ${P})
    (local $e ${P})
    (if (i32.eqz (global.get $sp)) (then (call $type_trap (local.get $tag))))
    (global.set $sp (i32.sub (global.get $sp) (i32.const 1)))
    (local.set $e (call $entry (global.get $sp)))
    (if (i32.ne (i32.load (local.get $e)) (local.get $tag)) (then (call $type_trap (local.get $tag))))
    (local.get $e))
  (func $pop_i32 (result i32) (i32.load offset=8 (call $pop (i32.const 0))))
  (func $pop_i64_of_i32 (result i64) (i64.extend_i32_u (call $pop_i32)))
  (func $pop_i64 (result i64) (i64.load offset=8 (call $pop (i32.const 1))))
  (func $pop_blob (result ${P})
    (local $e ${P})
    (local.set $e (call $pop (i32.const 2)))
    (global.set $len ${load('(local.get $e)', 16)})
    ${load('(local.get $e)', 8)})
  (func $dup
    (local $e ${P})
    (if (i32.eqz (global.get $sp)) (then ${trapStr('universal canister: stack underflow')}))
    (local.set $e (call $entry (i32.sub (global.get $sp) (i32.const 1))))
    (call $push_raw (i32.load (local.get $e)) (i64.load offset=8 (local.get $e)) (i64.load offset=16 (local.get $e))))
  (func $swap
    (local $a ${P}) (local $b ${P})
    (if (i32.lt_u (global.get $sp) (i32.const 2)) (then ${trapStr('universal canister: stack underflow')}))
    (local.set $a (call $entry (i32.sub (global.get $sp) (i32.const 2))))
    (local.set $b (call $entry (i32.sub (global.get $sp) (i32.const 1))))
    (memory.copy ${c(SCRATCH + 64)} (local.get $a) ${c(STACK_ENTRY)})
    (memory.copy (local.get $a) (local.get $b) ${c(STACK_ENTRY)})
    (memory.copy (local.get $b) ${c(SCRATCH + 64)} ${c(STACK_ENTRY)}))
  (func $push_scratch16
    (local $p ${P})
    (local.set $p (call $alloc ${c(16)}))
    (memory.copy (local.get $p) ${c(SCRATCH)} ${c(16)})
    (call $push_blob (local.get $p) ${c(16)}))

  ;; ---- program reading
  (func $need (param $n ${P})
    (if (${P}.gt_u (local.get $n) (${P}.sub (global.get $pe) (global.get $pc)))
      (then ${trapStr('universal canister: program truncated')})))
  (func $read_u32 (result i32)
    (local $v i32)
    (call $need ${c(4)})
    (local.set $v (i32.load (global.get $pc)))
    (global.set $pc (${P}.add (global.get $pc) ${c(4)}))
    (local.get $v))
  (func $read_u64 (result i64)
    (local $v i64)
    (call $need ${c(8)})
    (local.set $v (i64.load (global.get $pc)))
    (global.set $pc (${P}.add (global.get $pc) ${c(8)}))
    (local.get $v))

  ;; ---- blobs
  (func $blob_eq (param $p ${P}) (param $n ${P}) (param $q ${P}) (param $m ${P}) (result i32)
    (local $i ${P})
    (if (${P}.ne (local.get $n) (local.get $m)) (then (return (i32.const 0))))
    (block $done (loop $cmp
      (br_if $done (${P}.ge_u (local.get $i) (local.get $n)))
      (if (i32.ne (i32.load8_u (${P}.add (local.get $p) (local.get $i))) (i32.load8_u (${P}.add (local.get $q) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (${P}.add (local.get $i) ${c(1)}))
      (br $cmp)))
    (i32.const 1))
  ;; little-endian value of the first min(n, k) bytes
  (func $blob_le (param $p ${P}) (param $n ${P}) (param $k ${P}) (result i64)
    (local $v i64)
    (if (${P}.lt_u (local.get $n) (local.get $k)) (then (local.set $k (local.get $n))))
    (block $done (loop $byte
      (br_if $done (${P}.eqz (local.get $k)))
      (local.set $k (${P}.sub (local.get $k) ${c(1)}))
      (local.set $v (i64.or (i64.shl (local.get $v) (i64.const 8))
        (i64.load8_u (${P}.add (local.get $p) (local.get $k)))))
      (br $byte)))
    (local.get $v))

  ;; ---- stored programs and the global blob: slots [ptr:i64 | len:i64]
  (func $slot_set (param $i i32) (param $p ${P}) (param $n ${P})
    (local $s ${P}) (local $new ${P})
    (local.set $s ${slotAddr('(local.get $i)')})
    (local.set $new (call $malloc (local.get $n)))
    (memory.copy (local.get $new) (local.get $p) (local.get $n))
    (call $free ${load('(local.get $s)')})
    ${store('(local.get $s)', '(local.get $new)')}
    ${store('(local.get $s)', '(local.get $n)', 8)})
  ;; arena copy of a slot; its length goes to $len
  (func $slot_get (param $i i32) (result ${P})
    (local $s ${P}) (local $n ${P}) (local $p ${P})
    (local.set $s ${slotAddr('(local.get $i)')})
    (local.set $n ${load('(local.get $s)', 8)})
    (local.set $p (call $alloc (local.get $n)))
    (memory.copy (local.get $p) ${load('(local.get $s)')} (local.get $n))
    (global.set $len (local.get $n))
    (local.get $p))
  (func $global_append (param $p ${P}) (param $n ${P})
    (local $s ${P}) (local $old ${P}) (local $oldn ${P}) (local $new ${P})
    (local.set $s ${c(SLOTS_BASE + SLOT.global * SLOT_SIZE)})
    (local.set $old ${load('(local.get $s)')})
    (local.set $oldn ${load('(local.get $s)', 8)})
    (local.set $new (call $malloc (${P}.add (local.get $oldn) (local.get $n))))
    (memory.copy (local.get $new) (local.get $old) (local.get $oldn))
    (memory.copy (${P}.add (local.get $new) (local.get $oldn)) (local.get $p) (local.get $n))
    (call $free (local.get $old))
    ${store('(local.get $s)', '(local.get $new)')}
    ${store('(local.get $s)', `(${P}.add (local.get $oldn) (local.get $n))`, 8)})
  (func $run_slot (param $i i32)
    (local $p ${P})
    (call $begin)
    (local.set $p (call $slot_get (local.get $i)))
    (call $eval (local.get $p) (${P}.add (local.get $p) (global.get $len)))
    (call $end))
  (func $run_arg
    (local $p ${P}) (local $n ${P})
    (call $begin)
    (local.set $n (call $ic0_msg_arg_data_size))
    (local.set $p (call $alloc (local.get $n)))
    (call $ic0_msg_arg_data_copy (local.get $p) ${c(0)} (local.get $n))
    (call $eval (local.get $p) (${P}.add (local.get $p) (local.get $n)))
    (call $end))

  ;; ---- callback programs: entries [ptr:i64 | len:i64 | live:i32 | group_start:i32 | group_end:i32 | pad]
  ;; A group holds the programs of one call (reject, reply, cleanup); running any frees them all.
  (func $cb_entry (param $i i32) (result ${P})
    (${P}.add (global.get $cb_arr) ${ext(`(i32.mul (local.get $i) (i32.const ${CB_ENTRY}))`)}))
  (func $cb_add (param $p ${P}) (param $n ${P}) (result i32)
    (local $cap i32) (local $arr ${P}) (local $e ${P}) (local $blk ${P}) (local $i i32)
    (if (i32.ge_u (global.get $cb_count) (global.get $cb_cap)) (then
      (local.set $cap (i32.shl (global.get $cb_cap) (i32.const 1)))
      (if (i32.lt_u (local.get $cap) (i32.const 16)) (then (local.set $cap (i32.const 16))))
      (local.set $arr (call $malloc ${ext(`(i32.mul (local.get $cap) (i32.const ${CB_ENTRY}))`)}))
      (memory.copy (local.get $arr) (global.get $cb_arr) ${ext(`(i32.mul (global.get $cb_count) (i32.const ${CB_ENTRY}))`)})
      (call $free (global.get $cb_arr))
      (global.set $cb_arr (local.get $arr))
      (global.set $cb_cap (local.get $cap))))
    (local.set $i (global.get $cb_count))
    (local.set $blk (call $malloc (local.get $n)))
    (memory.copy (local.get $blk) (local.get $p) (local.get $n))
    (local.set $e (call $cb_entry (local.get $i)))
    ${store('(local.get $e)', '(local.get $blk)')}
    ${store('(local.get $e)', '(local.get $n)', 8)}
    (i32.store offset=16 (local.get $e) (i32.const 1))
    (i32.store offset=20 (local.get $e) (local.get $i))
    (i32.store offset=24 (local.get $e) (i32.add (local.get $i) (i32.const 1)))
    (global.set $cb_count (i32.add (local.get $i) (i32.const 1)))
    (local.get $i))
  (func $cb_free (param $i i32)
    (local $e ${P})
    (local.set $e (call $cb_entry (local.get $i)))
    (if (i32.load offset=16 (local.get $e)) (then
      (call $free ${load('(local.get $e)')})
      (i32.store offset=16 (local.get $e) (i32.const 0)))))
  (func $grp_discard
    (local $i i32)
    (if (global.get $grp_open) (then
      (local.set $i (global.get $grp_start))
      (block $done (loop $walk
        (br_if $done (i32.ge_u (local.get $i) (global.get $cb_count)))
        (call $cb_free (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $walk)))
      (global.set $grp_open (i32.const 0)))))
  (func $grp_begin
    (call $grp_discard)
    (global.set $grp_open (i32.const 1))
    (global.set $grp_start (global.get $cb_count)))
  (func $grp_commit
    (local $i i32) (local $e ${P})
    (if (global.get $grp_open) (then
      (local.set $i (global.get $grp_start))
      (block $done (loop $walk
        (br_if $done (i32.ge_u (local.get $i) (global.get $cb_count)))
        (local.set $e (call $cb_entry (local.get $i)))
        (i32.store offset=20 (local.get $e) (global.get $grp_start))
        (i32.store offset=24 (local.get $e) (global.get $cb_count))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $walk)))
      (global.set $grp_open (i32.const 0)))))
  (func $callback (param $env ${P})
    (local $i i32) (local $e ${P}) (local $p ${P}) (local $n ${P}) (local $j i32) (local $k i32)
    (if (${P}.eq (local.get $env) ${c(ONE_WAY_ENV)}) (then (return)))
    (if (${P}.ge_u (local.get $env) ${ext('(global.get $cb_count)')}) (then (call $ic0_trap ${c(notTaken.off)} ${c(notTaken.len)}) (unreachable)))
    (local.set $i ${wrap('(local.get $env)')})
    (local.set $e (call $cb_entry (local.get $i)))
    (if (i32.eqz (i32.load offset=16 (local.get $e))) (then (call $ic0_trap ${c(notTaken.off)} ${c(notTaken.len)}) (unreachable)))
    (call $begin)
    (local.set $n ${load('(local.get $e)', 8)})
    (local.set $p (call $alloc (local.get $n)))
    (memory.copy (local.get $p) ${load('(local.get $e)')} (local.get $n))
    (local.set $j (i32.load offset=20 (local.get $e)))
    (local.set $k (i32.load offset=24 (local.get $e)))
    (block $done (loop $walk
      (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
      (call $cb_free (local.get $j))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $walk)))
    (call $eval (local.get $p) (${P}.add (local.get $p) (local.get $n)))
    (call $end))
  (func $callback_wrong_type)

  ;; ---- cycles: call_cycles_add128(max(liquid - cost, 0)); cost at SCRATCH, liquid at SCRATCH+16
  (func $add_liquid_minus_cost
    (local $cl i64) (local $ch i64) (local $ll i64) (local $lh i64) (local $rl i64) (local $rh i64)
    (local.set $cl (i64.load ${c(SCRATCH)}))
    (local.set $ch (i64.load ${c(SCRATCH + 8)}))
    (local.set $ll (i64.load ${c(SCRATCH + 16)}))
    (local.set $lh (i64.load ${c(SCRATCH + 24)}))
    (if (i32.or (i64.lt_u (local.get $lh) (local.get $ch))
                (i32.and (i64.eq (local.get $lh) (local.get $ch)) (i64.lt_u (local.get $ll) (local.get $cl))))
      (then (return)))
    (local.set $rl (i64.sub (local.get $ll) (local.get $cl)))
    (local.set $rh (i64.sub (i64.sub (local.get $lh) (local.get $ch)) (i64.extend_i32_u (i64.lt_u (local.get $ll) (local.get $cl)))))
    (call $ic0_call_cycles_add128 (local.get $rh) (local.get $rl)))

  ;; ---- principal bytes -> text (CRC-32 big-endian ++ bytes, base32 lowercase, '-' every 5 chars)
  (func $principal_text (param $p ${P}) (param $n ${P})
    (local $crc i32) (local $i ${P}) (local $k i32) (local $buf ${P}) (local $bn ${P})
    (local $acc i32) (local $bits i32)
    (local.set $crc (i32.const -1))
    (block $done (loop $bytes
      (br_if $done (${P}.ge_u (local.get $i) (local.get $n)))
      (local.set $crc (i32.xor (local.get $crc) (i32.load8_u (${P}.add (local.get $p) (local.get $i)))))
      (local.set $k (i32.const 0))
      (loop $bit
        (local.set $crc (i32.xor (i32.shr_u (local.get $crc) (i32.const 1))
          (i32.and (i32.const 0xedb88320) (i32.sub (i32.const 0) (i32.and (local.get $crc) (i32.const 1))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $bit (i32.lt_u (local.get $k) (i32.const 8))))
      (local.set $i (${P}.add (local.get $i) ${c(1)}))
      (br $bytes)))
    (local.set $crc (i32.xor (local.get $crc) (i32.const -1)))
    (local.set $bn (${P}.add (local.get $n) ${c(4)}))
    (local.set $buf (call $alloc (local.get $bn)))
    (i32.store8 (local.get $buf) (i32.shr_u (local.get $crc) (i32.const 24)))
    (i32.store8 offset=1 (local.get $buf) (i32.shr_u (local.get $crc) (i32.const 16)))
    (i32.store8 offset=2 (local.get $buf) (i32.shr_u (local.get $crc) (i32.const 8)))
    (i32.store8 offset=3 (local.get $buf) (local.get $crc))
    (memory.copy (${P}.add (local.get $buf) ${c(4)}) (local.get $p) (local.get $n))
    (global.set $t_out (call $alloc (${P}.add (${P}.mul (local.get $bn) ${c(2)}) ${c(8)})))
    (global.set $t_len ${c(0)})
    (global.set $t_chars (i32.const 0))
    (local.set $i ${c(0)})
    (block $done (loop $bytes
      (br_if $done (${P}.ge_u (local.get $i) (local.get $bn)))
      (local.set $acc (i32.or (i32.shl (local.get $acc) (i32.const 8)) (i32.load8_u (${P}.add (local.get $buf) (local.get $i)))))
      (local.set $bits (i32.add (local.get $bits) (i32.const 8)))
      (block $out (loop $emit
        (br_if $out (i32.lt_u (local.get $bits) (i32.const 5)))
        (local.set $bits (i32.sub (local.get $bits) (i32.const 5)))
        (call $emit_b32 (i32.and (i32.shr_u (local.get $acc) (local.get $bits)) (i32.const 31)))
        (br $emit)))
      (local.set $acc (i32.and (local.get $acc) (i32.sub (i32.shl (i32.const 1) (local.get $bits)) (i32.const 1))))
      (local.set $i (${P}.add (local.get $i) ${c(1)}))
      (br $bytes)))
    (if (local.get $bits) (then
      (call $emit_b32 (i32.and (i32.shl (local.get $acc) (i32.sub (i32.const 5) (local.get $bits))) (i32.const 31)))))
    (call $push_blob (global.get $t_out) (global.get $t_len)))
  (func $emit_b32 (param $v i32)
    (if (i32.and (i32.ne (global.get $t_chars) (i32.const 0)) (i32.eqz (i32.rem_u (global.get $t_chars) (i32.const 5))))
      (then
        (i32.store8 (${P}.add (global.get $t_out) (global.get $t_len)) (i32.const 45))
        (global.set $t_len (${P}.add (global.get $t_len) ${c(1)}))))
    (i32.store8 (${P}.add (global.get $t_out) (global.get $t_len))
      (i32.load8_u (${P}.add ${c(alphabet)} ${ext('(local.get $v)')})))
    (global.set $t_len (${P}.add (global.get $t_len) ${c(1)}))
    (global.set $t_chars (i32.add (global.get $t_chars) (i32.const 1))))

  ;; ---- Candid helpers
  (func $http_reply (param $p ${P}) (param $n ${P})
    (local $out ${P}) (local $o ${P}) (local $v i64) (local $b i32)
    (local.set $out (call $alloc (${P}.add (local.get $n) ${c(httpPrefix.length + 12)})))
    (memory.copy (local.get $out) ${c(httpPrefixOff)} ${c(httpPrefix.length)})
    (local.set $o (${P}.add (local.get $out) ${c(httpPrefix.length)}))
    (local.set $v ${toI64('(local.get $n)')})
    (loop $leb
      (local.set $b (i32.and (i32.wrap_i64 (local.get $v)) (i32.const 127)))
      (local.set $v (i64.shr_u (local.get $v) (i64.const 7)))
      (if (i64.ne (local.get $v) (i64.const 0)) (then (local.set $b (i32.or (local.get $b) (i32.const 128)))))
      (i32.store8 (local.get $o) (local.get $b))
      (local.set $o (${P}.add (local.get $o) ${c(1)}))
      (br_if $leb (i64.ne (local.get $v) (i64.const 0))))
    (memory.copy (local.get $o) (local.get $p) (local.get $n))
    (local.set $o (${P}.add (local.get $o) (local.get $n)))
    (i32.store8 (local.get $o) (i32.const 0))
    (local.set $o (${P}.add (local.get $o) ${c(1)}))
    (call $push_blob (local.get $out) (${P}.sub (local.get $o) (local.get $out))))
  (func $cbyte (result i32)
    (local $b i32)
    (if (${P}.ge_u (global.get $cp) (global.get $ce)) (then ${trapStr('universal canister: malformed Candid')}))
    (local.set $b (i32.load8_u (global.get $cp)))
    (global.set $cp (${P}.add (global.get $cp) ${c(1)}))
    (local.get $b))
  (func $cleb (result ${P})
    (local $v i64) (local $shift i64) (local $b i32)
    (loop $more
      (local.set $b (call $cbyte))
      (if (i64.lt_u (local.get $shift) (i64.const 64)) (then
        (local.set $v (i64.or (local.get $v)
          (i64.shl (i64.extend_i32_u (i32.and (local.get $b) (i32.const 127))) (local.get $shift))))))
      (local.set $shift (i64.add (local.get $shift) (i64.const 7)))
      (br_if $more (i32.and (local.get $b) (i32.const 128))))
    ${fromI64('(local.get $v)')})
  (func $cskip (param $n ${P})
    (if (${P}.gt_u (local.get $n) (${P}.sub (global.get $ce) (global.get $cp))) (then ${trapStr('universal canister: malformed Candid')}))
    (global.set $cp (${P}.add (global.get $cp) (local.get $n))))
  (func $cskip_n_lebs (param $n ${P})
    (block $done (loop $walk
      (br_if $done (${P}.eqz (local.get $n)))
      (drop (call $cleb))
      (local.set $n (${P}.sub (local.get $n) ${c(1)}))
      (br $walk))))
  ;; TransformArgs = record { response : ...; context : blob }; context has the smaller field hash,
  ;; so its value comes first.
  (func $transform_context (param $p ${P}) (param $n ${P})
    (local $types ${P}) (local $k ${P}) (local $t i32) (local $len ${P})
    (global.set $cp (local.get $p))
    (global.set $ce (${P}.add (local.get $p) (local.get $n)))
    (if (i32.or (${P}.lt_u (local.get $n) ${c(4)}) (i32.ne (i32.load (local.get $p)) (i32.const 0x4c444944)))
      (then ${trapStr('universal canister: malformed Candid')}))
    (global.set $cp (${P}.add (local.get $p) ${c(4)}))
    (local.set $types (call $cleb))
    (block $done (loop $type
      (br_if $done (${P}.eqz (local.get $types)))
      (local.set $types (${P}.sub (local.get $types) ${c(1)}))
      (local.set $t (call $cbyte))
      (block $next
        ;; opt / vec: one type index
        (if (i32.or (i32.eq (local.get $t) (i32.const 0x6e)) (i32.eq (local.get $t) (i32.const 0x6d)))
          (then (drop (call $cleb)) (br $next)))
        ;; record / variant: n × (hash, type)
        (if (i32.or (i32.eq (local.get $t) (i32.const 0x6c)) (i32.eq (local.get $t) (i32.const 0x6b)))
          (then (call $cskip_n_lebs (${P}.mul (call $cleb) ${c(2)})) (br $next)))
        ;; func: args, results, annotations
        (if (i32.eq (local.get $t) (i32.const 0x6a))
          (then
            (call $cskip_n_lebs (call $cleb))
            (call $cskip_n_lebs (call $cleb))
            (call $cskip (call $cleb))
            (br $next)))
        ;; service: n × (name, type)
        (if (i32.eq (local.get $t) (i32.const 0x69))
          (then
            (local.set $k (call $cleb))
            (block $sdone (loop $meth
              (br_if $sdone (${P}.eqz (local.get $k)))
              (call $cskip (call $cleb))
              (drop (call $cleb))
              (local.set $k (${P}.sub (local.get $k) ${c(1)}))
              (br $meth)))
            (br $next)))
        ${trapStr('universal canister: unsupported Candid type')})
      (br $type)))
    (call $cskip_n_lebs (call $cleb))
    (local.set $len (call $cleb))
    (call $cskip (local.get $len))
    (call $push_blob (${P}.sub (global.get $cp) (local.get $len)) (local.get $len)))
`;
  };

  // First pass registers the helpers' strings in the pool; the layout follows the final pool;
  // the second pass uses the final addresses (strings are interned, so the pool stays the same).
  helperText(0, 0);
  const poolSize = pool.bytes.length;
  const STACK_BASE = (pool.end + 15) & ~15;
  const SLOTS_BASE = STACK_BASE + STACK_ENTRY * STACK_MAX;
  if (SLOTS_BASE + SLOT_COUNT * SLOT_SIZE > HEAP_BASE) throw new Error('static data too large');
  const helpers = helperText(STACK_BASE, SLOTS_BASE);
  if (pool.bytes.length !== poolSize) throw new Error('data pool changed between passes');

  const slotInit: number[] = [];
  const pushI64 = (v: number): void => {
    for (let i = 0; i < 8; i++) slotInit.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  };
  for (let i = 0; i < SLOT_COUNT; i++) {
    if (i === SLOT.inspect) {
      pushI64(defaultInspect);
      pushI64(1);
    } else {
      pushI64(0);
      pushI64(0);
    }
  }

  const exportRun = (name: string, fn: string): string => `  (func (export "${name}") ${fn})`;
  const exports = [
    exportRun('canister_update update', '(call $run_arg)'),
    exportRun('canister_query query', '(call $run_arg)'),
    exportRun('canister_composite_query composite_query', '(call $run_arg)'),
    exportRun('canister_query transform', `(call $run_slot (i32.const ${SLOT.transform}))`),
    exportRun('canister_init', '(call $run_arg)'),
    exportRun('canister_post_upgrade', '(call $run_arg)'),
    exportRun('canister_pre_upgrade', `(call $run_slot (i32.const ${SLOT.preUpgrade}))`),
    exportRun('canister_heartbeat', `(call $run_slot (i32.const ${SLOT.heartbeat}))`),
    exportRun('canister_global_timer', `(call $run_slot (i32.const ${SLOT.globalTimer}))`),
    exportRun('canister_on_low_wasm_memory', `(call $run_slot (i32.const ${SLOT.lowMemory}))`),
    exportRun('canister_inspect_message', `(call $run_slot (i32.const ${SLOT.inspect}))`),
  ].join('\n');

  const initialPages = HEAP_BASE / 65536;
  return `;; Capsule universal test canister, wasm${width} build (generated by test/universal/source.ts).
(module
${imports}
  (type $callback_t (func (param ${P})))
  (memory $mem (export "memory") ${is64 ? 'i64 ' : ''}${initialPages})
  (table $callbacks (export "__indirect_function_table") 2 funcref)
  (elem (i32.const 0) $callback $callback_wrong_type)
  (data (${P}.const ${DATA_BASE}) ${watString(pool.bytes)})
  (data (${P}.const ${SLOTS_BASE}) ${watString(slotInit)})

  (global $sp (mut i32) (i32.const 0))
  (global $pc (mut ${P}) ${c(0)})
  (global $pe (mut ${P}) ${c(0)})
  (global $len (mut ${P}) ${c(0)})
  (global $heap_top (mut ${P}) ${c(HEAP_BASE)})
  (global $free_head (mut ${P}) ${c(0)})
  (global $a_chunks (mut ${P}) ${c(0)})
  (global $a_ptr (mut ${P}) ${c(0)})
  (global $a_end (mut ${P}) ${c(0)})
  (global $cb_arr (mut ${P}) ${c(0)})
  (global $cb_cap (mut i32) (i32.const 0))
  (global $cb_count (mut i32) (i32.const 0))
  (global $grp_open (mut i32) (i32.const 0))
  (global $grp_start (mut i32) (i32.const 0))
  (global $counter (mut i64) (i64.const 0))
  (global $t_out (mut ${P}) ${c(0)})
  (global $t_len (mut ${P}) ${c(0)})
  (global $t_chars (mut i32) (i32.const 0))
  (global $cp (mut ${P}) ${c(0)})
  (global $ce (mut ${P}) ${c(0)})

${exports}
${helpers}
  ;; ---- the interpreter
  (func $eval (param $start ${P}) (param $stop ${P})
    (local $op i32) (local $i i32) (local $j i32) (local $k i32)
    (local $x i64) (local $y i64) (local $z i64)
    (local $p ${P}) (local $n ${P}) (local $q ${P}) (local $m ${P}) (local $r ${P}) (local $s ${P}) (local $t ${P}) (local $u ${P})
    (global.set $pc (local.get $start))
    (global.set $pe (local.get $stop))
    (loop $next
      (if (${P}.ge_u (global.get $pc) (global.get $pe)) (then (return)))
      (local.set $op (i32.load8_u (global.get $pc)))
      (global.set $pc (${P}.add (global.get $pc) ${c(1)}))
      ${dispatch}))
)
`;
}
