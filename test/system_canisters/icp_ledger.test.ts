// The natively implemented ICP ledger through the library API, on a network funded as icp-cli's: account
// identifiers against published vectors, the legacy transfer and account_balance, ICRC-1 transfers,
// fees, burns and errors, ICRC-2 approvals, query_blocks, and the funding rule of such a network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule, CallError, Principal } from '../../src/api/index.ts';
import * as I from '../../src/system_canisters/candid/icp_ledger.ts';
import { accountIdentifier, ICP_CLI_ANONYMOUS_CYCLES, ICP_CLI_ANONYMOUS_ICP, ICP_FEE, ICP_LEDGER } from '../../src/system_canisters/index.ts';
import { ALICE, BOB, balance, decode, encode, query, SEED, update, type Variant } from './_helpers.ts';

const ANONYMOUS = Principal.anonymous();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function icpCliNetwork(): Promise<Capsule> {
  return Capsule.create({ seed: SEED, time: 1_700_000_000_000_000_000n, costSchedule: 'application', funding: 'icp-cli' });
}

function icpBalance(c: Capsule, owner: Principal, subaccount: [] | [Uint8Array] = []): Promise<bigint> {
  return query<bigint>(c, ICP_LEDGER, 'icrc1_balance_of', encode(I.Account, { owner, subaccount }), IDL.Nat);
}

function icrc1Transfer(c: Capsule, sender: Principal, to: Principal, amount: bigint, fee: [] | [bigint] = []) {
  const arg = encode(I.TransferArg, { from_subaccount: [], to: { owner: to, subaccount: [] }, amount, fee, memo: [], created_at_time: [] });
  return update<Variant<bigint>>(c, ICP_LEDGER, 'icrc1_transfer', arg, I.Icrc1TransferResult, sender);
}

function legacyTransfer(c: Capsule, sender: Principal, to: Uint8Array, e8s: bigint, fee = ICP_FEE) {
  const arg = encode(I.TransferArgs, { to, fee: { e8s: fee }, memo: 7n, from_subaccount: [], created_at_time: [], amount: { e8s } });
  return update<Variant<bigint>>(c, ICP_LEDGER, 'transfer', arg, I.TransferResult, sender);
}

test('account identifiers match the published ones of the anonymous principal, the management canister and the ledger', () => {
  assert.equal(hex(accountIdentifier(ANONYMOUS)), '1c7a48ba6a562aa9eaa2481a9049cdf0433b9738c992d698c31d8abf89cadc79');
  assert.equal(hex(accountIdentifier(Principal.fromText('aaaaa-aa'))), '2d0e897f7e862d2b57d9bc9ea5c65f9a24ac6c074575f47898314b8d6cb0929d');
  assert.equal(hex(accountIdentifier(ICP_LEDGER)), '883eef7c44be51afe4a4420d4df4beff708f3cf2f5de5efcc9f58680bb0f3690');
});

test('an icp-cli network funds the anonymous principal alone, with ICP and cycles', async () => {
  const c = await icpCliNetwork();
  assert.equal(await icpBalance(c, ANONYMOUS), ICP_CLI_ANONYMOUS_ICP);
  assert.equal(await balance(c, ANONYMOUS), ICP_CLI_ANONYMOUS_CYCLES);
  assert.equal(await icpBalance(c, ALICE), 0n);
  assert.equal(await balance(c, ALICE), 0n);
  const plain = await Capsule.create({ seed: SEED });
  assert.equal(await icpBalance(plain, ANONYMOUS), 0n);
});

test('the legacy transfer moves e8s to an account identifier, burns the fee, and account_balance reads it', async () => {
  const c = await icpCliNetwork();
  const alice = accountIdentifier(ALICE);
  const sent = 100_000_000_000_000n; // what icp-cli seeds each identity with
  assert.deepEqual(await legacyTransfer(c, ANONYMOUS, alice, sent), { Ok: 1n });
  const read = await query<{ e8s: bigint }>(c, ICP_LEDGER, 'account_balance', encode(I.AccountIdentifierByteBuf, { account: alice }), I.Tokens);
  assert.equal(read.e8s, sent);
  assert.equal(await icpBalance(c, ANONYMOUS), ICP_CLI_ANONYMOUS_ICP - sent - ICP_FEE);
  assert.equal(await query<bigint>(c, ICP_LEDGER, 'icrc1_total_supply', encode(null), IDL.Nat), ICP_CLI_ANONYMOUS_ICP - ICP_FEE);
  assert.deepEqual(await legacyTransfer(c, BOB, alice, 1n), { Err: { InsufficientFunds: { balance: { e8s: 0n } } } });
  assert.deepEqual(await legacyTransfer(c, ALICE, accountIdentifier(BOB), 1n, 1n), { Err: { BadFee: { expected_fee: { e8s: ICP_FEE } } } });
  const corrupt = Uint8Array.from(alice);
  corrupt[0] = corrupt[0]! ^ 1;
  await assert.rejects(legacyTransfer(c, ALICE, corrupt, 1n), (e: unknown) => e instanceof CallError && /checksum/.test(e.rejectMessage));
});

