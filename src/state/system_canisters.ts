// State of the system canisters that Capsule implements natively (src/system_canisters): plain data,
// part of the replicated state and of the state hash like canister state.

/** The cycles ledger (um5iw-rqaaa-aaaaq-qaaba-cai): balances of accounts seen so far. */
export interface CyclesLedgerState {
  /**
   * Balance per account, keyed by `accountKey` (owner bytes hex `:` 32-byte subaccount hex). An account
   * that is absent has never been touched by an update; its balance is the local funding rule's
   * initial balance (see src/system_canisters/ledger_accounts.ts).
   */
  balances: Map<string, bigint>;
  /** Index of the next ledger block: every balance-changing operation appends one block. */
  nextBlock: bigint;
}

export interface SystemCanistersState {
  cyclesLedger: CyclesLedgerState;
}

export function newSystemCanistersState(): SystemCanistersState {
  return { cyclesLedger: { balances: new Map(), nextBlock: 0n } };
}
