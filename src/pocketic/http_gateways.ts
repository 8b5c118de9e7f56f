// The server's HTTP gateways (`POST /http_gateway`): each listens on its own port and serves one
// instance's canister web pages (`<id>.localhost`, `?canisterId=`, verified as the IC's gateways verify
// them) and, on the same port, the instance's IC HTTP interface under `/api/`, as PocketIC's gateway
// does; or the same for a replica elsewhere, reached over its HTTP interface. Gateways are numbered
// from 0; deleting their instance or stopping the server stops them.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { fetchRootKey, followCustomDomains, Gateway, remoteCalls } from '../gateway/index.ts';
import { type FrontEnd, startHttpServer } from '../http/index.ts';
import type { Principal } from '../state/index.ts';
import { instanceDeleted, type PocketIcError } from './errors.ts';
import { type HttpGatewayConfig, refused } from './http_gateway_config.ts';
import type { PocketIcInstance } from './instance.ts';
import type { Instances } from './instances.ts';
import { stringifyJson } from './json.ts';
import { type RunningServer, startReplicaGateway } from './replica_gateway.ts';
import { topologyJson } from './topology.ts';

/** How long an upgraded request may take on a replica elsewhere (ms), as on an instance. */
const UPDATE_TIMEOUT_MS = 10_000;

interface RunningGateway {
  readonly id: number;
  readonly config: HttpGatewayConfig;
  readonly server: RunningServer;
  readonly unfollow: () => void;
}

/** The certificate chain and key, checked to be PEM that node:tls accepts before anything listens. */
function tlsOf(config: NonNullable<HttpGatewayConfig['httpsConfig']>): { cert: Uint8Array; key: Uint8Array } {
  try {
    const tls = { cert: readFileSync(config.certPath), key: readFileSync(config.keyPath) };
    createSecureContext(tls);
    return tls;
  } catch (e) {
    throw refused(502, `TLS config could not be created: ${(e as Error).message}`);
  }
}

/** The replica's root key, fetched as `ic-gateway --ic-unsafe-root-key-fetch` does; 502 if it cannot be. */
async function rootKeyAt(url: string): Promise<Uint8Array> {
  try {
    return await fetchRootKey(url);
  } catch (e) {
    throw refused(502, `Upstream error: the root key of ${url} could not be fetched (${(e as Error).message})`);
  }
}

/** Why a gateway could not listen, in the words PocketIC's clients show. */
function listenFailure(error: unknown, config: HttpGatewayConfig): PocketIcError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.ipAddr}:${config.port}`;
  if (code === 'EADDRINUSE') return refused(502, `Failed to bind to address ${where}: Address already in use (os error 98)`);
  return refused(502, `Failed to start the HTTP gateway on ${where}: ${(error as Error).message}`);
}

/** Canister pages through the gateway, and PocketIC's `/_/topology` of the instance. */
function frontEndOf(instance: PocketIcInstance, gateway: Gateway): FrontEnd {
  return {
    handle: async (request) => {
      if (new URL(request.url, 'http://gateway.invalid').pathname === '/_/topology') {
        const body = new TextEncoder().encode(stringifyJson(topologyJson(instance)));
        return { status: 200, headers: [['content-type', 'application/json']], body };
      }
      return gateway.handle(request);
    },
  };
}

interface Listen {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: Uint8Array; readonly key: Uint8Array } | undefined;
  readonly log: (line: string) => void;
}

interface Resolution {
  readonly domains: readonly string[];
  readonly customDomains: ReadonlyMap<string, Principal>;
}

/** The instance's pages and IC HTTP interface, its rounds and time shared with the instance. */
function serveInstance(instance: PocketIcInstance, listen: Listen, resolution: Resolution): Promise<RunningServer> {
  const rootKeyDer = instance.network.root.state.config.rootKeyDer;
  const gateway = new Gateway({ calls: instance.http.canisterCalls(UPDATE_TIMEOUT_MS), rootKeyDer, ...resolution, clock: () => instance.time() });
  return startHttpServer({ ...listen, replica: instance.network.root, context: instance.http.rootContext, api: instance.http, frontEnd: () => frontEndOf(instance, gateway) });
}

/** A replica's pages and HTTP interface, reached over the network. */
function serveReplica(url: string, rootKeyDer: Uint8Array, listen: Listen, resolution: Resolution): Promise<RunningServer> {
  const gateway = new Gateway({ calls: remoteCalls(url, rootKeyDer, UPDATE_TIMEOUT_MS), rootKeyDer, ...resolution });
  return startReplicaGateway({ ...listen, url, gateway });
}

export class HttpGateways {
  readonly #running = new Map<number, RunningGateway>();
  #next = 0;
  /** The PocketIC server's own port, to recognize `Replica` URLs that name its instances. */
  serverPort = 0;

  async start(instances: Instances, config: HttpGatewayConfig, log: (line: string) => void): Promise<{ instance_id: number; port: number }> {
    const target = config.target;
    const instance = target.kind === 'instance' ? instances.get(String(target.instanceId)) : undefined;
    const rootKeyDer = target.kind === 'replica' ? await rootKeyAt(target.url) : undefined;
    const tls = config.httpsConfig && tlsOf(config.httpsConfig);
    const customDomains = new Map<string, Principal>();
    const file = config.customDomainsFile;
    const unfollow = file ? followCustomDomains(file, customDomains, (message) => log(`warning: ${message}`)) : () => {};
    // PocketIC's gateway: the given domains (default `localhost`), and always `127.0.0.1`.
    const domains = [...(config.domains ?? ['localhost'])];
    if (!domains.includes('127.0.0.1')) domains.push('127.0.0.1');
    const listen: Listen = { host: config.ipAddr, port: config.port, tls, log };
    let server: RunningServer;
    try {
      if (target.kind === 'instance') server = await serveInstance(instance!, listen, { domains, customDomains });
      else server = await serveReplica(target.url, rootKeyDer!, listen, { domains, customDomains });
    } catch (e) {
      unfollow();
      throw listenFailure(e, config);
    }
    // The instance may have been deleted while the port was opening: its gateways are already stopped.
    if (instance?.deleted) {
      unfollow();
      await server.close();
      throw instanceDeleted();
    }
    const id = this.#next++;
    this.#running.set(id, { id, config, server, unfollow });
    log(`started HTTP gateway ${id} for ${target.kind === 'instance' ? `instance ${target.instanceId}` : target.url} at ${server.url}`);
    return { instance_id: id, port: server.port };
  }

  /** `HttpGatewayDetails` of every running gateway. */
  list() {
    return [...this.#running.values()].map(({ id, config, server }) => ({
      instance_id: id,
      port: server.port,
      forward_to: config.forwardTo,
      domains: config.domains ?? null,
      https_config: config.httpsConfig ? { cert_path: config.httpsConfig.certPath, key_path: config.httpsConfig.keyPath } : null,
    }));
  }

  /** Stopping an unknown or stopped gateway succeeds, as in PocketIC. */
  async stop(id: string): Promise<void> {
    const gateway = /^\d+$/.test(id) ? this.#running.get(Number(id)) : undefined;
    if (!gateway) return;
    this.#running.delete(gateway.id);
    gateway.unfollow();
    await gateway.server.close();
  }

  async stopForInstance(instanceId: number): Promise<void> {
    const serving = [...this.#running.values()].filter(({ config }) => config.target.kind === 'instance' && config.target.instanceId === instanceId);
    await Promise.all(serving.map(({ id }) => this.stop(String(id))));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((id) => this.stop(String(id))));
  }
}
