/**
 * Tests of the universal test canister itself, run against a JavaScript fake of ic0
 * (no Capsule engine involved).
 */

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  OP,
  OP_TABLE,
  ONE_WAY_ENV,
  CALLBACK_FUN,
  WRONG_TYPE_FUN,
  Program,
  buildUniversalCanister,
  decodeCycles128,
  methodName,
  prog,
  u32le,
  u64le,
  type Width,
} from './program.ts';
import { UcInstance, WA, type Outcome } from './fake_ic0.ts';
import { IC0_SPEC_NAMES } from '../vectors/ic0_spec_names.ts';

const WIDTHS: readonly Width[] = [32, 64];
const enc = new TextEncoder();
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function replyOf(o: Outcome): Uint8Array {
  assert.equal(o.trap, undefined, `unexpected trap: ${o.trap}`);
  assert.ok(o.reply, `no reply (${JSON.stringify(o)})`);
  return o.reply;
}

// ---------------------------------------------------------------------------------------------
// Minimal wasm binary reader (types, imports, memories, exports, tables).

type FuncType = { params: string[]; results: string[] };
type ModuleInfo = {
  types: FuncType[];
  imports: { module: string; name: string; type: FuncType }[];
  memories: { is64: boolean }[];
  exports: { name: string; kind: number }[];
  tables: number;
};

function readModule(bytes: Uint8Array): ModuleInfo {
  let pos = 8;
  const u = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = bytes[pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return result;
    }
  };
  const name = (): string => {
    const n = u();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const valType = (): string => {
    const t = bytes[pos++]!;
    const names: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
    const v = names[t];
    if (!v) throw new Error(`value type ${t}`);
    return v;
  };
  const limits = (): number => {
    const flags = u();
    u();
    if (flags & 1) u();
    return flags;
  };
  const info: ModuleInfo = { types: [], imports: [], memories: [], exports: [], tables: 0 };
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = u();
    const end = pos + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        assert.equal(bytes[pos++], 0x60);
        const params = Array.from({ length: u() }, valType);
        const results = Array.from({ length: u() }, valType);
        info.types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        const module = name();
        const field = name();
        const kind = bytes[pos++];
        if (kind !== 0) throw new Error(`non-function import ${module}.${field}`);
        info.imports.push({ module, name: field, type: info.types[u()]! });
      }
    } else if (id === 4) {
      for (let n = u(); n > 0; n--) {
        pos++; // reftype
        limits();
        info.tables++;
      }
    } else if (id === 5) {
      for (let n = u(); n > 0; n--) info.memories.push({ is64: (limits() & 4) !== 0 });
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) {
        const ename = name();
        const kind = bytes[pos++]!;
        u();
        info.exports.push({ name: ename, kind });
      }
    }
    pos = end;
  }
  return info;
}

/**
 * ic0 signatures, transcribed from the interface spec's 'Overview of imports' (independently of source.ts).
 * `I` is the pointer width; `*` marks legacy functions (wasm32 only); `+` marks replica extras.
 */
const SPEC_SIGNATURES = `
msg_arg_data_size : -> I
msg_arg_data_copy : I I I ->
msg_caller_size : -> I
msg_caller_copy : I I I ->
msg_caller_info_data_size : -> I
msg_caller_info_data_copy : I I I ->
msg_caller_info_signer_size : -> I
msg_caller_info_signer_copy : I I I ->
msg_reject_code : -> i32
msg_reject_msg_size : -> I
msg_reject_msg_copy : I I I ->
msg_deadline : -> i64
msg_method_name_size : -> I
msg_method_name_copy : I I I ->
accept_message : ->
msg_reply_data_append : I I ->
msg_reply : ->
msg_reject : I I ->
msg_cycles_available128 : I ->
msg_cycles_refunded128 : I ->
msg_cycles_accept128 : i64 i64 I ->
cycles_burn128 : i64 i64 I ->
canister_cycle_balance128 : I ->
canister_liquid_cycle_balance128 : I ->
call_cycles_add128 : i64 i64 ->
canister_self_size : -> I
canister_self_copy : I I I ->
subnet_self_size : -> I
subnet_self_copy : I I I ->
canister_status : -> i32
canister_version : -> i64
call_new : I I I I I I I I ->
call_on_cleanup : I I ->
call_data_append : I I ->
call_with_best_effort_response : i32 ->
call_perform : -> i32
stable64_size : -> i64
stable64_grow : i64 -> i64
stable64_write : i64 i64 i64 ->
stable64_read : i64 i64 i64 ->
root_key_size : -> I
root_key_copy : I I I ->
certified_data_set : I I ->
data_certificate_present : -> i32
data_certificate_size : -> I
data_certificate_copy : I I I ->
time : -> i64
global_timer_set : i64 -> i64
performance_counter : i32 -> i64
is_controller : I I -> i32
in_replicated_execution : -> i32
debug_print : I I ->
trap : I I ->
cost_call : i64 i64 I ->
cost_create_canister : I ->
cost_http_request : i64 i64 I ->
cost_sign_with_ecdsa : I I i32 I -> i32
cost_sign_with_schnorr : I I i32 I -> i32
cost_vetkd_derive_key : I I i32 I -> i32
env_var_count : -> I
env_var_name_size : I -> I
env_var_name_copy : I I I I ->
env_var_name_exists : I I -> i32
env_var_value_size : I I -> I
env_var_value_copy : I I I I I ->
*msg_cycles_available : -> i64
*msg_cycles_refunded : -> i64
*msg_cycles_accept : i64 -> i64
*canister_cycle_balance : -> i64
*call_cycles_add : i64 ->
*stable_size : -> i32
*stable_grow : i32 -> i32
*stable_write : i32 i32 i32 ->
*stable_read : i32 i32 i32 ->
+mint_cycles128 : i64 i64 I ->
+cost_http_request_v2 : I I I ->
`;

