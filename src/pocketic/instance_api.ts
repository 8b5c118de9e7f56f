// The IC HTTP interface of an instance (`/instances/<id>/api/v2|v3|v4/…`): each subnet serves its own
// endpoints, as PocketIC's subnets do, and a request goes to the subnet its path names — the subnet of
// the effective canister id, or the subnet id itself. Anything else (status) is the root subnet's.
import { type CanisterCalls, replicaCalls } from '../gateway/index.ts';
import type { HttpContext, HttpResponse, Router } from '../http/index.ts';
import type { Network, Replica } from '../replica/index.ts';
import { Principal } from '../state/index.ts';

export interface SubnetApi {
  readonly replica: Replica;
  readonly context: HttpContext;
  readonly router: Router;
}

const SCOPED = /^\/api\/v\d+\/(canister|subnet)\/([^/]+)\//;

export class InstanceApi {
  readonly #network: Network;
  readonly #subnets: readonly SubnetApi[];
  readonly #fallback: Replica;

  /** `fallback`: the subnet of an effective canister id no subnet hosts (a create call names any id). */
  constructor(network: Network, subnets: readonly SubnetApi[], fallback: Replica) {
    this.#network = network;
    this.#subnets = subnets;
    this.#fallback = fallback;
  }

  handle(method: string, path: string, body: Uint8Array): Promise<HttpResponse> {
    return this.#apiOf(this.#subnetFor(path)).router.handle(method, path, body);
  }

  /** The root subnet's context: limits and logging of a server that serves the whole network. */
  get rootContext(): HttpContext {
    return this.#apiOf(this.#network.root).context;
  }

  /** Calls of the HTTP gateway, each made on the subnet of its canister with that subnet's rounds. */
  canisterCalls(timeoutMs: number): CanisterCalls {
    const callsOf = new Map(this.#subnets.map((subnet) => [subnet.replica, replicaCalls(subnet.replica, subnet.context.rounds, timeoutMs)]));
    const on = (canisterId: Principal): CanisterCalls => callsOf.get(this.#subnetOfCanister(canisterId))!;
    return {
      query: (canisterId, method, arg) => on(canisterId).query(canisterId, method, arg),
      update: (canisterId, method, arg) => on(canisterId).update(canisterId, method, arg),
    };
  }

  close(): void {
    for (const subnet of this.#subnets) subnet.context.close();
  }

  #subnetFor(path: string): Replica {
    const scoped = SCOPED.exec(path);
    if (!scoped) return this.#network.root;
    let id: Principal;
    try {
      id = Principal.fromText(decodeURIComponent(scoped[2]!));
    } catch {
      // A malformed id: the root subnet's endpoint answers it as a bad request.
      return this.#network.root;
    }
    if (scoped[1] === 'subnet') return this.#network.subnet(id) ?? this.#network.root;
    return this.#subnetOfCanister(id);
  }

  /** The subnet hosting the canister, or the fallback for an id no subnet hosts. */
  #subnetOfCanister(canisterId: Principal): Replica {
    return this.#network.subnetOf(canisterId) ?? this.#fallback;
  }

  #apiOf(replica: Replica): SubnetApi {
    return this.#subnets.find((subnet) => subnet.replica === replica)!;
  }
}
