// Where a calling canister, a user or a callback can see the replica's exact words and order: rejects
// passed between canisters carry "ICxxxx: ", a canister's own reject of a user is IC0406, refunds
// reach the callback, unaccepted cycles stay available after a reply, a composite query may call its
// own canister, and the replica's wording for empty, missing and unroutable canisters and failed cleanups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CallError, Capsule } from '../../src/api/index.ts';
import { Principal } from '../../src/state/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { CYCLES_LEDGER } from '../../src/system_canisters/index.ts';
import { wat } from '../support/build.ts';

const DOCS = 'See documentation: https://internetcomputer.org/docs/current/references/execution-errors';
const HANDLE = 'Consider gracefully handling failures from this canister or altering the canister to handle exceptions.';

/**
 * One module for both ends. `forward` takes [callee: 10 bytes][mode: 1][cycles: u64 LE][method] and
 * calls the callee; the reply callback answers [refunded: u128][balance: u128] (mode 1: it traps, and
 * so does its cleanup); the reject callback answers [reject code: u32][message]. The callee side:
 * `trap`, `reject`, `silent` (never answers), `keep` (replies, accepts nothing), `take` (replies, then accepts what is still
 * available), the query `inner` and the composite query `outer` (calls its own `inner`; its reply
 * callback, at table index 3, answers what `inner` answered), and the composite query `mark` (writes 'X' at
 * 500, calls its own `peek`, which answers the byte at 500; its callback, at 4, answers both bytes); and
 * `spin_outer`, a composite query whose call to its own `spin` never ends.
 */
const RELAY = `(module
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reject" (func $reject (param i32 i32)))
  (import "ic0" "msg_reject_code" (func $reject_code (result i32)))
  (import "ic0" "msg_reject_msg_size" (func $reject_size (result i32)))
  (import "ic0" "msg_reject_msg_copy" (func $reject_copy (param i32 i32 i32)))
  (import "ic0" "msg_cycles_refunded128" (func $refunded (param i32)))
  (import "ic0" "msg_cycles_available128" (func $available (param i32)))
  (import "ic0" "msg_cycles_accept128" (func $accept (param i64 i64 i32)))
  (import "ic0" "canister_cycle_balance128" (func $balance (param i32)))
  (import "ic0" "canister_self_size" (func $self_size (result i32)))
  (import "ic0" "canister_self_copy" (func $self_copy (param i32 i32 i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_cycles_add128" (func $add (param i64 i64)))
  (import "ic0" "call_on_cleanup" (func $on_cleanup (param i32 i32)))
  (import "ic0" "call_perform" (func $perform (result i32)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 1)
  (table 5 funcref)
  (elem (i32.const 0) $on_reply $on_reject $cleanup $relay_inner $relay_mark)
  (data (i32.const 100) "boom")
  (data (i32.const 110) "no")
  (data (i32.const 120) "reply")
  (data (i32.const 130) "cleanup")
  (data (i32.const 140) "inner")
  (data (i32.const 150) "peek")
  (data (i32.const 160) "spin")
  (func (export "canister_update forward") (local $size i32)
    (local.set $size (call $arg_size))
    (call $arg_copy (i32.const 1000) (i32.const 0) (local.get $size))
    (call $call_new (i32.const 1000) (i32.const 10) (i32.const 1019) (i32.sub (local.get $size) (i32.const 19))
      (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $add (i64.const 0) (i64.load (i32.const 1011)))
    (if (i32.eq (i32.load8_u (i32.const 1010)) (i32.const 1)) (then (call $on_cleanup (i32.const 2) (i32.const 0))))
    (drop (call $perform)))
  (func $on_reply (param i32)
    (if (i32.eq (i32.load8_u (i32.const 1010)) (i32.const 1)) (then (call $trap (i32.const 120) (i32.const 5))))
    (call $refunded (i32.const 0))
    (call $balance (i32.const 16))
    (call $append (i32.const 0) (i32.const 32))
    (call $reply))
  (func $on_reject (param i32)
    (i32.store (i32.const 0) (call $reject_code))
    (call $reject_copy (i32.const 4) (i32.const 0) (call $reject_size))
    (call $append (i32.const 0) (i32.add (i32.const 4) (call $reject_size)))
    (call $reply))
  (func $cleanup (param i32) (call $trap (i32.const 130) (i32.const 7)))
  (func (export "canister_update trap") (call $trap (i32.const 100) (i32.const 4)))
  (func (export "canister_update reject") (call $reject (i32.const 110) (i32.const 2)))
  (func (export "canister_update keep") (call $reply))
  (func (export "canister_update silent"))
  (func (export "canister_update take")
    (call $reply)
    (call $available (i32.const 0))
    (call $accept (i64.load (i32.const 8)) (i64.load (i32.const 0)) (i32.const 16)))
  (func (export "canister_query inner") (call $append (i32.const 140) (i32.const 5)) (call $reply))
  (func (export "canister_composite_query outer")
    (call $self_copy (i32.const 200) (i32.const 0) (call $self_size))
    (call $call_new (i32.const 200) (call $self_size) (i32.const 140) (i32.const 5)
      (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 0))
    (drop (call $perform)))
  (func (export "canister_query spin") (loop $forever (br $forever)))
  (func (export "canister_composite_query spin_outer")
    (call $self_copy (i32.const 200) (i32.const 0) (call $self_size))
    (call $call_new (i32.const 200) (call $self_size) (i32.const 160) (i32.const 4)
      (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 0))
    (drop (call $perform)))
  (func (export "canister_query peek") (call $append (i32.const 500) (i32.const 1)) (call $reply))
  (func (export "canister_composite_query mark")
    (i32.store8 (i32.const 500) (i32.const 88))
    (call $self_copy (i32.const 200) (i32.const 0) (call $self_size))
    (call $call_new (i32.const 200) (call $self_size) (i32.const 150) (i32.const 4)
      (i32.const 4) (i32.const 0) (i32.const 1) (i32.const 0))
    (drop (call $perform)))
  (func $relay_mark (param i32)
    (call $arg_copy (i32.const 300) (i32.const 0) (call $arg_size))
    (call $append (i32.const 300) (call $arg_size))
    (call $append (i32.const 500) (i32.const 1))
    (call $reply))
  (func $relay_inner (param i32)
    (call $arg_copy (i32.const 300) (i32.const 0) (call $arg_size))
    (call $append (i32.const 300) (call $arg_size))
    (call $reply)))`;

