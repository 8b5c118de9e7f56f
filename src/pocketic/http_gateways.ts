// The server's HTTP gateways (`POST /http_gateway`): each listens on its own port and serves one
// instance's canister web pages (`<id>.localhost`, `?canisterId=`, verified as the IC's gateways verify
// them) and, on the same port, the instance's IC HTTP interface under `/api/`, as PocketIC's gateway
// does. Gateways are numbered from 0; deleting their instance or stopping the server stops them.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { followCustomDomains, Gateway } from '../gateway/index.ts';
import { type FrontEnd, type HttpServerHandle, startHttpServer } from '../http/index.ts';
import type { Principal } from '../state/index.ts';
import { instanceDeleted, type PocketIcError } from './errors.ts';
import { type HttpGatewayConfig, refused } from './http_gateway_config.ts';
import type { PocketIcInstance } from './instance.ts';
import type { Instances } from './instances.ts';
import { stringifyJson } from './json.ts';
import { topologyJson } from './topology.ts';

interface RunningGateway {
  readonly id: number;
  readonly config: HttpGatewayConfig;
  readonly server: HttpServerHandle;
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

export class HttpGateways {
  readonly #running = new Map<number, RunningGateway>();
  #next = 0;
  /** The PocketIC server's own port, to recognize `Replica` URLs that name its instances. */
  serverPort = 0;

  async start(instances: Instances, config: HttpGatewayConfig, log: (line: string) => void): Promise<{ instance_id: number; port: number }> {
    const instance = instances.get(String(config.instanceId));
    const tls = config.httpsConfig && tlsOf(config.httpsConfig);
    const customDomains = new Map<string, Principal>();
    const file = config.customDomainsFile;
    const unfollow = file ? followCustomDomains(file, customDomains, (message) => log(`warning: ${message}`)) : () => {};
    // PocketIC's gateway: the given domains (default `localhost`), and always `127.0.0.1`.
    const domains = [...(config.domains ?? ['localhost'])];
    if (!domains.includes('127.0.0.1')) domains.push('127.0.0.1');
    const context = instance.http.context;
    const gateway = new Gateway({ replica: instance.replica, rounds: context.rounds, domains, customDomains, clock: () => instance.time() });
    let server: HttpServerHandle;
    try {
      server = await startHttpServer({ replica: instance.replica, context, host: config.ipAddr, port: config.port, tls, log, frontEnd: () => frontEndOf(instance, gateway) });
    } catch (e) {
      unfollow();
      throw listenFailure(e, config);
    }
    // The instance may have been deleted while the port was opening: its gateways are already stopped.
    if (instance.deleted) {
      unfollow();
      await server.close();
      throw instanceDeleted();
    }
    const id = this.#next++;
    this.#running.set(id, { id, config, server, unfollow });
    log(`started HTTP gateway ${id} for instance ${config.instanceId} at ${server.url}`);
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
    const serving = [...this.#running.values()].filter(({ config }) => config.instanceId === instanceId);
    await Promise.all(serving.map(({ id }) => this.stop(String(id))));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((id) => this.stop(String(id))));
  }
}
