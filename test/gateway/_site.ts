// The gateway's test site: test/canisters/http_site.mo in a Capsule, served by an in-process
// server whose front end is the gateway; requests go out with node:http so the Host header is ours.
import { request as httpRequest } from 'node:http';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { Gateway } from '../../src/gateway/index.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';
import type { Principal } from '../../src/state/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

export interface Site {
  readonly capsule: Capsule;
  readonly server: HttpServerHandle;
  readonly canisterId: Principal;
  close(): Promise<void>;
}

export interface SiteOptions {
  /** The replica's clock (default the wall clock): rounds, and so certificates, carry its time. */
  readonly clock?: () => bigint;
}

export async function siteWasm(): Promise<Uint8Array> {
  return (await motoko(canisterSource('http_site.mo', 'HttpCertification.mo', 'Sha256.mo'), { main: 'http_site.mo' })).wasm;
}

export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const time = options.clock?.();
  const capsule = await Capsule.create(time === undefined ? {} : { time });
  const canisterId = await capsule.createCanister();
  await capsule.installCode({ canisterId, wasm: await siteWasm() });
  const replica = replicaOf(capsule);
  const server = await startHttpServer({
    replica,
    port: 0,
    idleRoundMs: 20,
    ...(options.clock ? { clock: options.clock } : {}),
    frontEnd: (context) => new Gateway({ replica: context.replica, rounds: context.rounds }),
  });
  // Certificates come from the server's rounds: wait for one at its clock.
  const round = replica.state.round;
  while (replica.state.round <= round + 1n) await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    capsule,
    server,
    canisterId,
    close: async () => {
      await server.close();
      await capsule.close();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  text(): string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A request to the server at `port` with `host` as the Host header. */
export function send(port: number, host: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
