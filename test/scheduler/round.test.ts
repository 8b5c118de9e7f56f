// The scheduler's round, tested directly on universal canisters: inner rounds (messages between the
// subnet's canisters run in the round that produced them, up to the round's instruction limit),
// storage charged on the replica's 10-second interval, and idle rounds that leave canisters untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { STORAGE_CHARGE_INTERVAL } from '../../src/scheduler/index.ts';
import { install, interUpdate, isRelayReply, outcome, submit, text } from '../conformance/_harness.ts';
import { wat } from '../support/build.ts';
import { prog } from '../universal/program.ts';

const SEED = new Uint8Array(32).fill(3);
/** A canister with a heap and no heartbeat or timer: nothing runs in it unless a message arrives. */
const QUIET = `(module (import "ic0" "msg_reply" (func $reply)) (memory 2)
  (func (export "canister_update ping") (call $reply)))`;
const TIME = 1_700_000_000_000_000_000n;

/** A calls B, B calls C, C replies, and the replies travel back: six messages across three canisters. */
async function chain(ic: Capsule) {
  const a = await install(ic, 32);
  const b = await install(ic, 32);
  const c = await install(ic, 32);
  const program = interUpdate(b, { otherSide: interUpdate(c, { otherSide: prog().replyData('deep') }) });
  return submit(ic, a, 'update', program);
}

test('a chain of calls between canisters completes in the round it started (inner rounds)', async () => {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'free' });
  const pending = await chain(ic);
  const before = replicaOf(ic).state.round;
  await ic.tick(1);
  assert.equal(replicaOf(ic).state.round, before + 1n);
  const result = outcome(ic, pending);
  assert.equal(result.kind, 'reply');
  const relayed = isRelayReply(isRelayReply((result as { payload: Uint8Array }).payload));
  assert.equal(text(relayed), 'deep');
});

test('inner rounds stop at the round instruction limit; the rest runs in later rounds', async () => {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'free', instructionLimits: { round: 1n } });
  const pending = await chain(ic);
  await ic.tick(1);
  assert.equal(outcome(ic, pending).kind, 'pending', 'one inner round per round with a limit of one instruction');
  let rounds = 1;
  while (outcome(ic, pending).kind === 'pending' && rounds < 20) {
    await ic.tick(1);
    rounds++;
  }
  assert.equal(outcome(ic, pending).kind, 'reply');
  assert.ok(rounds >= 5, `the six hops took ${rounds} rounds`);
});

test('storage is charged once 10 s of subnet time have passed, not every round', async () => {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'application' });
  const id = await ic.createCanister({ cycles: 10n ** 13n });
  await ic.installCode({ canisterId: id, wasm: await wat(QUIET) });
  const balance = await ic.getCycleBalance(id);
  await ic.tick(20);
  assert.equal(await ic.getCycleBalance(id), balance, 'rounds 1 ns apart charge nothing');
  await ic.advanceTime(STORAGE_CHARGE_INTERVAL);
  await ic.tick(1);
  const charged = await ic.getCycleBalance(id);
  assert.ok(charged < balance, 'ten seconds later the storage is paid');
  await ic.tick(5);
  assert.equal(await ic.getCycleBalance(id), charged);
});

test('an idle round leaves every canister as it was', async () => {
  const ic = await Capsule.create({ seed: SEED, time: TIME, costSchedule: 'application' });
  const ids = [await ic.createCanister(), await ic.createCanister()];
  for (const canisterId of ids) await ic.installCode({ canisterId, wasm: await wat(QUIET) });
  await ic.updateCall({ canisterId: ids[0]!, method: 'ping' });
  const snapshot = () => ids.map((id) => {
    const canister = replicaOf(ic).canister(id)!;
    return { cycles: canister.cycles, chargedUntil: canister.storageChargedUntil, version: canister.version, queue: canister.inputQueue.length };
  });
  const before = snapshot();
  await ic.tick(10);
  assert.deepEqual(snapshot(), before);
});
