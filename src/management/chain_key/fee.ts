// What a chain-key signature or vetKD derivation costs: kept from the attached cycles when the method
// replies (its method table entry names this fee), the rest refunded.
import { chainKeyFee as feeIn, UserError } from '../../execution/index.ts';
import type { ManagementCall, ManagementContext } from '../context.ts';

/** The fee of this round's environment: what `ic0.cost_sign_with_ecdsa` and its kin tell a canister. */
export function chainKeyFee(context: ManagementContext): bigint {
  return feeIn(context.round.env);
}

/** The replica's refusal of a request whose attached cycles do not cover the fee. */
export function unpaid(context: ManagementContext, call: ManagementCall): UserError | undefined {
  const fee = chainKeyFee(context);
  if (call.cycles >= fee) return undefined;
  return new UserError('CanisterRejectedMessage', `${call.method} request sent with ${call.cycles} cycles, but ${fee} cycles are required.`);
}
