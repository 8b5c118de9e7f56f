// Query statistics are counted by non-replicated queries outside the replicated state: canister_status
// reports calls, instructions and payload bytes, while the state hash stays what it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { candid } from '../../src/management/index.ts';
import { pagerWasm, SEED, START, u32 } from '../persistence/_canisters.ts';

test('queries are counted in canister_status without changing the state hash', async () => {
  const ic = await Capsule.create({ seed: SEED, time: START });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  const hash = await ic.stateHash();
  for (let i = 0; i < 10; i++) await ic.queryCall({ canisterId, method: 'peek', arg: u32(i) });
  assert.equal(await ic.stateHash(), hash);
  const reply = await ic.callManagement('canister_status', candid.encodeManagementArg('canister_status', { canister_id: canisterId }));
  const stats = candid.decodeManagementResult('canister_status', reply).query_stats;
  assert.equal(stats.num_calls_total, 10n);
  assert.ok(stats.num_instructions_total > 0n);
  assert.equal(stats.request_payload_bytes_total, 40n, 'ten 4-byte arguments');
  assert.equal(stats.response_payload_bytes_total, 40n, 'ten 4-byte replies');
});