function expectedImports(width: Width): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of SPEC_SIGNATURES.trim().split('\n')) {
    const legacy = line.startsWith('*');
    const [name, sig] = line.replace(/^[*+]/, '').split(' : ') as [string, string];
    if (legacy && width === 64) continue;
    out.set(name, sig.replaceAll('I', width === 32 ? 'i32' : 'i64').trim());
  }
  return out;
}

const sigText = (t: FuncType): string => `${[...t.params, '->', ...t.results].join(' ')}`;

const EXPECTED_EXPORTS = [
  'canister_update update',
  'canister_query query',
  'canister_composite_query composite_query',
  'canister_query transform',
  'canister_init',
  'canister_post_upgrade',
  'canister_pre_upgrade',
  'canister_heartbeat',
  'canister_global_timer',
  'canister_on_low_wasm_memory',
  'canister_inspect_message',
  'memory',
  '__indirect_function_table',
];

// ---------------------------------------------------------------------------------------------

describe('module shape', () => {
  for (const width of WIDTHS) {
    test(`wasm${width}: validates, one memory, exports and ic0 imports match the interface spec`, async () => {
      const wasm = await buildUniversalCanister(width);
      assert.ok(WA.validate(wasm));
      const info = readModule(wasm);
      assert.equal(info.memories.length, 1);
      assert.equal(info.memories[0]!.is64, width === 64);
      assert.equal(info.tables, 1);
      assert.deepEqual(info.exports.map((e) => e.name).sort(), [...EXPECTED_EXPORTS].sort());

      const expected = expectedImports(width);
      const actual = new Map(info.imports.map((i) => [i.name, sigText(i.type)]));
      assert.ok(info.imports.every((i) => i.module === 'ic0'));
      assert.equal(actual.size, info.imports.length, 'duplicate imports');
      assert.deepEqual([...actual.entries()].sort(), [...expected.entries()].sort());
      // Every spec name is imported (legacy ones only by the wasm32 build).
      for (const name of IC0_SPEC_NAMES) {
        const legacy = SPEC_SIGNATURES.includes(`\n*${name} :`);
        assert.equal(actual.has(name), width === 32 || !legacy, name);
      }
      assert.equal(IC0_SPEC_NAMES.length, 74);
    });
  }

  test('memoized build returns equal, independent copies', async () => {
    const a = await buildUniversalCanister(32);
    const b = await buildUniversalCanister(32);
    assert.deepEqual(a, b);
    a[0] = 0xff;
    assert.notEqual((await buildUniversalCanister(32))[0], 0xff);
  });
});

describe('program builder', () => {
  test('encodes like the IC universal canister', () => {
    assert.equal(hex(prog().pushBytes('Hi').replyDataAppend().reply().build()), '030200000048690405');
    assert.equal(hex(prog().replyData('Hi').build()), '030200000048690405');
    assert.equal(hex(prog().pushInt(7).build()), '0207000000');
    assert.equal(hex(prog().pushInt64(1n).build()), '1f0100000000000000');
    assert.equal(hex(prog().pushInt(-1).build()), '02ffffffff');
    assert.equal(hex(prog().stableGrow(1).build()), '020100000010');
    assert.equal(hex(prog().trapIfEq('a', 'm').build()), '030100000061' + '03010000006d' + '2b');
    assert.throws(() => prog().pushInt(2 ** 32), RangeError);
    assert.throws(() => prog().pushInt64(1n << 64n), RangeError);
  });

  test('every opcode has a method that emits it', () => {
    const immediates = new Set(['PushInt', 'PushInt64', 'PushBytes']);
    const codes = new Set<number>();
    for (const op of OP_TABLE) {
      assert.ok(!codes.has(op.code), `duplicate code ${op.code}`);
      codes.add(op.code);
      assert.equal(OP[op.name], op.code);
      const m = (Program.prototype as unknown as Record<string, unknown>)[methodName(op.name)];
      assert.equal(typeof m, 'function', `no method ${methodName(op.name)}`);
      if (immediates.has(op.name)) continue;
      const p = prog();
      (m as (this: Program) => Program).call(p);
      assert.deepEqual([...p.build()], [op.code], op.name);
    }
  });

  test('IC numbering of 0–97', () => {
    const ic: Record<number, string> = {
      0: 'Noop', 3: 'PushBytes', 25: 'AppendGlobal', 32: 'CallNew', 35: 'CallPerform', 41: 'AcceptMessage',
      50: 'Int64ToBlob', 55: 'CallCyclesAdd128', 69: 'SetTransform', 76: 'OneWayCallNew', 77: 'IsController',
      84: 'MemorySizeIsAtLeast', 85: 'MintCycles128', 93: 'CallDataAppendCyclesAddMax', 95: 'SetOnLowWasmMemoryMethod',
      97: 'CostHttpRequestV2',
    };
    for (const [code, name] of Object.entries(ic)) assert.equal(OP[name], Number(code));
    const ics = OP_TABLE.filter((o) => o.code < 128).map((o) => o.code);
    assert.deepEqual(ics, [...Array(98).keys()]);
  });

  test('README opcode table matches ops.ts', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const op of OP_TABLE) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${op.code} | ${op.name} |`));
      assert.ok(row, `README lacks ${op.code} ${op.name}`);
      assert.ok(row.includes(`\`${op.effect}\``), `README effect of ${op.name}`);
    }
  });
});

