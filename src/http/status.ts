// GET /api/v2/status (interface spec, "Overview of canister calling" / status):
// a tag-55799 CBOR map. A development instance must publish `root_key`; icp-cli and dfx wait for
// `replica_health_status: "healthy"`.
import type { HttpContext } from './context.ts';
import { cborResponse } from './errors.ts';
import type { Handler } from './router.ts';

/** The interface spec version this implementation follows (see its changelog). */
export const IC_API_VERSION = '0.66.0';
export const IMPL_VERSION = 'capsule-0.1.0';

export function statusHandler(context: HttpContext): Handler {
  return () =>
    cborResponse(200, {
      ic_api_version: IC_API_VERSION,
      impl_version: IMPL_VERSION,
      root_key: context.replica.state.config.rootKeyDer,
      // The replica's value for a node serving a state older than it should: rounds are not being stored.
      replica_health_status: context.replica.durabilityFailure() === undefined ? 'healthy' : 'certified_state_behind',
      certified_height: context.replica.state.round,
    });
}
