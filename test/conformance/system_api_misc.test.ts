// The rest of the System API (ic-ref-test "self", "caller (in init)", canister_status codes;
// interface spec, System API sections: identity, subnet, root key, status, in_replicated_execution,
// performance_counter, environment variables, cost queries, caller info).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { decodeCycles128, prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  compositeQuery,
  create,
  install,
  installAt,
  interCall,
  interUpdate,
  isRelayReply,
  mgmt,
  newCapsule,
  type Principal,
  query,
  rejects,
  settings,
  text,
  u32,
  u64,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
let app: Capsule;
before(async () => {
  c = await newCapsule();
  app = await newCapsule('application');
});

async function withEnv(width: 32 | 64, variables: { name: string; value: string }[]): Promise<Principal> {
  const id = await create(c);
  await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ environment_variables: [variables] }), sender_canister_version: [] });
  await installAt(c, id, width);
  return id;
}

for (const width of WIDTHS) {
  describe(`identity, subnet and status (wasm${width})`, () => {
    test('canister_self', async () => {
      const id = await install(c, width);
      assert.deepEqual(await query(c, id, prog().self().appendAndReply()), id.toUint8Array());
      assert.equal(u32(await query(c, id, prog().canisterSelfSize().replyInt())), id.toUint8Array().length);
    });
    test('subnet_self is the subnet id', async () => {
      const id = await install(c, width);
      assert.deepEqual(await query(c, id, prog().subnetSelf().appendAndReply()), c.subnetId.toUint8Array());
      assert.deepEqual(await call(c, id, prog().subnetSelf().appendAndReply()), c.subnetId.toUint8Array());
    });
    test('root_key is the DER-encoded root key (133 bytes)', async () => {
      const id = await install(c, width);
      const key = await call(c, id, prog().rootKey().appendAndReply());
      assert.equal(key.length, 133);
      assert.deepEqual(key, c.rootKey);
    });
    test('canister_status is 1 when running', async () => {
      const id = await install(c, width);
      assert.equal(u32(await call(c, id, prog().canisterStatus().replyInt())), 1);
    });
    test('msg_caller_info is empty for ordinary callers', async () => {
      const id = await install(c, width);
      const r = await call(c, id, prog().msgCallerInfoDataSize().intToBlob().replyDataAppend().msgCallerInfoSignerSize().replyInt());
      assert.deepEqual(r, new Uint8Array(8));
      const other = await install(c, width);
      const fromCanister = isRelayReply(await call(c, other, interUpdate(id, { otherSide: prog().msgCallerInfoDataSize().replyInt() })));
      assert.equal(u32(fromCanister), 0);
    });
    test('*_copy with an out-of-range slice traps', async () => {
      const id = await install(c, width);
      const size = id.toUint8Array().length;
      await rejects(query(c, id, prog().canisterSelfCopy(0, size + 1).appendAndReply()), 5);
      await rejects(query(c, id, prog().canisterSelfCopy(size, 1).appendAndReply()), 5);
      assert.equal((await query(c, id, prog().canisterSelfCopy(size, 0).appendAndReply())).length, 0);
    });
    test('msg_arg_data_copy copies a slice', async () => {
      const id = await install(c, width);
      const p = prog().msgArgDataCopy(0, 3).appendAndReply();
      assert.deepEqual(await call(c, id, p), p.build().slice(0, 3));
    });
  });

  describe(`in_replicated_execution (wasm${width})`, () => {
    const replyIt = () => prog().inReplicatedExecution().replyInt();
    test('1 in update', async () => assert.equal(u32(await call(c, await install(c, width), replyIt())), 1));
    test('1 in replicated query', async () => assert.equal(u32(await callToQuery(c, await install(c, width), replyIt())), 1));
    test('0 in query', async () => assert.equal(u32(await query(c, await install(c, width), replyIt())), 0));
    test('0 in composite query', async () => assert.equal(u32(await compositeQuery(c, await install(c, width), replyIt())), 0));
    test('1 in init', async () => {
      const id = await install(c, width, prog().inReplicatedExecution().intToBlob().setGlobal());
      assert.equal(u32(await query(c, id, prog().getGlobal().appendAndReply())), 1);
    });
    test('1 in a reply callback', async () => {
      const id = await install(c, width);
      assert.equal(u32(await call(c, id, interCall(id, 'query', { onReply: replyIt() }))), 1);
    });
    test('0 in a composite query callback', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      assert.equal(u32(await compositeQuery(c, a, interCall(b, 'query', { onReply: replyIt() }))), 0);
    });
  });

  describe(`performance_counter (wasm${width})`, () => {
    test('counter 0 grows within an execution', async () => {
      const id = await install(c, width);
      const r = await call(c, id, prog().getPerformanceCounter(0).int64ToBlob().replyDataAppend().pushEqualBytes(1, 1000).drop().getPerformanceCounter(0).replyInt64());
      assert.ok(u64(r.slice(8)) > u64(r.slice(0, 8)));
    });
    test('counter 1 (call context) is at least counter 0 and grows across callbacks', async () => {
      const id = await install(c, width);
      const onReply = prog().getPerformanceCounter(0).int64ToBlob().replyDataAppend().getPerformanceCounter(1).replyInt64();
      const r = await call(c, id, prog().pushEqualBytes(1, 10_000).drop().append(interCall(id, 'query', { onReply })));
      assert.ok(u64(r.slice(8)) > u64(r.slice(0, 8)));
    });
    test('an unknown counter type traps', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, prog().getPerformanceCounter(7).replyInt64()), 5);
    });
    test('InstructionCounterIsAtLeast', async () => {
      const id = await install(c, width);
      const r = await call(c, id, prog().instructionCounterIsAtLeast(1_000_000).getPerformanceCounter(0).replyInt64());
      assert.ok(u64(r) >= 1_000_000n);
    });
  });

  describe(`environment variables (wasm${width})`, () => {
    test('count, sorted names and values', async () => {
      const id = await withEnv(width, [{ name: 'ZED', value: 'last' }, { name: 'ALPHA', value: 'first' }]);
      assert.equal(u32(await query(c, id, prog().envVarCount().replyInt())), 2);
      assert.equal(text(await query(c, id, prog().envVarName(0).appendAndReply())), 'ALPHA');
      assert.equal(text(await query(c, id, prog().envVarName(1).appendAndReply())), 'ZED');
      assert.equal(text(await query(c, id, prog().envVarValue('ZED').appendAndReply())), 'last');
      assert.equal(u32(await query(c, id, prog().envVarValueSize('ALPHA').replyInt())), 5);
    });
    test('name_exists', async () => {
      const id = await withEnv(width, [{ name: 'A', value: '1' }]);
      assert.equal(u32(await query(c, id, prog().envVarNameExists('A').replyInt())), 1);
      assert.equal(u32(await query(c, id, prog().envVarNameExists('B').replyInt())), 0);
    });
    test('an index out of range traps', async () => {
      const id = await withEnv(width, [{ name: 'A', value: '1' }]);
      await rejects(query(c, id, prog().envVarNameSize(1).replyInt()), 5);
    });
    test('the value of an unknown name traps', async () => {
      const id = await withEnv(width, [{ name: 'A', value: '1' }]);
      await rejects(query(c, id, prog().envVarValueSize('B').replyInt()), 5);
    });
    test('a non-UTF-8 name traps', async () => {
      const id = await withEnv(width, [{ name: 'A', value: '1' }]);
      await rejects(query(c, id, prog().envVarNameExists(Uint8Array.from([0xff])).replyInt()), 5);
    });
    test('no variables by default', async () => {
      const id = await install(c, width);
      assert.equal(u32(await query(c, id, prog().envVarCount().replyInt())), 0);
    });
  });

  describe(`cost queries (wasm${width})`, () => {
    test('cost_create_canister is the creation fee of a 13-node subnet', async () => {
      const id = await install(app, width, prog(), { cycles: 10n ** 15n });
      assert.equal(decodeCycles128(await query(app, id, prog().costCreateCanister().appendAndReply())), 500_000_000_000n);
    });
    test('cost_call grows with the payload', async () => {
      const id = await install(app, width, prog(), { cycles: 10n ** 15n });
      const r = await query(app, id, prog().costCall(6, 0).replyDataAppend().costCall(6, 1000).appendAndReply());
      const small = decodeCycles128(r.slice(0, 16));
      const large = decodeCycles128(r.slice(16));
      // 1,000 cycles per request byte on a 13-node subnet (the IC's cycle costs)
      assert.equal(large - small, 1_000_000n);
      assert.ok(small > 260_000n);
    });
    test('cost_sign_with_ecdsa: 0 for a known key, 1 for a bad curve, 2 for an unknown key', async () => {
      const id = await install(c, width);
      const code = async (key: string, curve: number) => u32(await query(c, id, prog().costSignWithEcdsaCode(key, curve).replyInt()));
      assert.equal(await code('key_1', 0), 0);
      assert.equal(await code('key_1', 7), 1);
      assert.equal(await code('no such key', 0), 2);
    });
    test('cost_sign_with_schnorr: algorithms 0 and 1 are valid', async () => {
      const id = await install(c, width);
      const code = async (algorithm: number) => u32(await query(c, id, prog().costSignWithSchnorrCode('key_1', algorithm).replyInt()));
      assert.equal(await code(0), 0);
      assert.equal(await code(1), 0);
      assert.equal(await code(2), 1);
    });
    test('cost_vetkd_derive_key: curve 0 is valid', async () => {
      const id = await install(c, width);
      assert.equal(u32(await query(c, id, prog().costVetkdDeriveKeyCode('key_1', 0).replyInt())), 0);
      assert.equal(u32(await query(c, id, prog().costVetkdDeriveKeyCode('key_1', 1).replyInt())), 1);
    });
  });

  describe(`replica extras (wasm${width})`, () => {
    test('mint_cycles128 traps outside the cycles minting canister', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().mintCycles128Amount(1000n).appendAndReply()), 5);
    });
  });
}

describe('canister ids', () => {
  test('create_canister via a canister gets a fresh id', async () => {
    const a = await install(c, 32);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await create(c)).toText());
    ids.add(a.toText());
    assert.equal(ids.size, 4);
  });
});