test('ICRC-1 transfers charge the fee, refuse a wrong fee and insufficient funds, and burn to the minting account', async () => {
  const c = await icpCliNetwork();
  assert.deepEqual(await icrc1Transfer(c, ANONYMOUS, ALICE, 50_000n), { Ok: 1n });
  assert.deepEqual(await icrc1Transfer(c, ALICE, BOB, 30_000n, [ICP_FEE]), { Ok: 2n });
  assert.equal(await icpBalance(c, ALICE), 10_000n);
  assert.equal(await icpBalance(c, BOB), 30_000n);
  assert.deepEqual(await icrc1Transfer(c, ALICE, BOB, 1n), { Err: { InsufficientFunds: { balance: 10_000n } } });
  assert.deepEqual(await icrc1Transfer(c, BOB, ALICE, 1n, [0n]), { Err: { BadFee: { expected_fee: ICP_FEE } } });
  const minting = await query<[{ owner: Principal }]>(c, ICP_LEDGER, 'icrc1_minting_account', encode(null), IDL.Opt(I.Account));
  assert.deepEqual(await icrc1Transfer(c, BOB, minting[0].owner, 1n), { Err: { BadBurn: { min_burn_amount: ICP_FEE } } });
  assert.deepEqual(await icrc1Transfer(c, BOB, minting[0].owner, 20_000n, [0n]), { Ok: 3n });
  assert.equal(await icpBalance(c, BOB), 10_000n);
  assert.equal(await query<bigint>(c, ICP_LEDGER, 'icrc1_fee', encode(null), IDL.Nat), 10_000n);
  assert.equal(await query<number>(c, ICP_LEDGER, 'icrc1_decimals', encode(null), IDL.Nat8), 8);
  assert.equal(await query<string>(c, ICP_LEDGER, 'icrc1_symbol', encode(null), IDL.Text), 'ICP');
});

test('ICRC-2: approve charges the approver, transfer_from spends amount + fee of the allowance, and refuses beyond it', async () => {
  const c = await icpCliNetwork();
  await icrc1Transfer(c, ANONYMOUS, ALICE, 1_000_000n);
  const approveArg = (amount: bigint, expected: [] | [bigint] = []) =>
    encode(I.ApproveArgs, { fee: [], memo: [], from_subaccount: [], created_at_time: [], amount, expected_allowance: expected, expires_at: [], spender: { owner: BOB, subaccount: [] } });
  assert.deepEqual(await update(c, ICP_LEDGER, 'icrc2_approve', approveArg(100_000n), I.ApproveResult, ALICE), { Ok: 2n });
  assert.deepEqual(await update(c, ICP_LEDGER, 'icrc2_approve', approveArg(1n, [5n]), I.ApproveResult, ALICE), { Err: { AllowanceChanged: { current_allowance: 100_000n } } });
  assert.equal(await icpBalance(c, ALICE), 1_000_000n - ICP_FEE);
  const allowanceArg = encode(I.AllowanceArgs, { account: { owner: ALICE, subaccount: [] }, spender: { owner: BOB, subaccount: [] } });
  assert.deepEqual(await query(c, ICP_LEDGER, 'icrc2_allowance', allowanceArg, I.Allowance), { allowance: 100_000n, expires_at: [] });
  const transferFrom = (amount: bigint) =>
    encode(I.TransferFromArgs, { to: { owner: BOB, subaccount: [] }, fee: [], spender_subaccount: [], from: { owner: ALICE, subaccount: [] }, memo: [], created_at_time: [], amount });
  assert.deepEqual(await update(c, ICP_LEDGER, 'icrc2_transfer_from', transferFrom(60_000n), I.TransferFromResult, BOB), { Ok: 3n });
  assert.deepEqual(await query(c, ICP_LEDGER, 'icrc2_allowance', allowanceArg, I.Allowance), { allowance: 30_000n, expires_at: [] });
  assert.deepEqual(await update(c, ICP_LEDGER, 'icrc2_transfer_from', transferFrom(30_000n), I.TransferFromResult, BOB), { Err: { InsufficientAllowance: { allowance: 30_000n } } });
  assert.equal(await icpBalance(c, BOB), 60_000n);
  assert.equal(await icpBalance(c, ALICE), 1_000_000n - 2n * ICP_FEE - 60_000n);
});

test('query_blocks lists the mint and the transfer in order, with their amounts', async () => {
  const c = await icpCliNetwork();
  await icrc1Transfer(c, ANONYMOUS, ALICE, 50_000n);
  const reply = await c.queryCall({ canisterId: ICP_LEDGER, method: 'query_blocks', arg: encode(I.GetBlocksArgs, { start: 0n, length: 10n }) });
  const blocks = decode<{ chain_length: bigint; blocks: { transaction: { operation: [Record<string, { amount: { e8s: bigint } }>] } }[] }>(I.QueryBlocksResponse, reply);
  assert.equal(blocks.chain_length, 2n);
  assert.deepEqual(blocks.blocks.map((block) => Object.keys(block.transaction.operation[0])[0]), ['Mint', 'Transfer']);
  assert.equal(blocks.blocks[1]!.transaction.operation[0].Transfer!.amount.e8s, 50_000n);
});
