// Bad input gets the spec's reject code and a clear message, and loses nothing:
// the state hash after each refused request equals the one before (time aside, which rounds advance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CallError, Capsule } from '../../src/api/index.ts';
import { stateHash } from '../../src/state/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { candid } from '../../src/management/index.ts';

const none = new Uint8Array(IDL.encode([], []));

/** The state hash with the time fixed, so that only real changes show. */
function hashIgnoringTime(ic: Capsule): string {
  const state = replicaOf(ic).state;
  const time = state.time;
  state.time = 0n;
  const hash = stateHash(state);
  state.time = time;
  return hash;
}

async function expectReject(ic: Capsule, call: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  const before = hashIgnoringTime(ic);
  await assert.rejects(call, (error: CallError) => {
    assert.ok(error instanceof CallError, `a CallError, got ${error}`);
    assert.equal(error.rejectCode, code, error.rejectMessage);
    assert.match(error.rejectMessage, message);
    return true;
  });
  assert.equal(hashIgnoringTime(ic), before, 'a refused request changes nothing');
}

test('malformed modules, unknown methods, wrong Candid, missing canisters and non-controllers are refused cleanly', async () => {
  const ic = await Capsule.create();
  const owner = Principal.selfAuthenticating(new Uint8Array(44).fill(1));
  const stranger = Principal.selfAuthenticating(new Uint8Array(44).fill(2));
  const { wasm } = await motoko(canisterSource('general.mo'), { main: 'general.mo' });
  const id = await ic.createCanister({ sender: owner });
  await ic.installCode({ canisterId: id, wasm, sender: owner });
  await ic.updateCall({ canisterId: id, method: 'inc', arg: none });

  await expectReject(ic, ic.installCode({ canisterId: id, wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0]), sender: owner, mode: 'reinstall' }), 5, /not valid|invalid/i);
  await expectReject(ic, ic.installCode({ canisterId: id, wasm: new Uint8Array([1, 2, 3]), sender: owner, mode: 'reinstall' }), 5, /not valid|invalid/i);
  await expectReject(ic, ic.updateCall({ canisterId: id, method: 'nope', arg: none }), 5, /has no update method 'nope'/);
  await expectReject(ic, ic.queryCall({ canisterId: id, method: 'nope', arg: none }), 5, /has no query method 'nope'/);
  await expectReject(ic, ic.updateCall({ canisterId: id, method: 'add', arg: new Uint8Array(IDL.encode([IDL.Text], ['x'])) }), 5, /IDL|type|decod|Candid/i);
  await expectReject(ic, ic.updateCall({ canisterId: id, method: 'add', arg: new Uint8Array([1, 2, 3]) }), 5, /.+/);
  const missing = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
  await expectReject(ic, ic.updateCall({ canisterId: missing, method: 'inc', arg: none }), 3, /not found/);
  await expectReject(ic, ic.queryCall({ canisterId: missing, method: 'get', arg: none }), 3, /not found/);
  // Refused by the ingress filter, as the replica does: no message id, nothing in the ingress history.
  const history = replicaOf(ic).state.ingress.size;
  await expectReject(ic, ic.installCode({ canisterId: id, wasm, sender: stranger, mode: 'reinstall' }), 5, /Only controllers of canister .* can call ic00 method install_code/);
  await expectReject(ic, ic.callManagement('stop_canister', candid.encodeManagementArg('stop_canister', { canister_id: id }), stranger), 5, /can call ic00 method stop_canister/);
  assert.equal(replicaOf(ic).state.ingress.size, history);
  await expectReject(ic, ic.callManagement('update_settings', new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 1, 0x71, 1, 0x41]), owner), 4, /Error decoding candid/);
  await expectReject(ic, ic.callManagement('no_such_method', none, owner), 5, /has no method 'no_such_method'/);
  await expectReject(ic, ic.callManagement('raw_rand', none, owner), 4, /Only canisters can call/);

  assert.equal(IDL.decode([IDL.Nat], await ic.queryCall({ canisterId: id, method: 'get', arg: none }))[0], 1n, 'the canister still serves its state');
});
