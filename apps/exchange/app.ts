// The token exchange: two ICRC-1/ICRC-2 ledgers built from one Motoko source, a constant-product exchange
// between them, and a page to mint test tokens, deposit, swap and provide liquidity.
import type { Principal } from '@icp-sdk/core/principal';
import type { AppDefinition } from '../../src/cli/apps/app_definition.ts';
import { exchangeInitArg, ledgerInitArg } from './frontend/src/candid.ts';

/** Base units per token (8 decimals). */
export const UNIT = 100_000_000n;
/** The ledgers' fee: burnt on every transfer and approval. */
export const LEDGER_FEE = 10_000n;
/** The pool the exchange starts with: 10,000 CAPA against 20,000 CAPB, owned by no one. */
export const INITIAL_RESERVE_A = 10_000n * UNIT;
export const INITIAL_RESERVE_B = 20_000n * UNIT;

function ledger(ids: Readonly<Record<string, Principal>>, token: 'token_a' | 'token_b', name: string, symbol: string, reserve: bigint): Uint8Array {
  return ledgerInitArg({
    name,
    symbol,
    decimals: 8,
    fee: LEDGER_FEE,
    // The ledger's own id: no one can call as it, so only the faucet mints.
    minting_account: { owner: ids[token]!, subaccount: [] },
    initial_balances: [[{ owner: ids.exchange!, subaccount: [] }, reserve]],
    faucet_limit: 1_000n * UNIT,
  });
}

export const app: AppDefinition = {
  name: 'exchange',
  title: 'Token exchange',
  canisters: [
    { name: 'token_a', main: 'backend/Ledger.mo', installArg: (ids) => ledger(ids, 'token_a', 'Capsule Apple', 'CAPA', INITIAL_RESERVE_A) },
    { name: 'token_b', main: 'backend/Ledger.mo', installArg: (ids) => ledger(ids, 'token_b', 'Capsule Banana', 'CAPB', INITIAL_RESERVE_B) },
    {
      name: 'exchange',
      main: 'backend/Exchange.mo',
      installArg: (ids) =>
        exchangeInitArg({
          token_a: ids.token_a!,
          token_b: ids.token_b!,
          fee_basis_points: 30n,
          initial_reserve_a: INITIAL_RESERVE_A,
          initial_reserve_b: INITIAL_RESERVE_B,
        }),
    },
  ],
  frontend: { directory: 'frontend/public', bundles: { 'frontend/src/main.ts': '/main.js' } },
};
