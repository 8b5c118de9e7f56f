// What a local replica's server answers outside `/api/`: the replica's dashboard under `/_/dashboard`, then
// canisters' pages through the HTTP gateway (`capsule start` and icp-cli's network alike).
import { Dashboard } from '../dashboard/index.ts';
import { Gateway, type GatewayOptions } from '../gateway/index.ts';
import type { FrontEnd, HttpContext } from '../http/index.ts';

export function replicaFrontEnd(context: HttpContext, gateway: Pick<GatewayOptions, 'domains' | 'customDomains'>): FrontEnd {
  const dashboard = new Dashboard({ replica: context.replica });
  const pages = new Gateway({ replica: context.replica, rounds: context.rounds, ...gateway });
  return { handle: async (request) => (await dashboard.handle(request)) ?? pages.handle(request) };
}