for (const width of WIDTHS) {
  describe(`interpreter (wasm${width})`, () => {
    test('replies with "Hi" from the raw example program', async () => {
      const uc = await UcInstance.create(width);
      const raw = Uint8Array.from(Buffer.from('030200000048690405', 'hex'));
      assert.equal(text(replyOf(uc.update(raw))), 'Hi');
    });

    test('stack values are typed; wrong or missing values trap', async () => {
      const uc = await UcInstance.create(width);
      assert.equal(uc.update(prog().pushInt(1).replyDataAppend()).trap, 'did not find blob on stack');
      assert.equal(uc.update(prog().pushBytes('x').intToBlob()).trap, 'did not find I32 on stack');
      assert.equal(uc.update(prog().pushInt(1).int64ToBlob()).trap, 'did not find I64 on stack');
      assert.equal(uc.update(prog().int64ToBlob()).trap, 'did not find I64 on stack');
      assert.equal(uc.update(prog().op(200)).trap, 'unknown op 200');
      assert.equal(uc.update(prog().op(98)).trap, 'unknown op 98');
      assert.equal(uc.update(prog().op(OP.PushInt).raw([1, 2])).trap, 'universal canister: program truncated');
      assert.equal(uc.update(prog().op(OP.PushBytes).raw(u32le(5)).raw('abc')).trap, 'universal canister: program truncated');
      assert.equal(uc.update(prog().trap('boom')).trap, 'boom');
      // Drop on an empty stack is a no-op, as in the IC UC.
      assert.equal(text(replyOf(uc.update(prog().drop().replyData('ok')))), 'ok');
    });

    test('values and blob operations', async () => {
      const uc = await UcInstance.create(width);
      const r = (p: Program): string => hex(replyOf(uc.update(p)));
      assert.equal(r(prog().pushInt(0x01020304).replyInt()), '04030201');
      assert.equal(r(prog().pushInt64(0x0102030405060708n).replyInt64()), '0807060504030201');
      assert.equal(r(prog().pushBytes('ab').pushBytes('cd').concat().appendAndReply()), hex(enc.encode('abcd')));
      assert.equal(r(prog().pushBytes('abc').blobLength().replyInt()), '03000000');
      assert.equal(r(prog().pushEqualBytes(0x61, 3).appendAndReply()), '616161');
      assert.equal(r(prog().pushBytes('x').dup().concat().appendAndReply()), '7878');
      assert.equal(r(prog().pushBytes('a').pushBytes('b').swap().concat().appendAndReply()), '6261');
      assert.equal(r(prog().pushBytes(u32le(7)).blobToInt().replyInt()), '07000000');
      assert.equal(r(prog().pushBytes(u64le(9n)).blobToInt64().replyInt64()), '0900000000000000');
      assert.equal(r(prog().pushBytes([5]).blobToInt64().replyInt64()), '0500000000000000');
      assert.equal(uc.update(prog().pushBytes('a').trapIfEq('a', 'same')).trap, 'same');
      assert.equal(r(prog().pushBytes('a').trapIfEq('b', 'same').replyData('ok')), hex(enc.encode('ok')));
      assert.equal(uc.update(prog().pushBytes('a').trapIfNeq('b', 'differ')).trap, 'differ');
      assert.equal(r(prog().pushBytes('a').trapIfNeq('a', 'differ').replyData('ok')), hex(enc.encode('ok')));
      assert.equal(uc.update(prog().reject('nope')).reject, 'nope');
    });

    test('message data, caller, self and other blobs', async () => {
      const uc = await UcInstance.create(width);
      const caller = Uint8Array.of(1, 2, 3);
      const r = (p: Program, ctx = {}): Uint8Array => replyOf(uc.update(p, ctx));
      const whole = prog().messagePayload().appendAndReply();
      assert.deepEqual(r(whole), whole.build());
      const part = prog().msgArgDataCopy(1, 4).appendAndReply();
      assert.deepEqual(r(part), part.build().subarray(1, 5));
      assert.deepEqual(r(prog().msgArgDataSize().replyInt()), u32le(prog().msgArgDataSize().replyInt().length));
      assert.deepEqual(r(prog().caller().appendAndReply(), { caller }), caller);
      assert.deepEqual(r(prog().msgCallerCopy(1, 2).appendAndReply(), { caller }), caller.subarray(1));
      assert.deepEqual(r(prog().msgCallerSize().replyInt(), { caller }), u32le(3));
      assert.deepEqual(r(prog().self().appendAndReply()), uc.fake.self);
      assert.deepEqual(r(prog().subnetSelf().appendAndReply()), uc.fake.subnet);
      assert.deepEqual(r(prog().rootKey().appendAndReply()), uc.fake.rootKey);
      assert.deepEqual(r(prog().pushInt(0).rootKeySize().rootKeyCopy().appendAndReply()), uc.fake.rootKey);
      assert.equal(text(r(prog().msgMethodName().appendAndReply(), { methodName: 'hello' })), 'hello');
      assert.equal(text(r(prog().envVarName(0).appendAndReply())), 'A_VAR');
      assert.equal(text(r(prog().envVarValue('B_VAR').appendAndReply())), 'two');
      assert.equal(text(r(prog().envVarValueCopy('B_VAR', 1, 2).appendAndReply())), 'wo');
      assert.deepEqual(r(prog().envVarCount().replyInt()), u32le(2));
      assert.deepEqual(r(prog().envVarNameExists('nope').replyInt()), u32le(0));
      assert.deepEqual(
        r(prog().msgCallerInfoData().msgCallerInfoSigner().concat().appendAndReply(), {
          callerInfoData: Uint8Array.of(9),
          callerInfoSigner: Uint8Array.of(8),
        }),
        Uint8Array.of(9, 8),
      );
      assert.equal(
        text(r(prog().rejectCode().intToBlob().rejectMessage().concat().appendAndReply(), { rejectCode: 4, rejectMessage: 'no' })),
        '\x04\0\0\0no',
      );
      assert.equal(uc.update(prog().dataCertificate()).trap, 'no data certificate');
      assert.deepEqual(r(prog().dataCertificate().appendAndReply(), { certificate: Uint8Array.of(1, 2) }), Uint8Array.of(1, 2));
    });

    test('the global blob and counter persist across messages', async () => {
      const uc = await UcInstance.create(width);
      replyOf(uc.update(prog().setGlobal('hello').replyData('')));
      assert.equal(text(replyOf(uc.update(prog().getGlobal().appendAndReply()))), 'hello');
      replyOf(uc.update(prog().appendGlobal(' world').incGlobalCounter().incGlobalCounter().replyData('')));
      assert.equal(text(replyOf(uc.update(prog().getGlobal().appendAndReply()))), 'hello world');
      assert.deepEqual(replyOf(uc.update(prog().getGlobalCounter().replyInt64())), u64le(2));
      // A value read before SetGlobal stays valid after it.
      assert.equal(text(replyOf(uc.update(prog().getGlobal().setGlobal('x').getGlobal().concat().appendAndReply()))), 'hello worldx');
    });

    test('heap stays bounded when persistent values are replaced many times', async () => {
      const uc = await UcInstance.create(width);
      for (let i = 0; i < 100; i++) {
        const size = 1000 + ((i * 7919) % 200_000);
        replyOf(uc.update(prog().pushEqualBytes(i & 0xff, size).setGlobal().setHeartbeat(prog().noop()).replyData('')));
      }
      const last = replyOf(uc.update(prog().getGlobal().blobLength().replyInt()));
      assert.deepEqual(last, u32le(1000 + ((99 * 7919) % 200_000)));
      assert.ok(uc.memory.buffer.byteLength < 4 * 1024 * 1024, `memory grew to ${uc.memory.buffer.byteLength}`);
    });

    test('heap keeps live data intact under interleaved allocations and frees', async () => {
      const uc = await UcInstance.create(width);
      let global = new Uint8Array();
      const pending: { env: number; marker: string }[] = [];
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 150; i++) {
        const choice = rand(4);
        if (choice === 0) {
          const size = rand(70_000);
          replyOf(uc.update(prog().pushEqualBytes(i & 0xff, size).setGlobal().replyData('')));
          global = new Uint8Array(size).fill(i & 0xff);
        } else if (choice === 1) {
          const add = new Uint8Array(rand(5000)).fill(0x55);
          replyOf(uc.update(prog().appendGlobal(add).replyData('')));
          global = Uint8Array.from([...global, ...add]);
        } else if (choice === 2) {
          const marker = `call-${i}-`.padEnd(10 + rand(3000), '#');
          replyOf(uc.update(prog().callNew(Uint8Array.of(1), 'm', { onReply: prog().replyData(marker) }).perform().replyData('')));
          pending.push({ env: uc.fake.calls.at(-1)!.replyEnv, marker });
        } else if (pending.length > 0) {
          const [job] = pending.splice(rand(pending.length), 1);
          assert.equal(text(replyOf(uc.callback(CALLBACK_FUN, job!.env))), job!.marker);
        }
        const got = replyOf(uc.update(prog().getGlobal().appendAndReply()));
        assert.equal(got.length, global.length);
        assert.ok(got.every((b, k) => b === global[k]), `global corrupted at step ${i}`);
      }
      for (const job of pending) assert.equal(text(replyOf(uc.callback(CALLBACK_FUN, job.env))), job.marker);
    });

    test('calls: callback programs are stored, run once, and freed with their siblings', async () => {
      const uc = await UcInstance.create(width);
      const callee = Uint8Array.of(9, 9);
      const out = uc.update(
        prog()
          .callNew(callee, 'update', {
            onReply: prog().pushBytes('reply:').messagePayload().concat().appendAndReply(),
            onReject: prog().pushBytes('reject:').rejectMessage().concat().appendAndReply(),
          })
          .callDataAppend('args')
          .callCyclesAdd128Amount((1n << 64n) + 5n)
          .perform()
          .replyData('sent'),
      );
      assert.equal(text(replyOf(out)), 'sent');
      const [call] = uc.fake.calls;
      assert.ok(call);
      assert.deepEqual(call.callee, callee);
      assert.equal(call.method, 'update');
      assert.equal(text(call.args), 'args');
      assert.equal(call.cycles, (1n << 64n) + 5n);
      assert.equal(call.replyFun, CALLBACK_FUN);
      assert.equal(call.rejectFun, CALLBACK_FUN);
      assert.notEqual(call.replyEnv, call.rejectEnv);

      const r = uc.callback(call.replyFun, call.replyEnv, { arg: enc.encode('pong') });
      assert.equal(text(replyOf(r)), 'reply:pong');
      const taken = 'callback: env is unknown or already taken';
      assert.equal(uc.callback(call.replyFun, call.replyEnv).trap, taken);
      assert.equal(uc.callback(call.rejectFun, call.rejectEnv).trap, taken);
      assert.equal(uc.callback(CALLBACK_FUN, 1000).trap, taken);
    });

    test('calls: reject and cleanup callbacks, one-way calls, failed perform', async () => {
      const uc = await UcInstance.create(width);
      replyOf(
        uc.update(
          prog()
            .callNew(Uint8Array.of(1), 'm', { onCleanup: prog().setGlobal('cleaned') })
            .callWithBestEffortResponse(10)
            .perform()
            .replyData(''),
        ),
      );
      const call = uc.fake.calls.at(-1)!;
      assert.equal(call.timeoutSeconds, 10);
      assert.ok(call.cleanup);
      const rej = uc.callback(call.rejectFun, call.rejectEnv, { rejectCode: 3, rejectMessage: 'gone' });
      assert.deepEqual(replyOf(rej), Uint8Array.from([...u32le(3), ...enc.encode('gone')]));
      // After the reject callback ran, the cleanup program was freed too.
      assert.ok(uc.callback(call.cleanup.fun, call.cleanup.env).trap);

      // Cleanup runs on the state from before the callback (as after a trapped callback).
      replyOf(uc.update(prog().callNew(Uint8Array.of(1), 'm', { onCleanup: prog().setGlobal('cleaned') }).perform().replyData('')));
      const call2 = uc.fake.calls.at(-1)!;
      assert.deepEqual(uc.callback(call2.cleanup!.fun, call2.cleanup!.env), {});
      assert.equal(text(replyOf(uc.update(prog().getGlobal().appendAndReply()))), 'cleaned');
      assert.ok(uc.callback(call2.replyFun, call2.replyEnv).trap);

      // One-way calls pass env 0xFFFFFFFF; the callback does nothing.
      replyOf(uc.update(prog().oneWayCall(Uint8Array.of(2), 'ping', 'x').replyData('')));
      const ow = uc.fake.calls.at(-1)!;
      assert.equal(ow.replyEnv, ONE_WAY_ENV);
      assert.equal(ow.rejectEnv, ONE_WAY_ENV);
      assert.deepEqual(uc.callback(CALLBACK_FUN, ONE_WAY_ENV), {});

      // Raw call_new: arbitrary table indices (index 1 has the wrong type).
      replyOf(uc.update(prog().callNewRaw(Uint8Array.of(3), 'm', WRONG_TYPE_FUN, 7, 5, 8).perform().replyData('')));
      const raw = uc.fake.calls.at(-1)!;
      assert.deepEqual([raw.replyFun, raw.replyEnv, raw.rejectFun, raw.rejectEnv], [WRONG_TYPE_FUN, 7, 5, 8]);
      assert.equal(uc.table.length, 2);

      // Failing call_perform: CallPerform traps, CallPerformErrCode reports 2.
      uc.fake.failPerform = true;
      assert.equal(uc.update(prog().callNew(Uint8Array.of(1), 'm').perform()).trap, 'call_perform failed');
      assert.deepEqual(replyOf(uc.update(prog().callNew(Uint8Array.of(1), 'm').callPerformErrCode().replyInt())), u32le(2));
    });

    test('system entry points run their stored programs', async () => {
      const uc = await UcInstance.create(width);
      // inspect accepts by default
      assert.deepEqual(uc.run('canister_inspect_message'), {});
      assert.ok(uc.fake.acceptedMessage);
      const hooks: [string, (p: Program) => Program][] = [
        ['canister_heartbeat', (p) => prog().setHeartbeat(p)],
        ['canister_global_timer', (p) => prog().setGlobalTimerMethod(p)],
        ['canister_pre_upgrade', (p) => prog().setPreUpgrade(p)],
        ['canister_on_low_wasm_memory', (p) => prog().setOnLowWasmMemory(p)],
        ['canister_inspect_message', (p) => prog().setInspectMessage(p)],
        ['canister_query transform', (p) => prog().setTransform(p)],
      ];
      for (const [hook, set] of hooks) {
        replyOf(uc.update(set(prog().debugPrint(hook)).replyData('')));
        uc.fake.prints.length = 0;
        assert.deepEqual(uc.run(hook), {});
        assert.deepEqual(uc.fake.prints, [hook]);
      }
      replyOf(uc.update(prog().setInspectMessage(prog().trap('refused')).replyData('')));
      assert.equal(uc.run('canister_inspect_message').trap, 'refused');
      // init / post_upgrade / query / composite_query run their argument
      for (const e of ['canister_init', 'canister_post_upgrade', 'canister_query query', 'canister_composite_query composite_query']) {
        assert.equal(text(replyOf(uc.run(e, { arg: prog().replyData(e).build() }))), e);
      }
    });

    test('stable memory', async () => {
      const uc = await UcInstance.create(width);
      const r = (p: Program): Uint8Array => replyOf(uc.update(p));
      assert.deepEqual(r(prog().stableGrow64(1).replyInt64()), u64le(0));
      assert.deepEqual(r(prog().stableWrite64(10, 'abc').stableRead64(10, 3).appendAndReply()), enc.encode('abc'));
      assert.deepEqual(r(prog().stableFill64(0, 0x7a, 2).stableRead64(0, 3).appendAndReply()), Uint8Array.of(0x7a, 0x7a, 0));
      assert.deepEqual(r(prog().stableSize64().replyInt64()), u64le(1));
      if (width === 32) {
        assert.deepEqual(r(prog().stableGrow(1).replyInt()), u32le(1));
        assert.deepEqual(r(prog().stableWrite(70000, 'xy').stableRead(70000, 2).appendAndReply()), enc.encode('xy'));
        assert.deepEqual(r(prog().stableFill(5, 0x41, 1).stableRead(4, 3).appendAndReply()), Uint8Array.of(0, 0x41, 0));
        assert.deepEqual(r(prog().stableSize().replyInt()), u32le(2));
      } else {
        for (const p of [prog().stableSize(), prog().stableGrow(1), prog().cyclesBalance(), prog().callCyclesAdd(1)]) {
          assert.equal(uc.update(p).trap, 'legacy 32-bit System API is not available in the wasm64 build');
        }
      }
    });

    test('cycles', async () => {
      const uc = await UcInstance.create(width);
      const r = (p: Program, ctx = {}): bigint => decodeCycles128(replyOf(uc.update(p, ctx)));
      uc.fake.balance = (1n << 70n) + 3n;
      assert.equal(r(prog().cyclesBalance128().appendAndReply()), (1n << 70n) + 3n);
      assert.equal(r(prog().cyclesAvailable128().appendAndReply(), { available: 77n }), 77n);
      assert.equal(r(prog().cyclesRefunded128().appendAndReply(), { refunded: 5n }), 5n);
      assert.equal(r(prog().acceptCycles128Amount(50n).appendAndReply(), { available: 30n }), 30n);
      assert.equal(r(prog().cyclesBurn128Amount(10n).appendAndReply()), 10n);
      assert.equal(r(prog().costCall(3, 4).appendAndReply()), 5_000_007n);
      assert.equal(r(prog().costCreateCanister().appendAndReply()), 500_000_000_000n);
      assert.equal(r(prog().costHttpRequest(1, 1).appendAndReply()), 1200n);
      assert.equal(r(prog().costHttpRequestV2('abcd').appendAndReply()), 4000n);
      assert.equal(r(prog().costSignWithEcdsa('test_key_1', 0).appendAndReply()), 26_153_846_153n);
      assert.equal(r(prog().costSignWithSchnorr('test_key_1', 1).appendAndReply()), 26_153_846_153n);
      assert.equal(r(prog().costVetkdDeriveKey('test_key_1', 0).appendAndReply()), 26_153_846_153n);
      assert.equal(uc.update(prog().costSignWithEcdsa('test_key_1', 1)).trap, 'cost_sign_with_ecdsa failed');
      assert.deepEqual(replyOf(uc.update(prog().costSignWithSchnorrCode('nokey', 0).replyInt())), u32le(2));
      assert.deepEqual(replyOf(uc.update(prog().costVetkdDeriveKeyCode('test_key_1', 9).replyInt())), u32le(1));
      assert.equal(uc.update(prog().mintCycles128Amount(5n)).trap, 'only the CMC can mint cycles');
      uc.fake.isCmc = true;
      assert.equal(r(prog().mintCycles128Amount(5n).appendAndReply()), 5n);
      assert.deepEqual(replyOf(uc.update(prog().mintCycles(6).replyInt64())), u64le(6));
      const liquid = uc.fake.balance - 1_000_000n;
      replyOf(uc.update(prog().callNew(Uint8Array.of(1), 'mm').callDataAppendCyclesAddMax(2, 'payload').perform().replyData('')));
      assert.equal(uc.fake.calls.at(-1)!.cycles, liquid - (5_000_000n + 2n + 7n));
      if (width === 32) {
        const r64 = (p: Program, ctx = {}): Uint8Array => replyOf(uc.update(p, ctx));
        assert.deepEqual(r64(prog().cyclesAvailable().replyInt64(), { available: 9n }), u64le(9));
        assert.deepEqual(r64(prog().acceptCycles(4).replyInt64(), { available: 9n }), u64le(4));
        assert.deepEqual(r64(prog().cyclesRefunded().replyInt64(), { refunded: 2n }), u64le(2));
        assert.deepEqual(r64(prog().cyclesBalance().replyInt64()), u64le(uc.fake.balance & ((1n << 64n) - 1n)));
      }
    });

    test('misc System API', async () => {
      const uc = await UcInstance.create(width);
      const r = (p: Program, ctx = {}): Uint8Array => replyOf(uc.update(p, ctx));
      assert.deepEqual(r(prog().time().replyInt64()), u64le(uc.fake.time));
      assert.deepEqual(r(prog().apiGlobalTimerSet(5).apiGlobalTimerSet(6).replyInt64()), u64le(5));
      assert.equal(uc.fake.timer, 6n);
      assert.deepEqual(r(prog().canisterVersion().replyInt64()), u64le(3));
      assert.deepEqual(r(prog().canisterStatus().replyInt()), u32le(1));
      assert.deepEqual(r(prog().isController(Uint8Array.of(4)).replyInt()), u32le(1));
      assert.deepEqual(r(prog().isController(Uint8Array.of(5)).replyInt()), u32le(0));
      assert.deepEqual(r(prog().inReplicatedExecution().replyInt(), { replicated: false }), u32le(0));
      assert.deepEqual(r(prog().msgDeadline().replyInt64(), { deadline: 42n }), u64le(42));
      assert.deepEqual(r(prog().dataCertificatePresent().replyInt()), u32le(0));
      replyOf(uc.update(prog().certifiedDataSet('cd').replyData('')));
      assert.equal(text(uc.fake.certifiedData), 'cd');
      replyOf(uc.update(prog().instructionCounterIsAtLeast(5000).replyData('')));
      assert.ok(uc.fake.instructions >= 5000n);
      replyOf(uc.update(prog().debugPrint('hi').badPrint().replyData('')));
      assert.deepEqual(uc.fake.prints.slice(-2), ['hi', '<out of bounds>']);
      const before = uc.memory.buffer.byteLength;
      replyOf(uc.update(prog().memorySizeIsAtLeast(before + 200_000).replyData('')));
      assert.ok(uc.memory.buffer.byteLength > before + 200_000);
      replyOf(uc.update(prog().wasmMemoryGrow(2).replyData('')));
      const now = uc.memory.buffer.byteLength;
      assert.deepEqual(r(prog().wasmMemorySize().replyInt64()), u64le(now));
      replyOf(uc.update(prog().acceptMessage().replyData('')));
      assert.ok(uc.fake.acceptedMessage);
    });

    test('ParsePrincipal renders the textual form', async () => {
      const uc = await UcInstance.create(width);
      for (const bytes of [new Uint8Array(), Uint8Array.of(4), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 1, 1), new Uint8Array(29).fill(0xee)]) {
        const got = text(replyOf(uc.update(prog().parsePrincipal(bytes).appendAndReply())));
        assert.equal(got, Principal.fromUint8Array(bytes).toText());
      }
    });

    test('HTTP outcall helpers speak Candid', async () => {
      const uc = await UcInstance.create(width);
      const Header = IDL.Record({ name: IDL.Text, value: IDL.Text });
      const HttpResult = IDL.Record({ status: IDL.Nat, headers: IDL.Vec(Header), body: IDL.Vec(IDL.Nat8) });
      const body = new Uint8Array(300).map((_, i) => i & 0xff);
      const reply = replyOf(uc.update(prog().getHttpReplyWithBody(body).appendAndReply()));
      const [decoded] = IDL.decode([HttpResult], reply) as unknown as [{ status: bigint; headers: unknown[]; body: Uint8Array }];
      assert.equal(decoded.status, 200n);
      assert.deepEqual(decoded.headers, []);
      assert.deepEqual(Uint8Array.from(decoded.body), body);

      const TransformArgs = IDL.Record({ response: HttpResult, context: IDL.Vec(IDL.Nat8) });
      const arg = IDL.encode([TransformArgs], [{ response: { status: 404n, headers: [{ name: 'a', value: 'b' }], body: [1, 2] }, context: [7, 8, 9] }]);
      const ctx = replyOf(uc.update(prog().pushBytes(new Uint8Array(arg)).getHttpTransformContext().appendAndReply()));
      assert.deepEqual(ctx, Uint8Array.of(7, 8, 9));
      assert.equal(uc.update(prog().pushBytes('nope').getHttpTransformContext()).trap, 'universal canister: malformed Candid');
    });

    test('every imported ic0 function is reachable from a program', async () => {
      const uc = await UcInstance.create(width);
      const x = Uint8Array.of(1);
      const call = (): Program => prog().callNew(x, 'm');
      const probes: Record<string, Program> = {
        msg_arg_data_size: prog().msgArgDataSize(),
        msg_arg_data_copy: prog().msgArgDataCopy(0, 0),
        msg_caller_size: prog().msgCallerSize(),
        msg_caller_copy: prog().msgCallerCopy(0, 0),
        msg_caller_info_data_size: prog().msgCallerInfoDataSize(),
        msg_caller_info_data_copy: prog().msgCallerInfoDataCopy(0, 0),
        msg_caller_info_signer_size: prog().msgCallerInfoSignerSize(),
        msg_caller_info_signer_copy: prog().msgCallerInfoSignerCopy(0, 0),
        msg_reject_code: prog().rejectCode(),
        msg_reject_msg_size: prog().msgRejectMsgSize(),
        msg_reject_msg_copy: prog().msgRejectMsgCopy(0, 0),
        msg_deadline: prog().msgDeadline(),
        msg_method_name_size: prog().msgMethodNameSize(),
        msg_method_name_copy: prog().msgMethodNameCopy(0, 1),
        accept_message: prog().acceptMessage(),
        msg_reply_data_append: prog().replyDataAppend('x'),
        msg_reply: prog().reply(),
        msg_reject: prog().reject('x'),
        msg_cycles_available128: prog().cyclesAvailable128(),
        msg_cycles_refunded128: prog().cyclesRefunded128(),
        msg_cycles_accept128: prog().acceptCycles128(0, 1),
        cycles_burn128: prog().cyclesBurn128(0, 1),
        canister_cycle_balance128: prog().cyclesBalance128(),
        canister_liquid_cycle_balance128: prog().liquidCyclesBalance128(),
        call_cycles_add128: call().callCyclesAdd128(0, 1),
        canister_self_size: prog().canisterSelfSize(),
        canister_self_copy: prog().canisterSelfCopy(0, 1),
        subnet_self_size: prog().subnetSelfSize(),
        subnet_self_copy: prog().subnetSelfCopy(0, 1),
        canister_status: prog().canisterStatus(),
        canister_version: prog().canisterVersion(),
        call_new: call(),
        call_on_cleanup: call().callOnCleanup(prog()),
        call_data_append: call().callDataAppend('a'),
        call_with_best_effort_response: call().callWithBestEffortResponse(1),
        call_perform: call().perform(),
        stable64_size: prog().stableSize64(),
        stable64_grow: prog().stableGrow64(1),
        stable64_write: prog().stableWrite64(0, 'a'),
        stable64_read: prog().stableRead64(0, 1),
        root_key_size: prog().rootKeySize(),
        root_key_copy: prog().rootKeyCopy(0, 1),
        certified_data_set: prog().certifiedDataSet('a'),
        data_certificate_present: prog().dataCertificatePresent(),
        data_certificate_size: prog().dataCertificateSize(),
        data_certificate_copy: prog().dataCertificateCopy(0, 1),
        time: prog().time(),
        global_timer_set: prog().apiGlobalTimerSet(0),
        performance_counter: prog().getPerformanceCounter(1),
        is_controller: prog().isController(x),
        in_replicated_execution: prog().inReplicatedExecution(),
        debug_print: prog().debugPrint('a'),
        trap: prog().trap('a'),
        cost_call: prog().costCall(1, 1),
        cost_create_canister: prog().costCreateCanister(),
        cost_http_request: prog().costHttpRequest(1, 1),
        cost_sign_with_ecdsa: prog().costSignWithEcdsaCode('k', 0),
        cost_sign_with_schnorr: prog().costSignWithSchnorrCode('k', 0),
        cost_vetkd_derive_key: prog().costVetkdDeriveKeyCode('k', 0),
        env_var_count: prog().envVarCount(),
        env_var_name_size: prog().envVarNameSize(0),
        env_var_name_copy: prog().envVarNameCopy(0, 0, 1),
        env_var_name_exists: prog().envVarNameExists('A_VAR'),
        env_var_value_size: prog().envVarValueSize('A_VAR'),
        env_var_value_copy: prog().envVarValueCopy('A_VAR', 0, 1),
        mint_cycles128: prog().mintCycles128(0, 1),
        cost_http_request_v2: prog().costHttpRequestV2('p'),
        msg_cycles_available: prog().cyclesAvailable(),
        msg_cycles_refunded: prog().cyclesRefunded(),
        msg_cycles_accept: prog().acceptCycles(1),
        canister_cycle_balance: prog().cyclesBalance(),
        call_cycles_add: call().callCyclesAdd(1),
        stable_size: prog().stableSize(),
        stable_grow: prog().stableGrow(1),
        stable_write: prog().stableWrite(0, 'a'),
        stable_read: prog().stableRead(0, 1),
      };
      uc.fake.isCmc = true;
      const imported = WA.Module.imports(uc.module).map((i) => i.name);
      for (const name of imported) {
        const probe = probes[name];
        assert.ok(probe, `no probe for ${name}`);
        uc.fake.log.length = 0;
        uc.update(probe, { certificate: Uint8Array.of(1) });
        assert.ok(uc.fake.log.includes(name), `${name} not reached (log: ${uc.fake.log.join(',')})`);
      }
    });
  });
}
