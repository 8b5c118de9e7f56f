// Cycles (ic-ref-test "cycles"; interface spec, 'Cycles', deposit_cycles/provisional_top_up,
// frozen canisters). Runs with the application subnet's prices; like ic-ref-test, balances are
// compared "roughly" (the system burns cycles at unspecified rates, here well below EPS).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { decodeCycles128, prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  DOES_NOT_EXIST,
  install,
  installAt,
  interCall,
  interQuery,
  interUpdate,
  isRelayReject,
  isRelayReply,
  mgmt,
  newCapsule,
  type Principal,
  query,
  rejects,
  rejectsOutsideSubnet,
  settings,
  status,
  u128,
  u32,
  u64,
  upgrade,
  via,
  viaRaw,
  type Width,
  WIDTHS,
} from './_harness.ts';

/** ic-ref-test's `def_cycles`. */
const DEF = 80_000_000_000_000n;
const EPS = 3_000_000_000_000n;
const U128_MAX = (1n << 128n) - 1n;

function isRoughly(actual: bigint, expected: bigint): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  assert.ok(diff < EPS, `${actual} not near ${expected}`);
}

let c: Capsule;
before(async () => {
  c = await newCapsule('application');
});

const create = (width: Width, init = prog(), cycles = DEF): Promise<Principal> => install(c, width, init, { cycles });
const balance128 = async (id: Principal): Promise<bigint> => u128(await query(c, id, prog().cyclesBalance128().appendAndReply()));
const replyBalance128 = () => prog().cyclesBalance128().appendAndReply();
const rememberBalance = () => prog().stableGrow64(1).drop().pushInt64(0).cyclesBalance128().stableWrite64();
const recallBalance = () => prog().stableRead64(0, 16).appendAndReply();

/** Accepts everything available (amounts below 2^64, as in these tests). */
function acceptAvailable(): ReturnType<typeof prog> {
  // accept128(0, available_low)
  return prog().pushInt64(0).cyclesAvailable128().blobToInt64().acceptCycles128().drop();
}

