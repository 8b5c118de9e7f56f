/**
 * A small JavaScript fake of the `ic0` System API, only for testing the universal canister itself
 * (not Capsule): no contexts, no rollback, no cycles accounting beyond simple bookkeeping.
 */

import { buildUniversalCanister, toBytes, type Bytes, type Width } from './program.ts';

// Minimal local typing of the WebAssembly JS API (the project's lib settings do not declare it).
export type WasmValue = number | bigint;
export type WasmFunction = (...args: WasmValue[]) => WasmValue | undefined;
type WaMemory = { readonly buffer: ArrayBuffer };
type WaTable = { get(i: number): WasmFunction | null; readonly length: number };
type WaInstance = { readonly exports: Record<string, unknown> };
type WaModule = object;
type WaApi = {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): WaModule;
    imports(m: WaModule): { module: string; name: string; kind: string }[];
    exports(m: WaModule): { name: string; kind: string }[];
  };
  Instance: new (m: WaModule, imports: Record<string, Record<string, unknown>>) => WaInstance;
  RuntimeError: new (message?: string) => Error;
};
export const WA = (globalThis as unknown as { WebAssembly: WaApi }).WebAssembly;

/** Thrown by `ic0.trap` and by fake functions on misuse. */
export class Trap extends Error {}

export type CallRecord = {
  callee: Uint8Array;
  method: string;
  replyFun: number;
  replyEnv: number;
  rejectFun: number;
  rejectEnv: number;
  args: Uint8Array;
  cycles: bigint;
  cleanup?: { fun: number; env: number };
  timeoutSeconds?: number;
};

/** Per-message inputs. */
export type MessageCtx = {
  arg: Uint8Array;
  caller: Uint8Array;
  methodName: string;
  rejectCode: number;
  rejectMessage: string;
  callerInfoData: Uint8Array;
  callerInfoSigner: Uint8Array;
  available: bigint;
  refunded: bigint;
  deadline: bigint;
  certificate: Uint8Array | undefined;
  replicated: boolean;
};

export type Outcome = { reply?: Uint8Array; reject?: string; trap?: string };

const enc = new TextEncoder();
const dec = new TextDecoder();
const U64 = (1n << 64n) - 1n;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function defaultCtx(): MessageCtx {
  return {
    arg: new Uint8Array(),
    caller: Uint8Array.of(0x04),
    methodName: 'update',
    rejectCode: 0,
    rejectMessage: '',
    callerInfoData: new Uint8Array(),
    callerInfoSigner: new Uint8Array(),
    available: 0n,
    refunded: 0n,
    deadline: 0n,
    certificate: undefined,
    replicated: true,
  };
}

export class FakeIc0 {
  readonly width: Width;
  memory: WaMemory | undefined;
  /** Names of the ic0 functions called, in order. */
  readonly log: string[] = [];
  readonly prints: string[] = [];
  readonly calls: CallRecord[] = [];

