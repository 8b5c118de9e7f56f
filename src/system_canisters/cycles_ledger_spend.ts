// The cycles ledger's two ways of spending an account outside the ledger: `withdraw` (cycles to a
// canister, through the management canister's deposit_cycles) and `create_canister` (a new canister
// through the CMC). Both cost the ledger fee on top of the amount; when the outside call fails, only
// the fee is charged (the ledger's "penalty" block) and the amount stays in the account.
import type { CyclesLedgerState } from '../state/index.ts';
import type { CreateCanisterArgs, RejectionCodeName, WithdrawArgs } from './candid/cycles_ledger.ts';
import { createCanisterViaCmc, presentSettings } from './cmc_create.ts';
import { CYCLES_LEDGER } from './ids.ts';
import { type Account, accountOf, appendBlock, balanceOf, CYCLES_LEDGER_FEE, debit, isCanisterId, MAX_U128 } from './ledger_accounts.ts';
import { depositCyclesAs, type Rejected } from './management_bridge.ts';
import { canisterTrap, type MethodOutcome, type SystemCall, type SystemContext } from './method.ts';

const REJECTION_CODES: Record<number, RejectionCodeName> = {
  1: 'SysFatal',
  2: 'SysTransient',
  3: 'DestinationInvalid',
  4: 'CanisterReject',
  5: 'CanisterError',
  6: 'Unknown',
};

/** The account to spend from, or the balance it lacks for `amount` plus the fee. */
function payer(ledger: CyclesLedgerState, account: Account, amount: bigint): { insufficient: bigint } | undefined {
  const balance = balanceOf(ledger, account);
  if (amount > MAX_U128 || balance < amount + CYCLES_LEDGER_FEE) return { insufficient: balance };
  return undefined;
}

/** Charges the fee alone for a failed outside call; returns the fee block, if the account could pay it. */
function penalize(ledger: CyclesLedgerState, account: Account): [] | [bigint] {
  if (balanceOf(ledger, account) < CYCLES_LEDGER_FEE) return [];
  debit(ledger, account, CYCLES_LEDGER_FEE);
  return [appendBlock(ledger)];
}

export function withdraw(context: SystemContext, call: SystemCall, arg: WithdrawArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.cyclesLedger;
  const from = accountOf(call.caller, arg.from_subaccount);
  if (typeof from === 'string') return canisterTrap(CYCLES_LEDGER, from);
  const lacking = payer(ledger, from, arg.amount);
  if (lacking) return { value: { Err: { InsufficientFunds: { balance: lacking.insufficient } } } };
  if (!isCanisterId(arg.to)) return { value: { Err: { InvalidReceiver: { receiver: arg.to } } } };
  const failure = depositCyclesAs(context, CYCLES_LEDGER, arg.to, arg.amount);
  if (failure) {
    const rejection = { rejection_code: { [REJECTION_CODES[failure.error.rejectCode]!]: null }, rejection_reason: failure.error.message };
    return { value: { Err: { FailedToWithdraw: { fee_block: penalize(ledger, from), ...rejection } } } };
  }
  debit(ledger, from, arg.amount + CYCLES_LEDGER_FEE);
  return { value: { Ok: appendBlock(ledger) } };
}

function failedToCreate(ledger: CyclesLedgerState, from: Account, failure: Rejected): MethodOutcome {
  return { value: { Err: { FailedToCreate: { fee_block: penalize(ledger, from), refund_block: [], error: failure.error.message } } } };
}

export function createCanister(context: SystemContext, call: SystemCall, arg: CreateCanisterArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.cyclesLedger;
  const from = accountOf(call.caller, arg.from_subaccount);
  if (typeof from === 'string') return canisterTrap(CYCLES_LEDGER, from);
  const lacking = payer(ledger, from, arg.amount);
  if (lacking) return { value: { Err: { InsufficientFunds: { balance: lacking.insufficient } } } };
  const creation = arg.creation_args[0];
  const selection = { subnet_selection: creation?.subnet_selection ?? ([] as []) };
  // Controllers default to the caller, not to the ledger or the CMC that create the canister for it.
  const created = createCanisterViaCmc(context, call.caller, selection, presentSettings(creation?.settings ?? []), arg.amount);
  if ('error' in created) return failedToCreate(ledger, from, created);
  debit(ledger, from, arg.amount + CYCLES_LEDGER_FEE);
  return { value: { Ok: { block_id: appendBlock(ledger), canister_id: created } } };
}
