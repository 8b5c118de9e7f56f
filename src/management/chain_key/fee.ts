// What a chain-key signature or vetKD derivation costs: kept from the attached cycles when the method
// replies (its method table entry names this fee), the rest refunded.
import { scale, UserError } from '../../execution/index.ts';
import type { ManagementCall, ManagementContext } from '../context.ts';

/** The IC's fee (the replica's `ecdsa_signature_fee`, `schnorr_signature_fee`, `vetkd_fee`), scaled by subnet size. */
export function chainKeyFee(context: ManagementContext): bigint {
  return scale(context.round.env, context.round.env.costs.signWithThresholdKey);
}

/** The replica's refusal of a request whose attached cycles do not cover the fee. */
export function unpaid(context: ManagementContext, call: ManagementCall): UserError | undefined {
  const fee = chainKeyFee(context);
  if (call.cycles >= fee) return undefined;
  return new UserError('CanisterRejectedMessage', `${call.method} request sent with ${call.cycles} cycles, but ${fee} cycles are required.`);
}
