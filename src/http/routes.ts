// The endpoints of the HTTP interface (interface spec, "HTTPS Interface"). Every
// vintage that live clients use is served: agent-js 3.x calls v3 and queries/reads v2,
// @icp-sdk/core calls v4 and queries/reads v3. The subnet-scoped call and query endpoints take only
// canister creation and list_canisters.
import { callHandler } from './call.ts';
import type { HttpContext } from './context.ts';
import { queryHandler } from './query.ts';
import { readStateHandler } from './read_state.ts';
import { Router } from './router.ts';
import { statusHandler } from './status.ts';

export function interfaceRoutes(context: HttpContext): Router {
  const router = new Router().on('GET', '/api/v2/status', statusHandler(context));
  for (const version of [2, 3, 4] as const) {
    router.on('POST', `/api/v${version}/canister/:ecid/call`, callHandler(context, version));
  }
  router.on('POST', '/api/v4/subnet/:esid/call', callHandler(context, 4, 'subnet'));
  router.on('POST', '/api/v3/subnet/:esid/query', queryHandler(context, 'subnet'));
  for (const version of [2, 3] as const) {
    router.on('POST', `/api/v${version}/canister/:ecid/query`, queryHandler(context));
    router.on('POST', `/api/v${version}/canister/:id/read_state`, readStateHandler(context, 'canister', version));
    router.on('POST', `/api/v${version}/subnet/:id/read_state`, readStateHandler(context, 'subnet', version));
  }
  return router;
}
