// Ingress history (interface spec, section 'Request status'): results stay readable about 5 minutes, then become `done`, and are
// dropped once no request with that id could still be within its expiry. The history is pruned every
// 64 rounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule, Principal } from '../../src/api/index.ts';
import { wat } from '../support/build.ts';
import { replicaOf } from '../../src/api/testing.ts';

test('a result is kept, then marked done, then dropped', async () => {
  const ic = await Capsule.create({ costSchedule: 'free' });
  const wasm = await wat(`(module (import "ic0" "msg_reply" (func $reply)) (func (export "canister_update ping") (call $reply)))`);
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const replica = replicaOf(ic);
  const messageId = replica.submit({ sender: Principal.anonymous(), receiver: canisterId, method: 'ping', arg: new Uint8Array() });
  assert.equal(typeof messageId, 'string');
  replica.round();
  assert.equal(replica.ingressStatus(messageId as string)?.status, 'replied');
  await ic.advanceTime(240_000_000_000n);
  await ic.tick(64);
  assert.equal(replica.ingressStatus(messageId as string)?.status, 'replied', 'still readable after 4 minutes');
  await ic.advanceTime(120_000_000_000n);
  await ic.tick(64);
  assert.equal(replica.ingressStatus(messageId as string)?.status, 'done');
  await ic.advanceTime(360_000_000_000n);
  await ic.tick(64);
  assert.equal(replica.ingressStatus(messageId as string), undefined);
});
