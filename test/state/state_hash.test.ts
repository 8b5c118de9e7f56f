// The state hash covers the whole replicated state by construction: any replicated field changes it,
// the order maps were filled in does not, and bookkeeping outside the replicated state does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { type CanisterState, stateHash, type SubnetState } from '../../src/state/index.ts';
import { pagerWasm, SEED, START, u32 } from '../persistence/_canisters.ts';
import { uploadChunk } from '../persistence/_helpers.ts';
import { replicaOf } from '../../src/api/testing.ts';

async function scenario(): Promise<{ ic: Capsule; canister: CanisterState }> {
  const ic = await Capsule.create({ seed: SEED, time: START });
  const wasm = await pagerWasm();
  const first = await ic.createCanister();
  const second = await ic.createCanister();
  for (const canisterId of [first, second]) await ic.installCode({ canisterId, wasm });
  for (let i = 1; i <= 3; i++) await ic.updateCall({ canisterId: first, method: 'step', arg: u32(i) });
  await ic.updateCall({ canisterId: second, method: 'touch', arg: u32(5) });
  await uploadChunk(ic, second, new Uint8Array([1, 2, 3]));
  return { ic, canister: replicaOf(ic).canister(first)! };
}

// Pinned: the same seed, time and calls must give this hash on every machine and in every version.
// If a change of the state (a new field, a new cost) or of the hash's encoding moves it on purpose,
// pin the new value and say why in the commit; also re-pin test/persistence/format_fixture.test.ts.
// If it moved by accident, something became nondeterministic or a replicated value changed.
const GOLDEN = 'db6ef47e947fb7b9264aab1e4081de6430106cd7240e113b9050777c8b21ab32';

test('a fixed scenario (seed, time, canisters, calls) has a pinned state hash', async () => {
  const { ic } = await scenario();
  assert.equal(await ic.stateHash(), GOLDEN);
});

test('every replicated field changes the hash, settings, history, chunks, callbacks, ingress and counters included', async () => {
  const { ic, canister } = await scenario();
  const state: SubnetState = replicaOf(ic).state;
  const changes: [string, () => void][] = [
    ['freezing threshold', () => { canister.settings.freezingThreshold += 1n; }],
    ['environment variable', () => { canister.settings.environmentVariables.push({ name: 'a', value: 'b' }); }],
    ['history', () => { canister.history.push({ timestampNanos: 1n, canisterVersion: 9n, origin: { kind: 'user', userId: canister.id }, details: { kind: 'codeUninstall' } }); }],
    ['chunk store', () => { canister.chunkStore.set('ff', new Uint8Array([9])); }],
    ['low-memory hook', () => { canister.onLowWasmMemory = 'ready'; }],
    ['last seen time', () => { canister.lastSeenTime += 1n; }],
    ['log timestamp', () => { canister.logs.push({ idx: 0n, timestampNanos: 1n, content: new Uint8Array(0) }); }],
    ['log idx', () => { canister.logs.at(-1)!.idx = 5n; }],
    ['heap byte', () => { new Uint8Array(canister.wasm!.memory.buffer)[70_000]! ^= 1; }],
    ['stable page', () => { canister.stable.write(8192, new Uint8Array([1]), () => {}); }],
    ['ingress history', () => { state.ingress.clear(); }],
    ['round', () => { state.round += 1n; }],
    ['random counter', () => { state.randomCounter += 1n; }],
    ['ledger', () => { state.systemCanisters.cyclesLedger.nextBlock += 1n; }],
    ['funding rule', () => { state.systemCanisters.cyclesLedger.lazyFunding = false; }],
    ['ICP ledger', () => { state.systemCanisters.icpLedger.balances.set('00', 1n); }],
  ];
  const seen = new Set([stateHash(state)]);
  for (const [what, change] of changes) {
    change();
    const hash = stateHash(state);
    assert.ok(!seen.has(hash), `changing the ${what} did not change the hash`);
    seen.add(hash);
  }
});

test('the hash does not depend on the order maps were filled in, nor on what persistence has yet to write', async () => {
  const { ic, canister } = await scenario();
  const state = replicaOf(ic).state;
  const before = stateHash(state);
  state.canisters = new Map([...state.canisters].reverse());
  canister.chunkStore = new Map([...canister.chunkStore].reverse());
  canister.dirty.heapPages.add(3);
  canister.dirty.heapReplaced = true;
  assert.equal(stateHash(state), before);
});

test('state that is not plain data is refused by name instead of being left out', async () => {
  const { ic, canister } = await scenario();
  (canister.settings as unknown as Record<string, unknown>).callback = () => {};
  assert.throws(() => stateHash(replicaOf(ic).state), /settings\.callback: a function is not plain state data/);
});