for (const width of WIDTHS) {
  describe(`cycles (wasm${width})`, () => {
    if (width === 32) {
      describe('cycles API - backward compatibility', () => {
        test('canister_cycle_balance = canister_cycle_balance128 for numbers fitting in 64 bits', async () => {
          const id = await create(width);
          const r = await query(c, id, prog().cyclesBalance().int64ToBlob().replyDataAppend().cyclesBalance128().appendAndReply());
          assert.equal(u64(r.slice(0, 8)), u128(r.slice(8)));
        });
        test('legacy API traps when a result is too big', async () => {
          const id = await create(width);
          const large = 2n ** 65n;
          await mgmt(c, 'provisional_top_up_canister', { canister_id: id, amount: large });
          await rejects(query(c, id, prog().cyclesBalance().replyInt64()), 5);
          isRoughly(await balance128(id), large + DEF);
        });
        test('msg_cycles_available traps when the amount exceeds 2^64', async () => {
          const a = await create(width);
          const b = await create(width);
          await mgmt(c, 'provisional_top_up_canister', { canister_id: a, amount: 2n ** 66n });
          const r = await call(c, a, interUpdate(b, { cycles: 2n ** 65n, otherSide: prog().cyclesAvailable().replyInt64() }));
          isRelayReject(r, 5);
        });
        test('legacy accept and balance agree with the 128-bit API', async () => {
          const a = await create(width);
          const b = await create(width);
          const other = prog().cyclesAvailable().replyInt64();
          assert.equal(u64(isRelayReply(await call(c, a, interUpdate(b, { cycles: 1234n, otherSide: other })))), 1234n);
          const accept = prog().acceptCycles(1000).replyInt64();
          assert.equal(u64(isRelayReply(await call(c, a, interUpdate(b, { cycles: 1234n, otherSide: accept })))), 1000n);
        });
      });
    }

    describe('can use the balance API', () => {
      const twice = () => prog().cyclesBalance128().replyDataAppend().cyclesBalance128().appendAndReply();
      /** Both readings agree and are the canister's balance (roughly: execution is prepaid). */
      const isBalance = (r: Uint8Array) => {
        assert.equal(u128(r.slice(0, 16)), u128(r.slice(16)), 'two readings in one execution');
        isRoughly(u128(r.slice(0, 16)), DEF);
      };
      test('in query', async () => isBalance(await query(c, await create(width), twice())));
      test('in update', async () => isBalance(await call(c, await create(width), twice())));
      test('in init', async () => {
        const id = await create(width, prog().cyclesBalance128().cyclesBalance128().concat().setGlobal());
        isBalance(await query(c, id, prog().getGlobal().appendAndReply()));
      });
      test('in callback', async () => {
        const id = await create(width);
        isBalance(await call(c, id, interQuery(id, { onReply: twice() })));
      });
    });

    describe('can use the available cycles API', () => {
      const twice = () => prog().cyclesAvailable128().replyDataAppend().cyclesAvailable128().appendAndReply();
      /** Both readings agree and are the cycles the call brought, none accepted yet. */
      const isAvailable = (r: Uint8Array, expected: bigint) => {
        assert.equal(u128(r.slice(0, 16)), expected);
        assert.equal(u128(r.slice(16)), expected);
      };
      test('in update', async () => {
        const [a, b] = [await create(width), await create(width)];
        isAvailable(isRelayReply(await call(c, a, interUpdate(b, { cycles: 1234n, otherSide: twice() }))), 1234n);
      });
      test('in update called by a user: nothing is available', async () => {
        isAvailable(await call(c, await create(width), twice()), 0n);
      });
      test('in callback', async () => {
        // The callback runs in the call context of the cycles-carrying call, so they are still available there.
        const [a, b] = [await create(width), await create(width)];
        const r = await call(c, a, interUpdate(b, { cycles: 1234n, otherSide: interQuery(b, { onReply: twice() }) }));
        isAvailable(isRelayReply(r), 1234n);
      });
    });

    test('can accept zero cycles', async () => {
      const id = await create(width);
      assert.equal(u128(await call(c, id, prog().acceptCycles128(0, 0).appendAndReply())), 0n);
    });
    test('can accept more than available cycles', async () => {
      const id = await create(width);
      assert.equal(u128(await call(c, id, prog().acceptCycles128(0, 1).appendAndReply())), 0n);
    });
    test('can accept an absurd amount of cycles', async () => {
      const id = await create(width);
      assert.equal(u128(await call(c, id, prog().acceptCycles128Amount(U128_MAX).appendAndReply())), 0n);
    });

    describe('provisional_create_canister_with_cycles', () => {
      test('balance as expected', async () => isRoughly(await balance128(await create(width)), DEF));
      test('default balance', async () => {
        const id = await install(c, width, prog(), { cycles: undefined });
        isRoughly(await balance128(id), 1n << 60n);
      });
      test('> 2^128 saturates', async () => {
        const { canister_id: id } = await mgmt(c, 'provisional_create_canister_with_cycles', { amount: [10n * 2n ** 128n], settings: [], specified_id: [], sender_canister_version: [] });
        await installAt(c, id, width);
        const b = await balance128(id);
        assert.ok(b <= U128_MAX && b > U128_MAX - EPS, `${b}`);
      });
    });

    test('cycles in canister_status', async () => {
      isRoughly((await status(c, await create(width))).cycles, DEF);
    });

    describe('cycle balance', () => {
      test('install', async () => {
        const id = await create(width, rememberBalance());
        isRoughly(u128(await query(c, id, recallBalance())), DEF);
      });
      test('update', async () => isRoughly(u128(await call(c, await create(width), replyBalance128())), DEF));
      test('query', async () => isRoughly(u128(await query(c, await create(width), replyBalance128())), DEF));
      test('in pre_upgrade', async () => {
        const id = await create(width, prog().setPreUpgrade(rememberBalance()));
        await upgrade(c, id, width);
        isRoughly(u128(await query(c, id, recallBalance())), DEF);
      });
      test('in post_upgrade', async () => {
        const id = await create(width);
        await upgrade(c, id, width, rememberBalance());
        isRoughly(u128(await query(c, id, recallBalance())), DEF);
        isRoughly(await balance128(id), DEF);
      });
    });

    test('can send cycles', async () => {
      const a = await create(width);
      const b = await create(width);
      const other = prog().cyclesAvailable128().replyDataAppend().append(acceptAvailable()).reply();
      const r = isRelayReply(await call(c, a, interCall(b, 'update', { otherSide: other, cycles: DEF / 4n })));
      isRoughly(u128(r), DEF / 4n);
      isRoughly(await balance128(a), DEF - DEF / 4n);
      isRoughly(await balance128(b), DEF + DEF / 4n);
    });
    test('sending more cycles than in the balance traps', async () => {
      const id = await create(width);
      const b = await balance128(id);
      await rejects(call(c, id, interCall(id, 'update', { cycles: b + 1_000_000n })), 5);
    });
    test('relay cycles before accept traps', async () => {
      const [a, b, d] = [await create(width), await create(width), await create(width)];
      const inner = interCall(d, 'update', { otherSide: prog().append(acceptAvailable()).reply(), cycles: DEF + DEF / 4n, onReply: prog() });
      const p = interCall(b, 'update', {
        cycles: DEF / 2n,
        otherSide: prog().append(inner).append(acceptAvailable()).reply(),
        onReply: prog().trap('unexpected reply'),
        onReject: prog().cyclesRefunded128().appendAndReply(),
      });
      isRoughly(u128(await call(c, a, p)), DEF / 2n);
      isRoughly(await balance128(a), DEF);
      isRoughly(await balance128(b), DEF);
      isRoughly(await balance128(d), DEF);
    });
    test('relay cycles after accept works', async () => {
      const [a, b, d] = [await create(width), await create(width), await create(width)];
      const inner = interCall(d, 'update', { otherSide: prog().append(acceptAvailable()).reply(), cycles: DEF + DEF / 4n });
      const p = interCall(b, 'update', {
        cycles: DEF / 2n,
        otherSide: prog().append(acceptAvailable()).append(inner),
        onReply: prog().cyclesRefunded128().appendAndReply(),
        onReject: prog().trap('unexpected reject'),
      });
      isRoughly(u128(await call(c, a, p)), 0n);
      isRoughly(await balance128(a), DEF / 2n);
      isRoughly(await balance128(b), DEF / 4n);
      isRoughly(await balance128(d), 2n * DEF + DEF / 4n);
    });
    test('aborting a call (call_new again) resets the balance', async () => {
      const id = await create(width);
      const p = prog()
        .callNew(id, 'query')
        .callCyclesAdd128Amount(DEF / 2n)
        .cyclesBalance128()
        .replyDataAppend()
        .callNew(id, 'query')
        .cyclesBalance128()
        .appendAndReply();
      const r = await call(c, id, p);
      isRoughly(u128(r.slice(0, 16)), DEF / 2n);
      isRoughly(u128(r.slice(16)), DEF);
    });
    test('partial refund', async () => {
      const a = await create(width);
      const b = await create(width);
      const p = interCall(b, 'update', {
        cycles: DEF / 2n,
        otherSide: prog().acceptCycles128Amount(DEF / 4n).drop().reply(),
        onReply: prog().cyclesRefunded128().appendAndReply(),
        onReject: prog().trap('unexpected reject'),
      });
      isRoughly(u128(await call(c, a, p)), DEF / 4n);
      isRoughly(await balance128(a), DEF - DEF / 4n);
      isRoughly(await balance128(b), DEF + DEF / 4n);
    });
    test('exact refund arithmetic', async () => {
      const a = await create(width);
      const b = await create(width);
      const p = interCall(b, 'update', {
        cycles: 1_000_000n,
        otherSide: prog().acceptCycles128Amount(300_000n).appendAndReply(),
        onReply: prog().messagePayload().replyDataAppend().cyclesRefunded128().appendAndReply(),
      });
      const r = await call(c, a, p);
      assert.equal(u128(r.slice(0, 16)), 300_000n);
      assert.equal(u128(r.slice(16)), 700_000n);
    });
    test('cycles are not in the balance while in transit', async () => {
      const a = await create(width);
      const p = interCall(a, 'update', { cycles: DEF / 4n, otherSide: replyBalance128(), onReject: prog().trap('unexpected reject') });
      isRoughly(u128(isRelayReply(await call(c, a, p))), DEF - DEF / 4n);
      isRoughly(await balance128(a), DEF);
    });
    test('create and delete a canister with cycles', async () => {
      const a = await create(width);
      const { canister_id: b } = await via(c, a, 'create_canister', { settings: [], sender_canister_version: [] }, DEF / 2n);
      isRoughly(await balance128(a), DEF / 2n);
      isRoughly((await via(c, a, 'canister_status', { canister_id: b })).cycles, DEF / 2n);
      await via(c, a, 'stop_canister', { canister_id: b });
      // cycles attached to delete_canister are refunded
      await via(c, a, 'delete_canister', { canister_id: b }, DEF / 4n);
      isRoughly(await balance128(a), DEF / 2n);
    });
    test('create_canister with fewer cycles than the creation fee fails', async () => {
      const a = await create(width);
      const r = await viaRaw(c, a, 'create_canister', { settings: [], sender_canister_version: [] }, 1_000n);
      assert.equal(r.kind, 'reject');
      isRoughly(await balance128(a), DEF);
    });
    describe('deposit_cycles', () => {
      test('as controller', async () => {
        const a = await create(width);
        const { canister_id: b } = await via(c, a, 'create_canister', { settings: [], sender_canister_version: [] }, DEF / 2n);
        await via(c, a, 'deposit_cycles', { canister_id: b }, DEF / 4n);
        isRoughly(await balance128(a), DEF / 4n);
        isRoughly((await via(c, a, 'canister_status', { canister_id: b })).cycles, DEF - DEF / 4n);
      });
      test('as another non-controlling canister', async () => {
        const a = await create(width);
        const b = await create(width);
        await via(c, b, 'deposit_cycles', { canister_id: a }, DEF / 4n);
        isRoughly(await balance128(a), DEF + DEF / 4n);
        isRoughly(await balance128(b), DEF - DEF / 4n);
      });
      test('to a non-existing canister', async () => {
        const a = await create(width);
        const r = await viaRaw(c, a, 'deposit_cycles', { canister_id: DOES_NOT_EXIST }, DEF / 4n);
        assert.equal(r.kind, 'reject');
        assert.ok([3, 4, 5].includes((r as { code: number }).code));
        isRoughly(await balance128(a), DEF);
      });
    });
    test('two-step refund', async () => {
      const a = await create(width);
      const innerCall = interCall(a, 'update', {
        cycles: 5n,
        otherSide: prog().reply(),
        onReply: prog().cyclesRefunded128().appendAndReply(),
        onReject: prog().trap('unexpected reject'),
      });
      const p = interCall(a, 'update', {
        cycles: 10n,
        otherSide: innerCall,
        onReply: prog().messagePayload().replyDataAppend().cyclesRefunded128().appendAndReply(),
        onReject: prog().trap('unexpected reject'),
      });
      const r = await call(c, a, p);
      assert.equal(u128(r.slice(0, 16)), 5n);
      assert.equal(u128(r.slice(16)), 10n);
      isRoughly(await balance128(a), DEF);
    });
    describe('refunds', () => {
      test('cycles sent to a non-existent canister come back', async () => {
        const a = await create(width);
        const p = interCall(DOES_NOT_EXIST, 'update', { cycles: DEF / 4n, onReject: prog().rejectCode().intToBlob().replyDataAppend().cyclesRefunded128().appendAndReply() });
        const r = await call(c, a, p);
        assert.equal(u32(r.slice(0, 4)), 3);
        assert.equal(u128(r.slice(4)), DEF / 4n);
        isRoughly(await balance128(a), DEF);
      });
      test('cycles sent to a trapping callee come back', async () => {
        const a = await create(width);
        const b = await create(width);
        const p = interCall(b, 'update', { cycles: DEF / 4n, otherSide: prog().append(acceptAvailable()).trap('no'), onReject: prog().cyclesRefunded128().appendAndReply() });
        assert.equal(u128(await call(c, a, p)), DEF / 4n);
        isRoughly(await balance128(a), DEF);
        isRoughly(await balance128(b), DEF);
      });
      test('cycles sent to a rejecting callee that accepted part are partly refunded', async () => {
        const a = await create(width);
        const b = await create(width);
        const p = interCall(b, 'update', { cycles: 1_000_000n, otherSide: prog().acceptCycles128Amount(1000n).drop().reject('no'), onReject: prog().cyclesRefunded128().appendAndReply() });
        assert.equal(u128(await call(c, a, p)), 999_000n);
      });
      test('provisional_create_canister_with_cycles returns the attached cycles', async () => {
        const a = await create(width);
        await via(c, a, 'provisional_create_canister_with_cycles', { amount: [1_000_000_000_000n], settings: [], specified_id: [], sender_canister_version: [] }, DEF / 4n);
        isRoughly(await balance128(a), DEF);
      });
      test('raw_rand returns the attached cycles', async () => {
        const a = await create(width);
        await via(c, a, 'raw_rand', null, DEF / 4n);
        isRoughly(await balance128(a), DEF);
      });
      test('cycles attached to a rejected management call come back', async () => {
        const a = await create(width);
        const r = await viaRaw(c, a, 'canister_status', { canister_id: DOES_NOT_EXIST }, DEF / 4n);
        assert.equal(r.kind, 'reject');
        isRoughly(await balance128(a), DEF);
      });
    });
    describe('provisional top up', () => {
      test('as user', async () => {
        const id = await create(width);
        await mgmt(c, 'provisional_top_up_canister', { canister_id: id, amount: DEF });
        isRoughly(await balance128(id), 2n * DEF);
      });
      test('as self', async () => {
        const id = await create(width);
        await via(c, id, 'provisional_top_up_canister', { canister_id: id, amount: DEF });
        isRoughly(await balance128(id), 2n * DEF);
      });
      test('as another canister', async () => {
        const id = await create(width);
        const other = await create(width);
        await via(c, other, 'provisional_top_up_canister', { canister_id: id, amount: DEF });
        isRoughly(await balance128(id), 2n * DEF);
      });
      test('more than 2^128 saturates', async () => {
        const id = await create(width);
        await mgmt(c, 'provisional_top_up_canister', { canister_id: id, amount: 10n * 2n ** 128n });
        const b = await balance128(id);
        assert.ok(b <= U128_MAX && b > U128_MAX - EPS, `${b}`);
      });
      test('non-existing canister', async () => {
        await rejectsOutsideSubnet(mgmt(c, 'provisional_top_up_canister', { canister_id: DOES_NOT_EXIST, amount: DEF }), [3, 5]);
      });
    });

    describe('128-bit cycles', () => {
      test('more than 2^64 cycles can be sent, seen and accepted', async () => {
        const a = await create(width);
        const b = await create(width);
        await mgmt(c, 'provisional_top_up_canister', { canister_id: a, amount: 2n ** 70n });
        const amount = 2n ** 66n + 12345n;
        const other = prog().cyclesAvailable128().replyDataAppend().acceptCycles128Amount(U128_MAX).appendAndReply();
        const r = isRelayReply(await call(c, a, interUpdate(b, { cycles: amount, otherSide: other })));
        assert.equal(decodeCycles128(r.slice(0, 16)), amount);
        assert.equal(decodeCycles128(r.slice(16)), amount);
        isRoughly(await balance128(b), DEF + amount);
      });
      test('the accepted amount is min(max_amount, available)', async () => {
        const a = await create(width);
        const b = await create(width);
        const other = prog().acceptCycles128Amount(400n).replyDataAppend().acceptCycles128Amount(U128_MAX).appendAndReply();
        const r = isRelayReply(await call(c, a, interUpdate(b, { cycles: 1000n, otherSide: other })));
        assert.equal(u128(r.slice(0, 16)), 400n);
        assert.equal(u128(r.slice(16)), 600n);
      });
      test('available cycles stay available after replying, as on the replica', async () => {
        const a = await create(width);
        const b = await create(width);
        // The spec makes them 0 once replied; the replica keeps the unaccepted amount until the execution ends.
        const other = prog().reply().cyclesAvailable128().setGlobal();
        isRelayReply(await call(c, a, interUpdate(b, { cycles: 1000n, otherSide: other })));
        assert.equal(u128(await query(c, b, prog().getGlobal().appendAndReply())), 1000n);
      });
      test('cycles_burn128 burns at most the liquid balance', async () => {
        const id = await create(width);
        const burned = u128(await call(c, id, prog().cyclesBurn128Amount(1_000_000n).appendAndReply()));
        assert.equal(burned, 1_000_000n);
        const all = u128(await call(c, id, prog().cyclesBurn128Amount(U128_MAX).appendAndReply()));
        assert.ok(all > 0n && all < DEF, `${all}`);
      });
      test('liquid balance is below the balance when the freezing threshold is set', async () => {
        const id = await create(width);
        const r = await query(c, id, prog().cyclesBalance128().replyDataAppend().liquidCyclesBalance128().appendAndReply());
        assert.ok(u128(r.slice(16)) <= u128(r.slice(0, 16)));
      });
      test('a replicated query may accept cycles, and keeps them', async () => {
        const a = await create(width);
        const b = await create(width);
        const r = isRelayReply(await call(c, a, interQuery(b, { cycles: DEF / 4n, otherSide: prog().append(acceptAvailable()).reply() })));
        assert.equal(r.length, 0);
        isRoughly(await balance128(b), DEF + DEF / 4n);
        isRoughly(await balance128(a), DEF - DEF / 4n);
      });
    });

    describe('freezing', () => {
      test('a frozen canister rejects calls with SYS_TRANSIENT', async () => {
        const id = await create(width);
        await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [2n ** 64n - 1n] }), sender_canister_version: [] });
        await rejects(call(c, id, prog().reply()), 2);
        await rejects(query(c, id, prog().reply()), 2);
      });
      test('a frozen canister rejects inter-canister calls with SYS_TRANSIENT', async () => {
        const a = await create(width);
        const b = await create(width);
        await mgmt(c, 'update_settings', { canister_id: b, settings: settings({ freezing_threshold: [2n ** 64n - 1n] }), sender_canister_version: [] });
        isRelayReject(await call(c, a, interUpdate(b)), 2);
      });
      test('call_perform fails with 2 when the canister cannot pay for the call', async () => {
        const id = await install(c, width, prog(), { cycles: 400_000_000_000n });
        await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [0n] }), sender_canister_version: [] });
        // Leave ~10 B liquid cycles: less than a call's reservation for the response (the IC's cycle costs).
        const liquid = u128(await call(c, id, prog().liquidCyclesBalance128().appendAndReply()));
        const p = prog().cyclesBurn128Amount(liquid - 10_000_000_000n).drop().callNew(id, 'query').callPerformErrCode().replyInt();
        assert.equal(u32(await call(c, id, p)), 2);
      });
      test('call_cycles_add128 of more than the liquid balance traps', async () => {
        const id = await create(width);
        await rejects(call(c, id, prog().callNew(id, 'query').callCyclesAdd128Amount(DEF * 2n).reply()), 5);
      });
      test('minimum_incoming_canister_call_cycles rejects calls with fewer cycles', async () => {
        const a = await create(width);
        const b = await create(width);
        await mgmt(c, 'update_settings', { canister_id: b, settings: settings({ minimum_incoming_canister_call_cycles: [1_000_000n] }), sender_canister_version: [] });
        isRelayReject(await call(c, a, interUpdate(b, { cycles: 999_999n })), 5);
        isRelayReply(await call(c, a, interUpdate(b, { cycles: 1_000_000n })));
        // ingress is not subject to it
        await call(c, b, prog().reply());
      });
    });

    test('callToQuery does not keep state but charges cycles', async () => {
      const id = await create(width);
      const before = await balance128(id);
      await callToQuery(c, id, prog().setGlobal('x').reply());
      assert.ok((await balance128(id)) < before);
      assert.equal((await query(c, id, prog().getGlobal().appendAndReply())).length, 0);
    });
    test('queries are free', async () => {
      const id = await create(width);
      const before = await balance128(id);
      for (let i = 0; i < 5; i++) await query(c, id, prog().replyData('x'));
      assert.equal(await balance128(id), before);
    });
  });
}
