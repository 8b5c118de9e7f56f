// The natively implemented cycles ledger through the library API: the local funding rule, ICRC-1
// queries and transfers, create_canister (through the CMC and the management canister), deposit from
// a canister, withdraw to a canister, Candid errors, and a real canister installed at the ledger's id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { CallError, type Capsule, Principal } from '../../src/api/index.ts';
import { candid } from '../../src/management/index.ts';
import { CYCLES_LEDGER, CYCLES_LEDGER_FEE, LOCAL_INITIAL_BALANCE } from '../../src/system_canisters/index.ts';
import { buildUniversalCanister, prog } from '../universal/program.ts';
import { ALICE, BOB, balance, CL, createViaLedger, CREATION_FEE, decode, encode, newCapsule, query, update, type Variant, withdraw } from './_helpers.ts';

async function universalCanister(c: Capsule, cycles = 10n ** 13n): Promise<Principal> {
  const id = await c.createCanister({ sender: ALICE, cycles });
  await c.installCode({ canisterId: id, wasm: await buildUniversalCanister(32), arg: prog().build(), sender: ALICE });
  return id;
}

test('a fresh identity starts with the local balance; canister accounts start empty; queries write nothing', async () => {
  const c = await newCapsule();
  const before = await c.stateHash();
  assert.equal(await balance(c, ALICE), LOCAL_INITIAL_BALANCE);
  assert.equal(await balance(c, Principal.anonymous(), [new Uint8Array(32).fill(9)]), LOCAL_INITIAL_BALANCE);
  assert.equal(await balance(c, CYCLES_LEDGER), 0n);
  assert.equal(await c.stateHash(), before);
  await assert.rejects(balance(c, ALICE, [new Uint8Array(3)]), (e: unknown) => e instanceof CallError && e.rejectCode === 5 && /subaccount/.test(e.rejectMessage));
});

test('ICRC-1 metadata queries answer like the mainnet ledger', async () => {
  const c = await newCapsule();
  const none = encode(null);
  assert.equal(await query<bigint>(c, CYCLES_LEDGER, 'icrc1_fee', none, IDL.Nat), 100_000_000n);
  assert.equal(await query<number>(c, CYCLES_LEDGER, 'icrc1_decimals', none, IDL.Nat8), 0);
  assert.equal(await query<string>(c, CYCLES_LEDGER, 'icrc1_symbol', none, IDL.Text), 'CYC');
  const metadata = await query<[string, unknown][]>(c, CYCLES_LEDGER, 'icrc1_metadata', none, IDL.Vec(IDL.Tuple(IDL.Text, CL.MetadataValue)));
  assert.deepEqual(metadata.map(([key]) => key), ['icrc1:decimals', 'icrc1:name', 'icrc1:symbol', 'icrc1:fee']);
});

