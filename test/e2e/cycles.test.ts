// Cycles on the application-subnet schedule (the IC's cycle costs): execution is charged, a canister below its
// freezing limit is refused (SYS_TRANSIENT), and one that cannot pay for storage is uninstalled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from '@dfinity/principal';
import { type CallError, Capsule } from '../../src/api/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { wat } from '../support/build.ts';
import { replicaOf } from '../../src/api/testing.ts';

const DAY_MS = 86_400_000;

async function bigCanister(ic: Capsule, cycles: bigint) {
  // 1000 wasm pages (65.5 MB) of heap make storage fees visible.
  const wasm = await wat(`(module (import "ic0" "msg_reply" (func $reply)) (memory 1000)
    (func (export "canister_update ping") (call $reply)))`);
  const canisterId = await ic.createCanister({ cycles });
  await ic.installCode({ canisterId, wasm });
  return canisterId;
}

test('updates cost cycles; the free schedule charges nothing', async () => {
  const paid = await Capsule.create();
  const free = await Capsule.create({ costSchedule: 'free' });
  for (const [ic, charged] of [[paid, true], [free, false]] as const) {
    const id = await bigCanister(ic, 10n ** 13n);
    const before = await ic.getCycleBalance(id);
    await ic.updateCall({ canisterId: id, method: 'ping' });
    const after = await ic.getCycleBalance(id);
    if (charged) assert.ok(before - after >= 5_000_000n + 1_200_000n, `charged ${before - after}`);
    else assert.equal(after, before);
  }
});

test('a canister below its freezing limit is refused with SYS_TRANSIENT and keeps its state', async () => {
  const ic = await Capsule.create();
  const id = await bigCanister(ic, 10n ** 13n);
  // Storage of ~65 MB for 30 days (the default threshold) costs far less than 10T, so it runs …
  await ic.updateCall({ canisterId: id, method: 'ping' });
  // … until its freezing threshold covers more idle burn than its balance.
  await ic.callManagement('update_settings', encodeFreezingThreshold(id, 10n ** 12n));
  await assert.rejects(ic.updateCall({ canisterId: id, method: 'ping' }), (error: CallError) => error.rejectCode === 2 && /out of cycles/.test(error.rejectMessage));
  assert.ok(replicaOf(ic).canister(id)?.wasm, 'a frozen canister keeps its code');
});

test('a canister that cannot pay for its storage is uninstalled', async () => {
  const ic = await Capsule.create();
  const id = await bigCanister(ic, 2_000_000_000_000n);
  await ic.advanceTime(BigInt(30 * 365 * DAY_MS) * 1_000_000n);
  await ic.tick(1);
  assert.equal(await ic.getCycleBalance(id), 0n);
  assert.equal(replicaOf(ic).canister(id)?.wasm, undefined);
  await assert.rejects(ic.updateCall({ canisterId: id, method: 'ping' }), (error: CallError) => error.rejectCode === 5 && error.errorCode === 'IC0537' && error.rejectMessage === 'Requested canister has no wasm module');
});

function encodeFreezingThreshold(canisterId: Principal, seconds: bigint): Uint8Array {
  return candid.encodeManagementArg('update_settings', {
    canister_id: canisterId,
    settings: { ...emptySettings(), freezing_threshold: [seconds] },
    sender_canister_version: [],
  });
}