const INITIAL = 10n ** 15n;

async function setup(
  options: { compositeQueryMaxDepth?: number; instructionLimits?: { query: bigint }; costSchedule?: 'application' } = {},
): Promise<{ ic: Capsule; relay: Principal; target: Principal; empty: Principal }> {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free', ...options });
  const wasm = await wat(RELAY);
  const relay = await ic.createCanister({ cycles: INITIAL });
  const target = await ic.createCanister({ cycles: INITIAL });
  const empty = await ic.createCanister({ cycles: INITIAL });
  await ic.installCode({ canisterId: relay, wasm });
  await ic.installCode({ canisterId: target, wasm });
  return { ic, relay, target, empty };
}

function forwardArg(callee: Principal, method: string, options: { cycles?: bigint; mode?: number } = {}): Uint8Array {
  const calleeBytes = callee.toUint8Array();
  assert.equal(calleeBytes.length, 10);
  const arg = new Uint8Array(19 + method.length);
  arg.set(calleeBytes, 0);
  arg[10] = options.mode ?? 0;
  new DataView(arg.buffer).setBigUint64(11, options.cycles ?? 0n, true);
  arg.set(new TextEncoder().encode(method), 19);
  return arg;
}

function u128(bytes: Uint8Array, at: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return view.getBigUint64(at, true) + (view.getBigUint64(at + 8, true) << 64n);
}

/** The reject the relay's callback saw: its code and its message. */
async function rejectSeenByRelay(ic: Capsule, relay: Principal, callee: Principal, method: string): Promise<{ code: number; message: string }> {
  const reply = await ic.updateCall({ canisterId: relay, method: 'forward', arg: forwardArg(callee, method) });
  return { code: new DataView(reply.buffer, reply.byteOffset).getUint32(0, true), message: new TextDecoder().decode(reply.subarray(4)) };
}

/** The description without its "Canister Backtrace:" section, whose frames depend on the build. */
function withoutBacktrace(message: string): string {
  return message.replace(/\nCanister Backtrace:\n(?:(?!\.\n)[^\n]+\n)+/g, '');
}

