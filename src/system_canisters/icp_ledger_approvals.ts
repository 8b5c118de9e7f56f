// ICRC-2 on the ICP ledger: `icrc2_approve` (the approver pays the fee; an allowance replaces the
// previous one, optionally only if it still equals `expected_allowance`), `icrc2_allowance`, and
// `icrc2_transfer_from`, which spends amount + fee of the allowance. An expired allowance counts as 0.
import type { IcpLedgerState } from '../state/index.ts';
import type * as C from './candid/icp_ledger.ts';
import { accountIdOf, amountTooLarge, appendIcpBlock, chargeFee, hexOf, ICP_FEE, icpBalance, icrcMovement, MAX_U64, moveTokens } from './icp_accounts.ts';
import { ICP_LEDGER } from './ids.ts';
import { accountOf } from './ledger_accounts.ts';
import { canisterTrap, type MethodOutcome, type SystemCall, type SystemContext } from './method.ts';

const allowanceKey = (from: Uint8Array, spender: Uint8Array): string => `${hexOf(from)}:${hexOf(spender)}`;

/** The allowance in force at `now`. */
function current(ledger: IcpLedgerState, key: string, now: bigint): { amount: bigint; expiresAt: bigint | undefined } {
  const allowance = ledger.allowances.get(key);
  if (!allowance || (allowance.expiresAt !== undefined && allowance.expiresAt <= now)) return { amount: 0n, expiresAt: undefined };
  return allowance;
}

export function approve(context: SystemContext, call: SystemCall, arg: C.ApproveArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.icpLedger;
  const now = context.state.time;
  const from = accountOf(call.caller, arg.from_subaccount);
  const spender = accountOf(arg.spender.owner, arg.spender.subaccount);
  if (typeof from === 'string') return canisterTrap(ICP_LEDGER, from);
  if (typeof spender === 'string') return canisterTrap(ICP_LEDGER, spender);
  const fromId = accountIdOf(from);
  const spenderId = accountIdOf(spender);
  if (hexOf(fromId) === hexOf(spenderId)) return canisterTrap(ICP_LEDGER, 'self approval is not allowed');
  if (arg.fee.length === 1 && arg.fee[0] !== ICP_FEE) return { value: { Err: { BadFee: { expected_fee: ICP_FEE } } } };
  const key = allowanceKey(fromId, spenderId);
  const existing = current(ledger, key, now);
  const expected = arg.expected_allowance[0];
  if (expected !== undefined && expected !== existing.amount) return { value: { Err: { AllowanceChanged: { current_allowance: existing.amount } } } };
  const expiresAt = arg.expires_at[0];
  if (expiresAt !== undefined && expiresAt <= now) return { value: { Err: { Expired: { ledger_time: now } } } };
  const balance = icpBalance(ledger, fromId);
  if (balance < ICP_FEE) return { value: { Err: { InsufficientFunds: { balance } } } };
  chargeFee(ledger, fromId);
  const amount = arg.amount > MAX_U64 ? MAX_U64 : arg.amount;
  if (amount === 0n) ledger.allowances.delete(key);
  else ledger.allowances.set(key, { amount, expiresAt });
  const memo = arg.memo[0];
  const block = appendIcpBlock(ledger, {
    kind: 'approve',
    from: fromId,
    to: undefined,
    spender: spenderId,
    amount,
    fee: ICP_FEE,
    memo: 0n,
    icrc1Memo: memo ? Uint8Array.from(memo) : undefined,
    createdAt: arg.created_at_time[0],
    timestamp: now,
    expiresAt,
    expectedAllowance: expected,
  });
  return { value: { Ok: block } };
}

export function allowanceOf(context: SystemContext, _call: SystemCall, arg: C.AllowanceArgs): MethodOutcome {
  const from = accountOf(arg.account.owner, arg.account.subaccount);
  const spender = accountOf(arg.spender.owner, arg.spender.subaccount);
  if (typeof from === 'string') return canisterTrap(ICP_LEDGER, from);
  if (typeof spender === 'string') return canisterTrap(ICP_LEDGER, spender);
  const allowance = current(context.state.systemCanisters.icpLedger, allowanceKey(accountIdOf(from), accountIdOf(spender)), context.state.time);
  return { value: { allowance: allowance.amount, expires_at: allowance.expiresAt === undefined ? [] : [allowance.expiresAt] } };
}

export function transferFrom(context: SystemContext, call: SystemCall, arg: C.TransferFromArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.icpLedger;
  const now = context.state.time;
  const spender = accountOf(call.caller, arg.spender_subaccount);
  const from = accountOf(arg.from.owner, arg.from.subaccount);
  const to = accountOf(arg.to.owner, arg.to.subaccount);
  if (typeof spender === 'string') return canisterTrap(ICP_LEDGER, spender);
  if (typeof from === 'string') return canisterTrap(ICP_LEDGER, from);
  if (typeof to === 'string') return canisterTrap(ICP_LEDGER, to);
  const fromId = accountIdOf(from);
  const spenderId = accountIdOf(spender);
  const own = hexOf(fromId) === hexOf(spenderId);
  const key = allowanceKey(fromId, spenderId);
  const allowance = current(ledger, key, now);
  if (arg.fee.length === 1 && arg.fee[0] !== ICP_FEE) return { value: { Err: { BadFee: { expected_fee: ICP_FEE } } } };
  if (!own && allowance.amount < arg.amount + ICP_FEE) return { value: { Err: { InsufficientAllowance: { allowance: allowance.amount } } } };
  const tooLarge = amountTooLarge(arg.amount);
  if (tooLarge) return { value: { Err: tooLarge } };
  const outcome = moveTokens(ledger, icrcMovement(arg, fromId, accountIdOf(to), own ? undefined : spenderId), now);
  if (typeof outcome !== 'bigint') return { value: { Err: outcome } };
  if (!own) {
    const left = allowance.amount - arg.amount - ICP_FEE;
    if (left > 0n) ledger.allowances.set(key, { amount: left, expiresAt: allowance.expiresAt });
    else ledger.allowances.delete(key);
  }
  return { value: { Ok: outcome } };
}
