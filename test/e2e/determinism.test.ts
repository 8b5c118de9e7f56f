// Determinism (docs/architecture.md): the same inputs give the same state hash, run after run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../../src/api/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

const none = new Uint8Array(IDL.encode([], []));
const START = 1_750_000_000_000_000_000n;

/** A scenario with canister creation, inter-canister calls with cycles, traps, timers and raw_rand. */
async function scenario(extraCall: boolean): Promise<string> {
  const ic = await Capsule.create({ seed: new Uint8Array(32).fill(1), time: START });
  const factoryWasm = (await motoko(canisterSource('factory.mo', 'Child.mo'), { main: 'factory.mo' })).wasm;
  const trapperWasm = (await motoko(canisterSource('general.mo'), { persistence: 'classical', main: 'general.mo' })).wasm;
  const timersWasm = (await motoko(canisterSource('timers.mo'), { main: 'timers.mo' })).wasm;
  const factory = await ic.createCanister();
  await ic.installCode({ canisterId: factory, wasm: factoryWasm });
  const trapper = await ic.createCanister();
  await ic.installCode({ canisterId: trapper, wasm: trapperWasm });
  const timers = await ic.createCanister();
  await ic.installCode({ canisterId: timers, wasm: timersWasm });
  await ic.updateCall({ canisterId: factory, method: 'spawn', arg: new Uint8Array(IDL.encode([IDL.Nat, IDL.Nat], [2n, 1_000_000_000_000n])) });
  await ic.updateCall({ canisterId: trapper, method: 'callSelfBoom', arg: none });
  await ic.updateCall({ canisterId: trapper, method: 'inc', arg: none });
  if (extraCall) await ic.updateCall({ canisterId: trapper, method: 'inc', arg: none });
  await ic.updateCall({ canisterId: timers, method: 'every', arg: new Uint8Array(IDL.encode([IDL.Nat], [1n])) });
  await ic.advanceTime(3_000_000_000n);
  await ic.tick(5);
  await ic.callManagement('provisional_top_up_canister', new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal, amount: IDL.Nat })], [{ canister_id: trapper, amount: 5n }])));
  return ic.stateHash();
}

test('the same scenario run twice gives the same state hash; one more call changes it', async () => {
  const first = await scenario(false);
  const second = await scenario(false);
  assert.equal(first, second);
  assert.match(first, /^[0-9a-f]{64}$/);
  const different = await scenario(true);
  assert.notEqual(first, different);
});
