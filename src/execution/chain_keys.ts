// The chain keys a local replica holds, and what using one costs: each of these names for every
// scheme (ECDSA secp256k1, BIP340, Ed25519, vetKD BLS12-381 G2), as PocketIC and icp-cli's local
// networks hold them, all at the IC's one signing fee.
import { scale } from './cycles.ts';
import type { ExecutionEnvironment } from './system_api.ts';

export const CHAIN_KEY_NAMES: readonly string[] = ['dfx_test_key', 'key_1', 'test_key_1'];

/** The fee of a signature or a vetKD derivation (the replica's `ecdsa_signature_fee`, `schnorr_signature_fee`, `vetkd_fee`), scaled by subnet size. */
export function chainKeyFee(env: ExecutionEnvironment): bigint {
  return scale(env, env.costs.signWithThresholdKey);
}
