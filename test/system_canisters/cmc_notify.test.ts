// The CMC's ICP paths on an icp-cli network: ICP sent to the CMC's account for a beneficiary with the
// intent's memo becomes cycles in a cycles ledger account, in a canister, or a new canister; a block is
// processed once; a transfer with another intent is refused; an undeliverable top-up refunds the ICP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule, Principal } from '../../src/api/index.ts';
import * as CMC from '../../src/system_canisters/candid/cmc.ts';
import * as I from '../../src/system_canisters/candid/icp_ledger.ts';
import { MEMO_CREATE, MEMO_MINT, MEMO_TOP_UP, principalSubaccount } from '../../src/system_canisters/cmc_notify.ts';
import { accountIdentifier, CYCLES_MINTING_CANISTER, ICP_FEE, ICP_LEDGER } from '../../src/system_canisters/index.ts';
import { ALICE, balance, encode, query, SEED, update, type Variant } from './_helpers.ts';

const ICP = 100_000_000n;
const CYCLES_PER_ICP = 5_000_000_000_000n;

async function network(): Promise<Capsule> {
  const c = await Capsule.create({ seed: SEED, time: 1_700_000_000_000_000_000n, costSchedule: 'application', funding: 'icp-cli' });
  const arg = encode(I.TransferArgs, { to: accountIdentifier(ALICE), fee: { e8s: ICP_FEE }, memo: 0n, from_subaccount: [], created_at_time: [], amount: { e8s: 10n * ICP } });
  await update(c, ICP_LEDGER, 'transfer', arg, I.TransferResult, Principal.anonymous());
  return c;
}

/** ALICE pays `e8s` to the CMC for `beneficiary` with `memo`; returns the block index. */
async function payCmc(c: Capsule, beneficiary: Principal, e8s: bigint, memo: bigint): Promise<bigint> {
  const to = accountIdentifier(CYCLES_MINTING_CANISTER, principalSubaccount(beneficiary));
  const arg = encode(I.TransferArgs, { to, fee: { e8s: ICP_FEE }, memo, from_subaccount: [], created_at_time: [], amount: { e8s } });
  const result = await update<Variant<bigint>>(c, ICP_LEDGER, 'transfer', arg, I.TransferResult, ALICE);
  assert.ok('Ok' in result, JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return result.Ok;
}

const icpOf = (c: Capsule, owner: Principal) => query<bigint>(c, ICP_LEDGER, 'icrc1_balance_of', encode(I.Account, { owner, subaccount: [] }), IDL.Nat);

test('the conversion rate is 5 XDR per ICP', async () => {
  const c = await network();
  const rate = await query<{ data: { xdr_permyriad_per_icp: bigint } }>(c, CYCLES_MINTING_CANISTER, 'get_icp_xdr_conversion_rate', encode(null), CMC.IcpXdrConversionRateResponse);
  assert.equal(rate.data.xdr_permyriad_per_icp, 50_000n);
});

test('notify_mint_cycles turns 2 ICP into 10 T cycles in the caller’s cycles ledger account, once', async () => {
  const c = await network();
  const block = await payCmc(c, ALICE, 2n * ICP, MEMO_MINT);
  const arg = encode(CMC.NotifyMintCyclesArg, { block_index: block, deposit_memo: [], to_subaccount: [] });
  const first = await update<Variant<{ minted: bigint; balance: bigint }>>(c, CYCLES_MINTING_CANISTER, 'notify_mint_cycles', arg, CMC.NotifyMintCyclesResult, ALICE);
  assert.ok('Ok' in first);
  assert.equal(first.Ok.minted, 2n * CYCLES_PER_ICP);
  assert.equal(await balance(c, ALICE), 2n * CYCLES_PER_ICP);
  const again = await update(c, CYCLES_MINTING_CANISTER, 'notify_mint_cycles', arg, CMC.NotifyMintCyclesResult, ALICE);
  assert.deepEqual(again, first);
  assert.equal(await balance(c, ALICE), 2n * CYCLES_PER_ICP);
  assert.equal(await icpOf(c, ALICE), 8n * ICP - ICP_FEE);
});

test('notify_top_up adds the cycles to the canister; a wrong intent is refused', async () => {
  const c = await network();
  const canister = await c.createCanister({ sender: ALICE, cycles: 10n ** 12n });
  const before = await c.getCycleBalance(canister);
  const wrong = await payCmc(c, canister, ICP, MEMO_MINT);
  const refused = await update<Variant>(c, CYCLES_MINTING_CANISTER, 'notify_top_up', encode(CMC.NotifyTopUpArg, { block_index: wrong, canister_id: canister }), CMC.NotifyTopUpResult, ALICE);
  assert.ok('Err' in refused && 'InvalidTransaction' in refused.Err);
  const block = await payCmc(c, canister, ICP, MEMO_TOP_UP);
  const result = await update(c, CYCLES_MINTING_CANISTER, 'notify_top_up', encode(CMC.NotifyTopUpArg, { block_index: block, canister_id: canister }), CMC.NotifyTopUpResult, ALICE);
  assert.deepEqual(result, { Ok: CYCLES_PER_ICP });
  assert.equal(await c.getCycleBalance(canister), before + CYCLES_PER_ICP);
});

test('notify_top_up of a canister that does not exist refunds the ICP less the fee', async () => {
  const c = await network();
  const missing = Principal.fromText('lxzze-o7777-77777-aaaaa-cai');
  const block = await payCmc(c, missing, ICP, MEMO_TOP_UP);
  const result = await update<Variant>(c, CYCLES_MINTING_CANISTER, 'notify_top_up', encode(CMC.NotifyTopUpArg, { block_index: block, canister_id: missing }), CMC.NotifyTopUpResult, ALICE);
  assert.ok('Err' in result && 'Refunded' in result.Err);
  assert.equal(await icpOf(c, ALICE), 10n * ICP - 2n * ICP_FEE);
});

test('notify_create_canister creates a canister holding the cycles bought, less the creation fee', async () => {
  const c = await network();
  const block = await payCmc(c, ALICE, ICP, MEMO_CREATE);
  const arg = encode(CMC.NotifyCreateCanisterArg, { block_index: block, controller: ALICE, subnet_type: [], subnet_selection: [], settings: [] });
  const result = await update<Variant<Principal>>(c, CYCLES_MINTING_CANISTER, 'notify_create_canister', arg, CMC.NotifyCreateCanisterResult, ALICE);
  assert.ok('Ok' in result);
  const created = result.Ok;
  assert.ok((await c.getCycleBalance(created)) > 0n);
  assert.ok((await c.getCycleBalance(created)) <= CYCLES_PER_ICP);
});
