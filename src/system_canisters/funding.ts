// Funding of an icp-cli network (the launcher mode): as on the local networks icp-cli's own launcher
// starts, the anonymous principal holds very large ICP and cycles balances, from which icp-cli seeds
// every identity, and no other account is funded by itself (the cycles ledger's lazy rule is off).
import { Principal, type SubnetState, touchSystemCanisters } from '../state/index.ts';
import { accountIdentifier, E8S_PER_ICP, MINTING_ACCOUNT_ID, moveTokens } from './icp_accounts.ts';
import { appendBlock, credit } from './ledger_accounts.ts';

/** 900 million ICP: icp-cli seeds each identity with 1 million. */
export const ICP_CLI_ANONYMOUS_ICP = 900_000_000n * E8S_PER_ICP;
/** 2^127 cycles: icp-cli seeds each identity with 1000 T. */
export const ICP_CLI_ANONYMOUS_CYCLES = 1n << 127n;

/** Turns `state` into an icp-cli network's; a state that already is one is left as it is. */
export function fundIcpCliNetwork(state: SubnetState): void {
  const { cyclesLedger, icpLedger } = state.systemCanisters;
  if (!cyclesLedger.lazyFunding) return;
  touchSystemCanisters(state.systemCanisters);
  cyclesLedger.lazyFunding = false;
  const anonymous = Principal.anonymous();
  credit(cyclesLedger, { owner: anonymous, subaccount: new Uint8Array(32) }, ICP_CLI_ANONYMOUS_CYCLES);
  appendBlock(cyclesLedger);
  const mint = {
    from: MINTING_ACCOUNT_ID,
    to: accountIdentifier(anonymous),
    amount: ICP_CLI_ANONYMOUS_ICP,
    fee: undefined,
    memo: 0n,
    icrc1Memo: undefined,
    createdAt: undefined,
    spender: undefined,
  };
  moveTokens(icpLedger, mint, state.time);
}