test("a callee's trap reaches its calling canister as the replica words it: 'IC0503: Error from Canister …', a period and the help line", async () => {
  const { ic, relay, target } = await setup();
  const seen = await rejectSeenByRelay(ic, relay, target, 'trap');
  assert.equal(seen.code, 5);
  assert.equal(
    withoutBacktrace(seen.message),
    `IC0503: Error from Canister ${target.toText()}: Canister called \`ic0.trap\` with message: 'boom'.\n${HANDLE} ${DOCS}#trapped-explicitly`,
  );
  await ic.close();
});

test("a callee's own reject reaches its calling canister as it was given, without an error code", async () => {
  const { ic, relay, target } = await setup();
  assert.deepEqual(await rejectSeenByRelay(ic, relay, target, 'reject'), { code: 4, message: 'no' });
  await ic.close();
});

test("a canister's own reject of a user's call carries the replica's error code IC0406", async () => {
  const { ic, target } = await setup();
  await assert.rejects(ic.updateCall({ canisterId: target, method: 'reject' }), (error: CallError) => {
    assert.equal(error.rejectCode, 4);
    assert.equal(error.errorCode, 'IC0406');
    assert.equal(error.rejectMessage, 'no');
    return true;
  });
  await ic.close();
});

test('a user call to a canister without code is refused in the replica words, IC0537 "Requested canister has no wasm module"', async () => {
  const { ic, empty } = await setup();
  await assert.rejects(ic.updateCall({ canisterId: empty, method: 'keep' }), (error: CallError) => {
    assert.equal(error.rejectCode, 5);
    assert.equal(error.errorCode, 'IC0537');
    assert.equal(error.rejectMessage, 'Requested canister has no wasm module');
    return true;
  });
  await assert.rejects(ic.queryCall({ canisterId: empty, method: 'inner' }), (error: CallError) => error.errorCode === 'IC0537' && error.rejectMessage === 'Requested canister has no wasm module');
  await ic.close();
});

test('a call from a canister to a canister without code gets IC0537 with the help line to install code', async () => {
  const { ic, relay, empty } = await setup();
  const seen = await rejectSeenByRelay(ic, relay, empty, 'keep');
  assert.deepEqual(seen, {
    code: 5,
    message:
      `IC0537: Error from Canister ${empty.toText()}: Attempted to execute a message, but the canister contains no Wasm module..\n` +
      `Please install code to this canister before calling it. ${DOCS}#wasm-module-not-found`,
  });
  await ic.close();
});

test('a call to a canister outside every subnet range finds "No route to canister", DESTINATION_INVALID', async () => {
  const { ic, relay } = await setup();
  const nowhere = Principal.fromUint8Array(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0, 0, 1, 1]));
  assert.deepEqual(await rejectSeenByRelay(ic, relay, nowhere, 'keep'), { code: 3, message: `No route to canister ${nowhere.toText()}` });
  await ic.close();
});

test('a reply callback that traps and then a cleanup that traps too fail with both traps, "call_on_cleanup also failed"', async () => {
  const { ic, relay, target } = await setup();
  await assert.rejects(ic.updateCall({ canisterId: relay, method: 'forward', arg: forwardArg(target, 'keep', { mode: 1 }) }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0503');
    assert.equal(
      withoutBacktrace(error.rejectMessage),
      `Error from Canister ${relay.toText()}: Canister called \`ic0.trap\` with message: 'reply'\n\ncall_on_cleanup also failed:\n\n` +
        "Canister called `ic0.trap` with message: 'cleanup'",
    );
    return true;
  });
  await ic.close();
});

test('the cycles a callee did not accept are back in the balance when the reply callback runs', async () => {
  const { ic, relay, target } = await setup();
  const reply = await ic.updateCall({ canisterId: relay, method: 'forward', arg: forwardArg(target, 'keep', { cycles: 1_000_000n }) });
  assert.equal(u128(reply, 0), 1_000_000n, 'refunded');
  assert.equal(u128(reply, 16), INITIAL, 'the balance the callback sees includes the refund');
  await ic.close();
});

