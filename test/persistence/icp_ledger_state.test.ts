// The ICP ledger's state and the funding rule are durable: a directory written before they existed
// (format version 1) opens with an empty ICP ledger and lazy cycles funding, and an icp-cli network's
// balances, blocks and funding rule survive a restart.
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Capsule, Principal } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import * as I from '../../src/system_canisters/candid/icp_ledger.ts';
import { ICP_CLI_ANONYMOUS_ICP, ICP_FEE, ICP_LEDGER, LOCAL_INITIAL_BALANCE } from '../../src/system_canisters/index.ts';
import { ALICE, balance, encode, query, update } from '../system_canisters/_helpers.ts';
import { tempDir } from './_helpers.ts';

const icpBalance = (c: Capsule, owner: Principal) => query<bigint>(c, ICP_LEDGER, 'icrc1_balance_of', encode(I.Account, { owner, subaccount: [] }), IDL.Nat);

test('a format version 1 directory opens with an empty ICP ledger and lazy cycles funding', async () => {
  const dir = tempDir('icp-v1');
  const stateDir = join(dir, 'state');
  cpSync(join(import.meta.dirname, 'fixtures', 'v1'), stateDir, { recursive: true });
  const ic = await Capsule.create({ stateDir });
  const systemCanisters = replicaOf(ic).state.systemCanisters;
  assert.equal(systemCanisters.cyclesLedger.lazyFunding, true);
  assert.equal(systemCanisters.icpLedger.blocks.length, 0);
  assert.equal(await icpBalance(ic, Principal.anonymous()), 0n);
  assert.equal(await balance(ic, ALICE), LOCAL_INITIAL_BALANCE);
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an icp-cli network keeps its ICP balances, blocks and funding rule across a restart', async () => {
  const dir = tempDir('icp-restart');
  const stateDir = join(dir, 'state');
  const ic = await Capsule.create({ stateDir, funding: 'icp-cli' });
  const arg = encode(I.TransferArg, { from_subaccount: [], to: { owner: ALICE, subaccount: [] }, amount: 5n, fee: [], memo: [], created_at_time: [] });
  assert.deepEqual(await update(ic, ICP_LEDGER, 'icrc1_transfer', arg, I.Icrc1TransferResult, Principal.anonymous()), { Ok: 1n });
  await ic.close();
  const again = await Capsule.create({ stateDir });
  assert.equal(await icpBalance(again, ALICE), 5n);
  assert.equal(await icpBalance(again, Principal.anonymous()), ICP_CLI_ANONYMOUS_ICP - 5n - ICP_FEE);
  assert.equal(replicaOf(again).state.systemCanisters.icpLedger.blocks.length, 2);
  assert.equal(await balance(again, ALICE), 0n);
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});
