// The library facade: one time unit, exported error classes, close() enforced on every method, no
// handle on the mutable state, and the same data certificate a query gets over HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../../src/api/index.ts';
import { CallTimeoutError, Capsule, CapsuleClosedError, PersistenceError } from '../../src/api/index.ts';
import { lookupPath, verifyCertificate } from '../../src/certification/index.ts';
import { install, interUpdate, USER } from '../conformance/_harness.ts';
import { wat } from '../support/build.ts';
import { prog } from '../universal/program.ts';

const TIME = 1_700_000_000_000_000_000n;
const CERTIFYING = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "certified_data_set" (func $set (param i32 i32)))
  (import "ic0" "data_certificate_size" (func $size (result i32)))
  (import "ic0" "data_certificate_copy" (func $copy (param i32 i32 i32)))
  (memory 1) (data (i32.const 0) "hello")
  (func (export "canister_update set") (call $set (i32.const 0) (i32.const 5)) (call $reply))
  (func (export "canister_query certificate")
    (call $copy (i32.const 1024) (i32.const 0) (call $size))
    (call $append (i32.const 1024) (call $size)) (call $reply))
  )`;

test('the package exports every error class the library throws', () => {
  for (const name of ['CallError', 'CallTimeoutError', 'CapsuleClosedError', 'PersistenceError']) assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
  assert.ok(new CapsuleClosedError() instanceof Error);
  assert.equal(typeof PersistenceError, 'function');
});

test('a Capsule offers no handle on its replica or store', async () => {
  const ic = await Capsule.create({ time: TIME });
  assert.equal((ic as unknown as Record<string, unknown>).replica, undefined);
  assert.equal((ic as unknown as Record<string, unknown>).store, undefined);
  await ic.close();
});

test('advanceTime takes nanoseconds as a bigint and refuses a number', async () => {
  const ic = await Capsule.create({ time: TIME });
  await ic.advanceTime(5_000_000_000n);
  assert.equal(await ic.getTime(), TIME + 5_000_000_000n);
  await assert.rejects(ic.advanceTime(5_000 as unknown as bigint), TypeError);
  await assert.rejects(ic.advanceTime(-1n), TypeError);
  await ic.close();
});

test('after close() every method throws CapsuleClosedError', async () => {
  const ic = await Capsule.create({ time: TIME });
  const id = await ic.createCanister();
  await ic.close();
  const calls: [string, () => Promise<unknown>][] = [
    ['createCanister', () => ic.createCanister()],
    ['installCode', () => ic.installCode({ canisterId: id, wasm: new Uint8Array() })],
    ['updateCall', () => ic.updateCall({ canisterId: id, method: 'x' })],
    ['queryCall', () => ic.queryCall({ canisterId: id, method: 'x' })],
    ['callManagement', () => ic.callManagement('raw_rand', new Uint8Array())],
    ['advanceTime', () => ic.advanceTime(1n)],
    ['setTime', () => ic.setTime(TIME * 2n)],
    ['tick', () => ic.tick()],
    ['getTime', () => ic.getTime()],
    ['getCycleBalance', () => ic.getCycleBalance(id)],
    ['addCycles', () => ic.addCycles(id, 1n)],
    ['canisterLogs', () => ic.canisterLogs(id)],
    ['stateHash', () => ic.stateHash()],
  ];
  for (const [name, call] of calls) await assert.rejects(call(), CapsuleClosedError, name);
  await ic.close(); // idempotent
});

test('a call that does not finish within maxRoundsPerCall throws CallTimeoutError', async () => {
  // One inner round per round (round limit 1): a chain A -> B -> C and back needs six rounds.
  const ic = await Capsule.create({ time: TIME, maxRoundsPerCall: 3, costSchedule: 'free', instructionLimits: { round: 1n } });
  const [a, b, c] = [await install(ic, 32), await install(ic, 32), await install(ic, 32)];
  const program = interUpdate(b, { otherSide: interUpdate(c, { otherSide: prog().replyData('deep') }) });
  const error = await ic.updateCall({ canisterId: a, method: 'update', arg: program.build(), sender: USER }).catch((e: unknown) => e);
  assert.ok(error instanceof CallTimeoutError, String(error));
  assert.equal(error.rounds, 3);
  await ic.close();
});

test('a library query gets a data certificate that verifies against the root key', async () => {
  const ic = await Capsule.create({ time: TIME, costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(CERTIFYING) });
  await ic.updateCall({ canisterId, method: 'set' });
  const certificate = await ic.queryCall({ canisterId, method: 'certificate' });
  const verified = verifyCertificate(certificate, ic.rootKey);
  assert.ok(verified.ok, verified.ok ? '' : verified.message);
  const found = lookupPath(['canister', canisterId.toUint8Array(), 'certified_data'], verified.certificate.tree);
  assert.deepEqual(found, { status: 'found', value: new TextEncoder().encode('hello') });
  await ic.close();
});
