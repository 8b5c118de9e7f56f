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

// System canister states reached by an update since the last durable round. Kept beside the state, not
// in it (like a canister's `dirty` set): persistence re-encodes the system canisters only when marked.
const touched = new WeakSet<SystemCanistersState>();

/** Marks the system canisters' state as possibly changed (every replicated call to one of them). */
export function touchSystemCanisters(state: SystemCanistersState): void {
  touched.add(state);
}

export function isSystemCanistersTouched(state: SystemCanistersState): boolean {
  return touched.has(state);
}

export function clearSystemCanistersTouched(state: SystemCanistersState): void {
  touched.delete(state);
}
