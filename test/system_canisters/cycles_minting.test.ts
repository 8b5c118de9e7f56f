// The natively implemented cycles minting canister and registry query: default subnets, creation for
// cycles by a canister, the ICP-based notify flow refused with a reason, the subnet of a canister.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '../../src/api/index.ts';
import * as CMC from '../../src/system_canisters/candid/cmc.ts';
import { CYCLES_MINTING_CANISTER, REGISTRY } from '../../src/system_canisters/index.ts';
import { buildUniversalCanister, prog } from '../universal/program.ts';
import { ALICE, CREATION_FEE, decode, encode, newCapsule, query, update } from './_helpers.ts';
import { replicaOf } from '../../src/api/testing.ts';

test('get_default_subnets names this subnet; no subnet types are configured', async () => {
  const c = await newCapsule();
  const subnets = await query<Principal[]>(c, CYCLES_MINTING_CANISTER, 'get_default_subnets', encode(null), IDL.Vec(IDL.Principal));
  assert.deepEqual(subnets.map((p) => p.toText()), [c.subnetId.toText()]);
  assert.deepEqual(await query(c, CYCLES_MINTING_CANISTER, 'get_subnet_types_to_subnets', encode(null), CMC.SubnetTypesToSubnetsResponse), { data: [] });
});

test('a canister creates a canister through the CMC with the cycles it attaches; it controls the new one', async () => {
  const c = await newCapsule();
  const uc = await c.createCanister({ sender: ALICE, cycles: 10n ** 13n });
  await c.installCode({ canisterId: uc, wasm: await buildUniversalCanister(32), arg: prog().build(), sender: ALICE });
  const arg = encode(CMC.CreateCanisterArg, { settings: [], subnet_type: [], subnet_selection: [] });
  const attached = 1_000_000_000_000n;
  const program = prog().callSimple(CYCLES_MINTING_CANISTER, 'create_canister', { cycles: attached, args: arg }).build();
  const reply = decode<{ Ok: Principal } | { Err: unknown }>(CMC.CreateCanisterResult, await c.updateCall({ canisterId: uc, method: 'update', arg: program, sender: ALICE }));
  assert.ok('Ok' in reply);
  assert.equal(await c.getCycleBalance(reply.Ok), attached - CREATION_FEE);
  const info = replicaOf(c).canister(reply.Ok)!;
  assert.deepEqual(info.settings.controllers.map((p) => p.toText()), [uc.toText()]);
  // Too few cycles: refunded, with the management canister's reason.
  const poor = prog().callSimple(CYCLES_MINTING_CANISTER, 'create_canister', { cycles: 5n, args: arg }).build();
  const refused = decode<{ Err: { Refunded: { refund_amount: bigint; create_error: string } } }>(CMC.CreateCanisterResult, await c.updateCall({ canisterId: uc, method: 'update', arg: poor, sender: ALICE }));
  assert.equal(refused.Err.Refunded.refund_amount, 5n);
  assert.match(refused.Err.Refunded.create_error, /fee/);
});

test('notify_create_canister of a block the ICP ledger does not have says so', async () => {
  const c = await newCapsule();
  const arg = encode(CMC.NotifyCreateCanisterArg, { block_index: 1n, controller: ALICE, subnet_type: [], subnet_selection: [], settings: [] });
  const reply = await update<{ Err: { Other: { error_message: string } } }>(c, CYCLES_MINTING_CANISTER, 'notify_create_canister', arg, CMC.NotifyCreateCanisterResult, ALICE);
  assert.match(reply.Err.Other.error_message, /The ICP ledger has no block 1/);
});

test('the registry places every id of the subnet ranges on this subnet', async () => {
  const c = await newCapsule();
  const ask = (principal: Principal) =>
    query<{ Ok: { subnet_id: [Principal] } } | { Err: string }>(c, REGISTRY, 'get_subnet_for_canister', encode(CMC.GetSubnetForCanisterRequest, { principal: [principal] }), CMC.GetSubnetForCanisterResult);
  const created = await c.createCanister({ sender: ALICE });
  const found = await ask(created);
  assert.ok('Ok' in found);
  assert.equal(found.Ok.subnet_id[0].toText(), c.subnetId.toText());
  assert.ok('Err' in (await ask(ALICE)));
});