test('cycles a method has not accepted stay available after it replies, as on the replica, so it can still accept them', async () => {
  const { ic, relay, target } = await setup();
  const reply = await ic.updateCall({ canisterId: relay, method: 'forward', arg: forwardArg(target, 'take', { cycles: 1_000_000n }) });
  assert.equal(u128(reply, 0), 0n, 'nothing refunded');
  assert.equal(u128(reply, 16), INITIAL - 1_000_000n);
  assert.equal(await ic.getCycleBalance(target), INITIAL + 1_000_000n);
  await ic.close();
});

test('a composite query may call a query of its own canister', async () => {
  const { ic, target } = await setup();
  const reply = await ic.queryCall({ canisterId: target, method: 'outer' });
  assert.equal(new TextDecoder().decode(reply), 'inner');
  await ic.close();
});

test('a method that never answers is worded one way to its user and another, with its code, to its calling canister', async () => {
  const { ic, relay, target } = await setup();
  await assert.rejects(ic.updateCall({ canisterId: target, method: 'silent' }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0506');
    assert.equal(error.rejectMessage, `Canister ${target.toText()} did not reply to the call`);
    return true;
  });
  assert.deepEqual(await rejectSeenByRelay(ic, relay, target, 'silent'), { code: 5, message: `IC0506: Canister ${target.toText()} did not produce a response` });
  await ic.close();
});

test("a natively implemented system canister's trap reaches a calling canister with its IC0503 prefix too", async () => {
  const { ic, relay } = await setup();
  const seen = await rejectSeenByRelay(ic, relay, CYCLES_LEDGER, 'icrc1_balance_of');
  assert.equal(seen.code, 5);
  assert.match(seen.message, /^IC0503: Error from Canister um5iw-rqaaa-aaaaq-qaaba-cai: Canister called `ic0\.trap` with message: '.+'\.\nConsider gracefully handling failures/);
  await ic.close();
});

test('the composite query depth limit is configuration; past it the whole query fails with IC0525', async () => {
  const { ic, target } = await setup({ compositeQueryMaxDepth: 0 });
  await assert.rejects(ic.queryCall({ canisterId: target, method: 'outer' }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0525');
    assert.equal(error.rejectMessage, 'Composite query calls exceeded the maximum call depth.');
    return true;
  });
  await ic.close();
});

test('a call to a stopped canister is turned away as the replica inducts it: "Canister … is stopped", without an error code', async () => {
  const { ic, relay, target } = await setup();
  await ic.callManagement('stop_canister', candid.encodeManagementArg('stop_canister', { canister_id: target }));
  assert.deepEqual(await rejectSeenByRelay(ic, relay, target, 'keep'), { code: 5, message: `Canister ${target.toText()} is stopped` });
  await ic.close();
});

test('a canister a composite query calls again runs from its state before the query, and its caller keeps its own changes', async () => {
  const { ic, target } = await setup();
  const reply = await ic.queryCall({ canisterId: target, method: 'mark' });
  assert.deepEqual([...reply], [0, 88]);
  await ic.close();
});

test('a composite query whose calls spend the call graph\'s instructions fails as a whole with IC0526', async () => {
  const { ic, target } = await setup({ instructionLimits: { query: 10_000_000n } });
  await assert.rejects(ic.queryCall({ canisterId: target, method: 'spin_outer' }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0526');
    assert.equal(error.rejectMessage, 'Composite query calls exceeded the instruction limit.');
    return true;
  });
  await ic.close();
});

test('a frozen canister tells a controller how many cycles it lacks, and anyone else only that it is out of cycles', async () => {
  const { ic, relay, target } = await setup({ costSchedule: 'application' });
  const settings = { ...emptySettings(), freezing_threshold: [10n ** 15n] as [bigint] };
  await ic.callManagement('update_settings', candid.encodeManagementArg('update_settings', { canister_id: target, settings, sender_canister_version: [] }));
  await assert.rejects(ic.updateCall({ canisterId: target, method: 'keep' }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0207');
    assert.match(error.rejectMessage, new RegExp(`^Canister ${target.toText()} is out of cycles: please top up the canister with at least \\d+ additional cycles$`));
    return true;
  });
  assert.deepEqual(await rejectSeenByRelay(ic, relay, target, 'keep'), { code: 2, message: `IC0207: Canister ${target.toText()} is out of cycles` });
  await ic.close();
});