test('create_canister: the canister exists, the caller controls it, the balance pays amount + fee', async () => {
  const c = await newCapsule();
  const amount = 2_000_000_000_000n;
  const reply = await createViaLedger(c, ALICE, amount);
  assert.ok('Ok' in reply, JSON.stringify(reply, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  const id = reply.Ok.canister_id;
  assert.equal(await c.getCycleBalance(id), amount - CREATION_FEE);
  assert.equal(await balance(c, ALICE), LOCAL_INITIAL_BALANCE - amount - CYCLES_LEDGER_FEE);
  const status = candid.decodeManagementResult(
    'canister_status',
    await c.callManagement('canister_status', candid.encodeManagementArg('canister_status', { canister_id: id }), ALICE),
  );
  assert.deepEqual(status.settings.controllers.map((p) => p.toText()), [ALICE.toText()]);
  // Explicit controllers are kept; the next creation appends the next block.
  const second = await createViaLedger(c, ALICE, amount, [{ settings: [{ controllers: [[BOB]], compute_allocation: [], memory_allocation: [], freezing_threshold: [], reserved_cycles_limit: [] }], subnet_selection: [] }]);
  assert.ok('Ok' in second);
  assert.equal(second.Ok.block_id, reply.Ok.block_id + 1n);
  await assert.rejects(c.callManagement('canister_status', candid.encodeManagementArg('canister_status', { canister_id: second.Ok.canister_id }), ALICE), CallError);
});

test('create_canister refuses what it cannot do: too little balance, another subnet, too few cycles', async () => {
  const c = await newCapsule();
  const tooMuch = await createViaLedger(c, ALICE, LOCAL_INITIAL_BALANCE);
  assert.deepEqual(tooMuch, { Err: { InsufficientFunds: { balance: LOCAL_INITIAL_BALANCE } } });
  const elsewhere = await createViaLedger(c, ALICE, 10n ** 12n, [{ settings: [], subnet_selection: [{ Subnet: { subnet: Principal.fromText('aaaaa-aa') } }] }]);
  assert.ok('Err' in elsewhere && 'FailedToCreate' in elsewhere.Err, 'another subnet fails');
  const tooFew = await createViaLedger(c, ALICE, 1_000n);
  assert.ok('Err' in tooFew && 'FailedToCreate' in tooFew.Err, 'below the creation fee fails');
  // Failures cost the fee only, once each.
  assert.equal(await balance(c, ALICE), LOCAL_INITIAL_BALANCE - 2n * CYCLES_LEDGER_FEE);
});

test('icrc1_transfer moves cycles between identities and charges the fee', async () => {
  const c = await newCapsule();
  const arg = encode(CL.TransferArgs, { from_subaccount: [], to: { owner: BOB, subaccount: [] }, amount: 5n, fee: [], memo: [], created_at_time: [] });
  const reply = await update<Variant<bigint>>(c, CYCLES_LEDGER, 'icrc1_transfer', arg, CL.TransferResult, ALICE);
  assert.deepEqual(reply, { Ok: 0n });
  assert.equal(await balance(c, ALICE), LOCAL_INITIAL_BALANCE - 5n - CYCLES_LEDGER_FEE);
  assert.equal(await balance(c, BOB), LOCAL_INITIAL_BALANCE + 5n);
  const badFee = encode(CL.TransferArgs, { from_subaccount: [], to: { owner: BOB, subaccount: [] }, amount: 5n, fee: [1n], memo: [], created_at_time: [] });
  assert.deepEqual(await update(c, CYCLES_LEDGER, 'icrc1_transfer', badFee, CL.TransferResult, ALICE), { Err: { BadFee: { expected_fee: CYCLES_LEDGER_FEE } } });
});

test('deposit credits the cycles a canister attaches; withdraw sends cycles to a canister', async () => {
  const c = await newCapsule();
  const uc = await universalCanister(c);
  const attached = 3_000_000_000n;
  const depositArg = encode(CL.DepositArgs, { to: { owner: BOB, subaccount: [] }, memo: [] });
  const program = prog().callSimple(CYCLES_LEDGER, 'deposit', { cycles: attached, args: depositArg }).build();
  const before = await c.getCycleBalance(uc);
  const result = decode<{ balance: bigint; block_index: bigint }>(CL.DepositResult, await c.updateCall({ canisterId: uc, method: 'update', arg: program, sender: ALICE }));
  assert.equal(result.balance, LOCAL_INITIAL_BALANCE + attached);
  assert.equal(await balance(c, BOB), LOCAL_INITIAL_BALANCE + attached);
  assert.ok((await c.getCycleBalance(uc)) < before - attached + 1n, 'the canister paid the deposit');

  const amount = 7_000_000_000n;
  const ucBefore = await c.getCycleBalance(uc);
  const sent = await withdraw(c, BOB, uc, amount);
  assert.ok('Ok' in sent);
  // The canister also pays storage for the round, a few million cycles at most.
  const gained = (await c.getCycleBalance(uc)) - ucBefore;
  assert.ok(gained > amount - 100_000_000n && gained <= amount, `gained ${gained}`);
  assert.equal(await balance(c, BOB), LOCAL_INITIAL_BALANCE + attached - amount - CYCLES_LEDGER_FEE);
});

test('deposit refuses fewer cycles than the fee (and refunds them); ingress deposits carry no cycles', async () => {
  const c = await newCapsule();
  const uc = await universalCanister(c);
  const depositArg = encode(CL.DepositArgs, { to: { owner: BOB, subaccount: [] }, memo: [] });
  const program = prog().callSimple(CYCLES_LEDGER, 'deposit', { cycles: 1_000n, args: depositArg }).build();
  const reply = new TextDecoder().decode(await c.updateCall({ canisterId: uc, method: 'update', arg: program, sender: ALICE }));
  assert.match(reply, /less than the cycles ledger fee/);
  await assert.rejects(c.updateCall({ canisterId: CYCLES_LEDGER, method: 'deposit', arg: depositArg, sender: ALICE }), (e: unknown) => e instanceof CallError && e.rejectCode === 5);
  assert.equal(await balance(c, BOB), LOCAL_INITIAL_BALANCE);
});

test('withdraw to a user or to a missing canister fails; the failure costs the fee', async () => {
  const c = await newCapsule();
  assert.deepEqual(await withdraw(c, ALICE, BOB, 10n), { Err: { InvalidReceiver: { receiver: BOB } } });
  const missing = Principal.fromUint8Array(new Uint8Array([0, 0, 0, 0, 0, 0x10, 0, 9, 1, 1]));
  const failed = await withdraw(c, ALICE, missing, 10n);
  assert.ok('Err' in failed && 'FailedToWithdraw' in failed.Err);
  assert.deepEqual((failed.Err.FailedToWithdraw as { rejection_code: unknown }).rejection_code, { DestinationInvalid: null });
  assert.equal(await balance(c, ALICE), LOCAL_INITIAL_BALANCE - CYCLES_LEDGER_FEE);
});

test('bad Candid, unknown methods and update methods called as queries are rejected', async () => {
  const c = await newCapsule();
  const isReject = (code: number, pattern: RegExp) => (e: unknown) => e instanceof CallError && e.rejectCode === code && pattern.test(e.rejectMessage);
  await assert.rejects(c.updateCall({ canisterId: CYCLES_LEDGER, method: 'create_canister', arg: new Uint8Array([1, 2, 3]), sender: ALICE }), isReject(5, /decode/));
  await assert.rejects(c.queryCall({ canisterId: CYCLES_LEDGER, method: 'icrc1_balance_of', arg: encode(IDL.Text, 'x') }), isReject(5, /decode/));
  await assert.rejects(c.updateCall({ canisterId: CYCLES_LEDGER, method: 'no_such_method', sender: ALICE }), isReject(5, /no update method/));
  await assert.rejects(c.queryCall({ canisterId: CYCLES_LEDGER, method: 'withdraw', arg: encode(null) }), isReject(5, /no query method/));
  // Query methods answer update calls too, as on the IC.
  const viaUpdate = await c.updateCall({ canisterId: CYCLES_LEDGER, method: 'icrc1_fee', sender: ALICE });
  assert.equal(decode<bigint>(IDL.Nat, viaUpdate), CYCLES_LEDGER_FEE);
});

test('management calls about a system canister id report it missing; a real canister at that id takes over', async () => {
  const c = await newCapsule();
  const statusArg = candid.encodeManagementArg('canister_status', { canister_id: CYCLES_LEDGER });
  await assert.rejects(c.callManagement('canister_status', statusArg, ALICE), (e: unknown) => e instanceof CallError && e.rejectCode === 3);
  const id = await c.createCanister({ sender: ALICE, specifiedId: CYCLES_LEDGER });
  assert.equal(id.toText(), 'um5iw-rqaaa-aaaaq-qaaba-cai');
  await c.installCode({ canisterId: id, wasm: await buildUniversalCanister(32), arg: prog().build(), sender: ALICE });
  const reply = await c.updateCall({ canisterId: id, method: 'update', arg: prog().replyData('real').build(), sender: ALICE });
  assert.equal(new TextDecoder().decode(reply), 'real');
});

test('ledger operations are deterministic and part of the state hash', async () => {
  const run = async () => {
    const c = await newCapsule();
    const empty = await c.stateHash();
    await createViaLedger(c, ALICE, 10n ** 12n);
    return [empty, await c.stateHash()];
  };
  const [a0, a1] = await run();
  const [b0, b1] = await run();
  assert.equal(a1, b1);
  assert.equal(a0, b0);
  assert.notEqual(a0, a1);
});