  // Canister environment (persistent across messages).
  self = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 1, 1);
  subnet = Uint8Array.of(7, 7, 7);
  rootKey = new Uint8Array(133).fill(0xab);
  controllers: Uint8Array[] = [Uint8Array.of(0x04)];
  env = new Map<string, string>([
    ['B_VAR', 'two'],
    ['A_VAR', 'one'],
  ]);
  time = 1_700_000_000_000_000_000n;
  timer = 0n;
  version = 3n;
  status = 1;
  balance = 10n ** 13n;
  instructions = 0n;
  certifiedData: Uint8Array = new Uint8Array();
  stable: Uint8Array = new Uint8Array();
  /** Whether this canister is the CMC (mint_cycles128 succeeds). */
  isCmc = false;
  /** Make call_perform fail with code 2. */
  failPerform = false;

  // Per message.
  ctx: MessageCtx = defaultCtx();
  replyBuf: number[] = [];
  replied = false;
  reply: Uint8Array | undefined;
  rejected: string | undefined;
  acceptedMessage = false;
  pending: CallRecord | undefined;

  constructor(width: Width) {
    this.width = width;
  }

  beginMessage(ctx: Partial<MessageCtx>): void {
    this.ctx = { ...defaultCtx(), ...ctx };
    this.replyBuf = [];
    this.replied = false;
    this.reply = undefined;
    this.rejected = undefined;
    this.acceptedMessage = false;
    this.pending = undefined;
  }

  // ---- memory helpers
  #mem(): Uint8Array {
    if (!this.memory) throw new Error('memory not attached');
    return new Uint8Array(this.memory.buffer);
  }
  /** Unsigned value of an i32/i64 argument (JS receives them signed). */
  #u(x: WasmValue): number {
    return typeof x === 'bigint' ? Number(BigInt.asUintN(64, x)) : x >>> 0;
  }
  #read(p: WasmValue, n: WasmValue): Uint8Array {
    const [a, len] = [this.#u(p), this.#u(n)];
    const m = this.#mem();
    if (a + len > m.length) throw new Trap('heap out of bounds');
    return m.slice(a, a + len);
  }
  #write(p: WasmValue, bytes: Uint8Array): void {
    const a = this.#u(p);
    const m = this.#mem();
    if (a + bytes.length > m.length) throw new Trap('heap out of bounds');
    m.set(bytes, a);
  }
  #copyOut(src: Uint8Array, dst: WasmValue, off: WasmValue, size: WasmValue): void {
    const [o, s] = [this.#u(off), this.#u(size)];
    if (o + s > src.length) throw new Trap('source out of bounds');
    this.#write(dst, src.subarray(o, o + s));
  }
  #write128(dst: WasmValue, v: bigint): void {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, v & U64, true);
    dv.setBigUint64(8, v >> 64n, true);
    this.#write(dst, b);
  }
  #I(v: number): WasmValue {
    return this.width === 64 ? BigInt(v) : v;
  }
  #amount(hi: WasmValue, lo: WasmValue): bigint {
    return (BigInt.asUintN(64, BigInt(hi)) << 64n) | BigInt.asUintN(64, BigInt(lo));
  }
  #text(p: WasmValue, n: WasmValue): string {
    return dec.decode(this.#read(p, n));
  }
  #sortedEnv(): string[] {
    return [...this.env.keys()].sort();
  }
  #pendingCall(): CallRecord {
    if (!this.pending) throw new Trap('no pending call');
    return this.pending;
  }
  #stableGrow(pages: number, max: number): number {
    const old = this.stable.length / 65536;
    if (old + pages > max) return -1;
    const next = new Uint8Array((old + pages) * 65536);
    next.set(this.stable);
    this.stable = next;
    return old;
  }
  #stableWrite(off: WasmValue, src: WasmValue, size: WasmValue): void {
    const [o, s] = [this.#u(off), this.#u(size)];
    if (o + s > this.stable.length) throw new Trap('stable memory out of bounds');
    this.stable.set(this.#read(src, s), o);
  }
  #stableRead(dst: WasmValue, off: WasmValue, size: WasmValue): void {
    const [o, s] = [this.#u(off), this.#u(size)];
    if (o + s > this.stable.length) throw new Trap('stable memory out of bounds');
    this.#write(dst, this.stable.slice(o, o + s));
  }
  #costSign(src: WasmValue, size: WasmValue, kind: number, maxKind: number, dst: WasmValue): number {
    if (kind > maxKind) return 1;
    if (this.#text(src, size) !== 'test_key_1') return 2;
    this.#write128(dst, 26_153_846_153n);
    return 0;
  }

  /** The `ic0` implementations, keyed by name. */
  functions(): Record<string, (...a: WasmValue[]) => WasmValue | void> {
    const c = (): MessageCtx => this.ctx;
    return {
      msg_arg_data_size: () => this.#I(c().arg.length),
      msg_arg_data_copy: (d, o, s) => this.#copyOut(c().arg, d!, o!, s!),
      msg_caller_size: () => this.#I(c().caller.length),
      msg_caller_copy: (d, o, s) => this.#copyOut(c().caller, d!, o!, s!),
      msg_caller_info_data_size: () => this.#I(c().callerInfoData.length),
      msg_caller_info_data_copy: (d, o, s) => this.#copyOut(c().callerInfoData, d!, o!, s!),
      msg_caller_info_signer_size: () => this.#I(c().callerInfoSigner.length),
      msg_caller_info_signer_copy: (d, o, s) => this.#copyOut(c().callerInfoSigner, d!, o!, s!),
      msg_reject_code: () => c().rejectCode,
      msg_reject_msg_size: () => this.#I(enc.encode(c().rejectMessage).length),
      msg_reject_msg_copy: (d, o, s) => this.#copyOut(enc.encode(c().rejectMessage), d!, o!, s!),
      msg_deadline: () => c().deadline,
      msg_method_name_size: () => this.#I(enc.encode(c().methodName).length),
      msg_method_name_copy: (d, o, s) => this.#copyOut(enc.encode(c().methodName), d!, o!, s!),
      accept_message: () => {
        if (this.acceptedMessage) throw new Trap('accept_message called twice');
        this.acceptedMessage = true;
      },
      msg_reply_data_append: (p, n) => {
        if (this.replied || this.rejected !== undefined) throw new Trap('already replied');
        this.replyBuf.push(...this.#read(p!, n!));
      },
      msg_reply: () => {
        if (this.replied || this.rejected !== undefined) throw new Trap('already replied');
        this.replied = true;
        this.reply = Uint8Array.from(this.replyBuf);
      },
      msg_reject: (p, n) => {
        if (this.replied || this.rejected !== undefined) throw new Trap('already replied');
        this.rejected = this.#text(p!, n!);
      },
      msg_cycles_available128: (d) => this.#write128(d!, c().available),
      msg_cycles_refunded128: (d) => this.#write128(d!, c().refunded),
      msg_cycles_accept128: (hi, lo, d) => {
        const amount = min(this.#amount(hi!, lo!), c().available);
        c().available -= amount;
        this.balance += amount;
        this.#write128(d!, amount);
      },
      cycles_burn128: (hi, lo, d) => {
        const amount = min(this.#amount(hi!, lo!), this.balance);
        this.balance -= amount;
        this.#write128(d!, amount);
      },
      canister_cycle_balance128: (d) => this.#write128(d!, this.balance),
      canister_liquid_cycle_balance128: (d) => this.#write128(d!, this.balance - 1_000_000n),
      call_cycles_add128: (hi, lo) => {
        this.#pendingCall().cycles += this.#amount(hi!, lo!);
      },
      canister_self_size: () => this.#I(this.self.length),
      canister_self_copy: (d, o, s) => this.#copyOut(this.self, d!, o!, s!),
      subnet_self_size: () => this.#I(this.subnet.length),
      subnet_self_copy: (d, o, s) => this.#copyOut(this.subnet, d!, o!, s!),
      canister_status: () => this.status,
      canister_version: () => this.version,
      call_new: (cs, cn, ms, mn, rf, re, jf, je) => {
        this.pending = {
          callee: this.#read(cs!, cn!),
          method: this.#text(ms!, mn!),
          replyFun: this.#u(rf!),
          replyEnv: this.#u(re!),
          rejectFun: this.#u(jf!),
          rejectEnv: this.#u(je!),
          args: new Uint8Array(),
          cycles: 0n,
        };
      },
      call_on_cleanup: (f, e) => {
        const p = this.#pendingCall();
        if (p.cleanup) throw new Trap('cleanup already set');
        p.cleanup = { fun: this.#u(f!), env: this.#u(e!) };
      },
      call_data_append: (s, n) => {
        const p = this.#pendingCall();
        p.args = Uint8Array.from([...p.args, ...this.#read(s!, n!)]);
      },
      call_with_best_effort_response: (t) => {
        const p = this.#pendingCall();
        if (p.timeoutSeconds !== undefined) throw new Trap('timeout already set');
        p.timeoutSeconds = Math.min(Number(t), 300);
      },
      call_perform: () => {
        const p = this.#pendingCall();
        this.pending = undefined;
        if (this.failPerform) return 2;
        this.calls.push(p);
        return 0;
      },
      stable64_size: () => BigInt(this.stable.length / 65536),
      stable64_grow: (n) => BigInt(this.#stableGrow(Number(n), 1 << 20)),
      stable64_write: (o, s, n) => this.#stableWrite(o!, s!, n!),
      stable64_read: (d, o, n) => this.#stableRead(d!, o!, n!),
      root_key_size: () => this.#I(this.rootKey.length),
      root_key_copy: (d, o, s) => this.#copyOut(this.rootKey, d!, o!, s!),
      certified_data_set: (s, n) => {
        if (Number(n) > 32) throw new Trap('certified data too large');
        this.certifiedData = this.#read(s!, n!);
      },
      data_certificate_present: () => (c().certificate ? 1 : 0),
      data_certificate_size: () => {
        const cert = c().certificate;
        if (!cert) throw new Trap('no data certificate');
        return this.#I(cert.length);
      },
      data_certificate_copy: (d, o, s) => {
        const cert = c().certificate;
        if (!cert) throw new Trap('no data certificate');
        this.#copyOut(cert, d!, o!, s!);
      },
      time: () => this.time,
      global_timer_set: (t) => {
        const old = this.timer;
        this.timer = BigInt(t!);
        return old;
      },
      performance_counter: (t) => {
        if (Number(t) > 1) throw new Trap('bad performance counter type');
        this.instructions += 1000n;
        return this.instructions;
      },
      is_controller: (s, n) => {
        if (Number(n) > 29) throw new Trap('not a principal');
        const p = this.#read(s!, n!);
        return this.controllers.some((x) => x.length === p.length && x.every((b, i) => b === p[i])) ? 1 : 0;
      },
      in_replicated_execution: () => (c().replicated ? 1 : 0),
      debug_print: (s, n) => {
        try {
          this.prints.push(this.#text(s!, n!));
        } catch {
          this.prints.push('<out of bounds>');
        }
      },
      trap: (s, n) => {
        let msg: string;
        try {
          msg = this.#text(s!, n!);
        } catch {
          msg = '<out of bounds>';
        }
        throw new Trap(msg);
      },
      cost_call: (m, p, d) => this.#write128(d!, 5_000_000n + BigInt(m!) + BigInt(p!)),
      cost_create_canister: (d) => this.#write128(d!, 500_000_000_000n),
      cost_http_request: (r, m, d) => this.#write128(d!, BigInt(r!) * 400n + BigInt(m!) * 800n),
      cost_sign_with_ecdsa: (s, n, k, d) => this.#costSign(s!, n!, Number(k), 0, d!),
      cost_sign_with_schnorr: (s, n, k, d) => this.#costSign(s!, n!, Number(k), 1, d!),
      cost_vetkd_derive_key: (s, n, k, d) => this.#costSign(s!, n!, Number(k), 0, d!),
      env_var_count: () => this.#I(this.env.size),
      env_var_name_size: (i) => {
        const name = this.#sortedEnv()[Number(i)];
        if (name === undefined) throw new Trap('env var index out of range');
        return this.#I(enc.encode(name).length);
      },
      env_var_name_copy: (i, d, o, s) => {
        const name = this.#sortedEnv()[Number(i)];
        if (name === undefined) throw new Trap('env var index out of range');
        this.#copyOut(enc.encode(name), d!, o!, s!);
      },
      env_var_name_exists: (s, n) => (this.env.has(this.#text(s!, n!)) ? 1 : 0),
      env_var_value_size: (s, n) => {
        const v = this.env.get(this.#text(s!, n!));
        if (v === undefined) throw new Trap('unknown env var');
        return this.#I(enc.encode(v).length);
      },
      env_var_value_copy: (s, n, d, o, sz) => {
        const v = this.env.get(this.#text(s!, n!));
        if (v === undefined) throw new Trap('unknown env var');
        this.#copyOut(enc.encode(v), d!, o!, sz!);
      },
      mint_cycles128: (hi, lo, d) => {
        if (!this.isCmc) throw new Trap('only the CMC can mint cycles');
        const amount = this.#amount(hi!, lo!);
        this.balance += amount;
        this.#write128(d!, amount);
      },
      cost_http_request_v2: (s, n, d) => this.#write128(d!, 1_000n * BigInt(this.#read(s!, n!).length)),
      // legacy (wasm32 only)
      msg_cycles_available: () => {
        if (c().available > U64) throw new Trap('too many cycles');
        return c().available;
      },
      msg_cycles_refunded: () => c().refunded,
      msg_cycles_accept: (max) => {
        const m = BigInt.asUintN(64, BigInt(max!));
        const amount = m < c().available ? m : c().available;
        c().available -= amount;
        this.balance += amount;
        return amount;
      },
      canister_cycle_balance: () => this.balance & U64,
      call_cycles_add: (a) => {
        this.#pendingCall().cycles += BigInt.asUintN(64, BigInt(a!));
      },
      stable_size: () => this.stable.length / 65536,
      stable_grow: (n) => this.#stableGrow(Number(n) >>> 0, 65536),
      stable_write: (o, s, n) => this.#stableWrite(o!, s!, n!),
      stable_read: (d, o, n) => this.#stableRead(d!, o!, n!),
    };
  }
}

/** An instance of the universal canister wired to a `FakeIc0`. */
export class UcInstance {
  readonly fake: FakeIc0;
  readonly instance: WaInstance;
  readonly module: WaModule;

  private constructor(fake: FakeIc0, module: WaModule, instance: WaInstance) {
    this.fake = fake;
    this.module = module;
    this.instance = instance;
  }

  static async create(width: Width): Promise<UcInstance> {
    const fake = new FakeIc0(width);
    const module = new WA.Module(await buildUniversalCanister(width));
    const impl = fake.functions();
    const ic0: Record<string, unknown> = {};
    for (const imp of WA.Module.imports(module)) {
      const f = impl[imp.name];
      if (imp.module !== 'ic0' || !f) throw new Error(`fake ic0: no implementation of ${imp.module}.${imp.name}`);
      ic0[imp.name] = (...args: WasmValue[]) => {
        fake.log.push(imp.name);
        return f(...args);
      };
    }
    const instance = new WA.Instance(module, { ic0 });
    fake.memory = instance.exports['memory'] as WaMemory;
    return new UcInstance(fake, module, instance);
  }

  get memory(): WaMemory {
    return this.instance.exports['memory'] as WaMemory;
  }

  get table(): WaTable {
    return this.instance.exports['__indirect_function_table'] as WaTable;
  }

  #outcome(f: () => void): Outcome {
    try {
      f();
    } catch (e) {
      if (e instanceof Trap) return { trap: e.message };
      if (e instanceof WA.RuntimeError) return { trap: `wasm: ${e.message}` };
      throw e;
    }
    const out: Outcome = {};
    if (this.fake.reply) out.reply = this.fake.reply;
    if (this.fake.rejected !== undefined) out.reject = this.fake.rejected;
    return out;
  }

  /** Runs an exported function (e.g. `canister_heartbeat`) with the given message inputs. */
  run(exportName: string, ctx: Partial<MessageCtx> = {}): Outcome {
    const f = this.instance.exports[exportName];
    if (typeof f !== 'function') throw new Error(`no export ${exportName}`);
    this.fake.beginMessage(ctx);
    return this.#outcome(() => (f as () => void)());
  }

  /** Runs `canister_update update` with a program as argument. */
  update(program: Bytes, ctx: Partial<MessageCtx> = {}): Outcome {
    return this.run('canister_update update', { ...ctx, arg: toBytes(program) });
  }

  /** Invokes table entry `fun` with `env`, as the system does for call callbacks. */
  callback(fun: number, env: number, ctx: Partial<MessageCtx> = {}): Outcome {
    const f = this.table.get(fun);
    if (!f) throw new Error(`no table entry ${fun}`);
    this.fake.beginMessage(ctx);
    return this.#outcome(() => f(this.fake.width === 64 ? BigInt(env) : env));
  }
}
