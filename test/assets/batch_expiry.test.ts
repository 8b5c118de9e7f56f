// Batch expiry of the asset canister, in-process where time can be moved: a batch left without
// new chunks for 300 s is dropped with its chunks when the next batch is created.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../../src/api/index.ts';
import { assetCanisterWasm } from './_canister.ts';

const batchId = IDL.Record({ batch_id: IDL.Nat });
const chunk = IDL.Record({ batch_id: IDL.Nat, content: IDL.Vec(IDL.Nat8) });
const operation = IDL.Variant({
  CreateAsset: IDL.Record({ key: IDL.Text, content_type: IDL.Text, max_age: IDL.Opt(IDL.Nat64), headers: IDL.Opt(IDL.Vec(IDL.Tuple(IDL.Text, IDL.Text))), enable_aliasing: IDL.Opt(IDL.Bool), allow_raw_access: IDL.Opt(IDL.Bool) }),
  SetAssetContent: IDL.Record({ key: IDL.Text, content_encoding: IDL.Text, chunk_ids: IDL.Vec(IDL.Nat), last_chunk: IDL.Opt(IDL.Vec(IDL.Nat8)), sha256: IDL.Opt(IDL.Vec(IDL.Nat8)) }),
});
const commit = IDL.Record({ batch_id: IDL.Nat, operations: IDL.Vec(operation) });

test('a batch idle for more than 300 s is dropped with its chunks when the next batch is created; a younger one stays', async () => {
  const capsule = await Capsule.create();
  try {
    const canisterId = await capsule.createCanister();
    await capsule.installCode({ canisterId, wasm: await assetCanisterWasm(), arg: new Uint8Array(IDL.encode([], [])) });
    const call = async (method: string, types: IDL.Type[], args: unknown[]) => capsule.updateCall({ canisterId, method, arg: new Uint8Array(IDL.encode(types, args)) });
    const upload = async (key: string) => {
      const { batch_id } = IDL.decode([batchId], await call('create_batch', [IDL.Record({})], [{}]))[0] as unknown as { batch_id: bigint };
      const reply = await call('create_chunk', [chunk], [{ batch_id, content: new TextEncoder().encode(key) }]);
      const { chunk_id } = IDL.decode([IDL.Record({ chunk_id: IDL.Nat })], reply)[0] as unknown as { chunk_id: bigint };
      const operations = [
        { CreateAsset: { key, content_type: 'text/plain', max_age: [], headers: [], enable_aliasing: [], allow_raw_access: [] } },
        { SetAssetContent: { key, content_encoding: 'identity', chunk_ids: [chunk_id], last_chunk: [], sha256: [] } },
      ];
      return () => call('commit_batch', [commit], [{ batch_id, operations }]);
    };

    const commitOld = await upload('/old.txt');
    await capsule.advanceTime(200_000_000_000n);
    const commitYoung = await upload('/young.txt');
    await capsule.advanceTime(101_000_000_000n); // the first batch is 301 s idle, the second 101 s
    await call('create_batch', [IDL.Record({})], [{}]);
    await assert.rejects(commitOld(), /chunk not found/);
    await commitYoung();
  } finally {
    await capsule.close();
  }
});
