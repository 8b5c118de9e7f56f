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
  /**
   * Whether a user account that was never touched starts with the local funding rule's balance (plain
   * `capsule start`); false on an icp-cli network, where only explicitly funded accounts hold cycles.
   */
  lazyFunding: boolean;
}

/** One block of the ICP ledger; account identifiers are the 32-byte form. */
export interface IcpBlock {
  kind: 'mint' | 'burn' | 'transfer' | 'approve';
  from: Uint8Array | undefined;
  to: Uint8Array | undefined;
  /** transfer_from's spender, or the approved spender. */
  spender: Uint8Array | undefined;
  /** e8s moved, or the approved allowance. */
  amount: bigint;
  fee: bigint;
  /** The legacy `transfer` memo (0 for ICRC-1 operations). */
  memo: bigint;
  icrc1Memo: Uint8Array | undefined;
  createdAt: bigint | undefined;
  /** Subnet time of the block (ns). */
  timestamp: bigint;
  /** Approvals: when the allowance expires, and the allowance the approver expected. */
  expiresAt: bigint | undefined;
  expectedAllowance: bigint | undefined;
}

/** The ICP ledger (ryjl3-tyaaa-aaaaa-aaaba-cai): balances by account identifier, approvals and every block. */
export interface IcpLedgerState {
  /** e8s per account identifier (hex); an absent account holds 0. */
  balances: Map<string, bigint>;
  /** Approvals keyed `<approver account id hex>:<spender account id hex>`. */
  allowances: Map<string, { amount: bigint; expiresAt: bigint | undefined }>;
  blocks: IcpBlock[];
}

/** The cycles minting canister: ICP ledger blocks already turned into cycles, with the reply given. */
export interface CyclesMintingState {
  /** Block index → the reply value of the notification that processed it (repeated notifications get it again). */
  processed: Map<bigint, unknown>;
}

export interface SystemCanistersState {
  cyclesLedger: CyclesLedgerState;
  icpLedger: IcpLedgerState;
  cyclesMinting: CyclesMintingState;
}

export function newSystemCanistersState(): SystemCanistersState {
  return {
    cyclesLedger: { balances: new Map(), nextBlock: 0n, lazyFunding: true },
    icpLedger: { balances: new Map(), allowances: new Map(), blocks: [] },
    cyclesMinting: { processed: new Map() },
  };
}

/**
 * A stored system-canisters record completed with the fresh defaults of fields it predates (a state
 * directory written before the ICP ledger existed has none, and funded every user lazily).
 */
export function completeSystemCanistersState(stored: Partial<SystemCanistersState>): SystemCanistersState {
  const fresh = newSystemCanistersState();
  return {
    cyclesLedger: { ...fresh.cyclesLedger, ...stored.cyclesLedger },
    icpLedger: { ...fresh.icpLedger, ...stored.icpLedger },
    cyclesMinting: { ...fresh.cyclesMinting, ...stored.cyclesMinting },
  };
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
