// The replica's round recorder: bounded, matching answers to calls, and telling listeners only of rounds
// in which something happened. Fed here with real messages over a real subnet state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { RoundRecorder, type RoundTiming } from '../../src/replica/index.ts';
import { type CanisterMessage, newCanister, defaultSettings, Principal, principalKey, type SubnetState } from '../../src/state/index.ts';

const alice = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
const bob = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const user = Principal.fromText('2vxsx-fae');

function request(caller: Principal, receiver: Principal, method: string, callbackId: number): CanisterMessage {
  return { kind: 'request', caller, receiver, method, arg: new Uint8Array(), cycles: 7n, origin: { kind: 'canister', caller, callbackId, deadline: 0n }, deadline: 0n };
}

function reply(receiver: Principal, respondent: Principal, callbackId: number): CanisterMessage {
  return { kind: 'response', receiver, respondent, callbackId, result: { kind: 'reply', payload: new Uint8Array(3) }, refund: 0n, deadline: 0n };
}

async function subnetState(): Promise<SubnetState> {
  return replicaOf(await Capsule.create()).state;
}

test('a response is matched to its request by the caller and the callback id; other answers change nothing', async () => {
  const state = await subnetState();
  const recorder = new RoundRecorder();
  recorder.startRound(1n, []);
  recorder.message(request(alice, bob, 'ping', 4));
  recorder.message(request(bob, alice, 'pong', 4));
  recorder.endRound(state, 1, 1);
  recorder.startRound(2n, []);
  recorder.message(reply(alice, bob, 4));
  recorder.message(reply(alice, bob, 5));
  recorder.endRound(state, 1, 1);
  const [ping, pong] = recorder.calls();
  assert.deepEqual({ ...ping, caller: ping!.caller.toText(), callee: ping!.callee.toText() }, {
    sequence: 1,
    kind: 'canister',
    round: 1n,
    caller: alice.toText(),
    callee: bob.toText(),
    method: 'ping',
    cycles: 7n,
    answeredRound: 2n,
    outcome: { kind: 'reply', bytes: 3 },
  });
  assert.equal(pong!.outcome, undefined, 'bob has not been answered');
  assert.deepEqual(recorder.timings().map((timing) => timing.calls), [2, 1]);
});

test('an ingress message is answered from the ingress history at the end of a later round', async () => {
  const state = await subnetState();
  const recorder = new RoundRecorder();
  const message = { messageId: 'm1', sender: user, receiver: alice, method: 'greet', arg: new Uint8Array(), effectiveId: alice, bytes: 10 };
  recorder.startRound(1n, [message]);
  state.ingress.set('m1', { status: 'processing', time: 0n, sender: user, receiver: alice, effectiveId: alice });
  recorder.endRound(state, 1, 1);
  assert.equal(recorder.calls()[0]!.outcome, undefined);
  recorder.startRound(2n, []);
  state.ingress.set('m1', { status: 'rejected', time: 0n, sender: user, receiver: alice, effectiveId: alice, code: 5, message: 'trapped', errorCode: 'IC0503', backtrace: ['f'] });
  recorder.endRound(state, 1, 1);
  assert.deepEqual(recorder.calls()[0]!.outcome, { kind: 'reject', code: 5, message: 'trapped', backtrace: ['f'] });
  assert.equal(recorder.calls()[0]!.answeredRound, 2n);
});

test('the recorder keeps the newest rounds and calls up to its limits, and no longer waits for the answer of a call it dropped', async () => {
  const state = await subnetState();
  const recorder = new RoundRecorder({ rounds: 3, calls: 2 });
  for (let round = 1; round <= 5; round++) {
    recorder.startRound(BigInt(round), []);
    recorder.message(request(alice, bob, `call${round}`, round));
    recorder.endRound(state, 0, 0);
  }
  assert.deepEqual(recorder.calls().map((call) => call.method), ['call4', 'call5']);
  assert.equal(recorder.timings().length, 3);
  recorder.startRound(6n, []);
  recorder.message(reply(alice, bob, 1));
  recorder.endRound(state, 0, 0);
  assert.equal(recorder.timings().at(-1)!.calls, 0, 'the answer of a dropped call is not counted');
});

test('listeners hear of rounds that made or answered a call or created a canister, never of idle ones', async () => {
  const state = await subnetState();
  const recorder = new RoundRecorder();
  const heard: RoundTiming[] = [];
  const stop = recorder.onActiveRound((timing) => heard.push(timing));
  const round = (messages: CanisterMessage[]) => {
    recorder.startRound(state.round + 1n, []);
    state.round += 1n;
    for (const message of messages) recorder.message(message);
    recorder.endRound(state, 0, 0);
  };
  round([]);
  round([request(alice, bob, 'ping', 1)]);
  round([]);
  state.canisters.set(principalKey(bob), newCanister(bob, defaultSettings([user]), 0n, 0n));
  round([]);
  round([]);
  assert.deepEqual(heard.map((timing) => timing.round), [2n, 4n]);
  stop();
  round([request(alice, bob, 'ping', 2)]);
  assert.equal(heard.length, 2, 'a listener that stopped hears nothing');
});
