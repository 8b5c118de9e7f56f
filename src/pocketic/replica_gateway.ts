// A gateway in front of a replica elsewhere (`{"forward_to": {"Replica": "<url>"}}`): `/api/…` and
// PocketIC's `/_/…` are passed to the replica as they are, and every other request naming a canister
// goes through the HTTP gateway, whose calls reach the replica over its HTTP interface.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway/index.ts';

export interface ReplicaGatewayOptions {
  readonly url: string;
  readonly gateway: Gateway;
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: Uint8Array; readonly key: Uint8Array } | undefined;
  readonly log: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

// Pages served from `<id>.localhost` call the API on `localhost`: cross-origin, so every answer allows it.
const CORS: [string, string][] = [
  ['access-control-allow-origin', '*'],
  ['access-control-allow-methods', 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS'],
  ['access-control-allow-headers', 'user-agent, dnt, if-none-match, if-modified-since, cache-control, content-type, range, cookie, x-requested-with, x-ic-canister-id'],
];
/** Hop-by-hop and length headers are the server's to set, never the replica's. */
const DROPPED = new Set(['connection', 'transfer-encoding', 'keep-alive', 'content-length', 'content-encoding']);

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, headers: [string, string][], body: Uint8Array): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, [...headers, ['content-length', String(body.length)]].flat());
  res.end(body);
}

/** The replica's answer to the request, passed back as it is. */
async function forward(options: ReplicaGatewayOptions, req: IncomingMessage, body: Uint8Array, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const contentType = req.headers['content-type'];
  const upstream = await fetch(`${options.url}${req.url ?? '/'}`, {
    method,
    headers: contentType ? { 'content-type': contentType } : {},
    body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(body),
  });
  const headers: [string, string][] = [...upstream.headers].filter(([name]) => !DROPPED.has(name) && !name.startsWith('access-control-'));
  reply(res, upstream.status, [...headers, ...CORS], new Uint8Array(await upstream.arrayBuffer()));
}

async function serve(options: ReplicaGatewayOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = (status: number, message: string) => reply(res, status, [['content-type', 'text/plain; charset=utf-8'], ...CORS], new TextEncoder().encode(`${message}\n`));
  try {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (req.method === 'OPTIONS') return reply(res, 204, CORS, new Uint8Array());
    if (path.startsWith('/api/') || path.startsWith('/_/')) return await forward(options, req, body, res);
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const served = await options.gateway.handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body });
    if (served) return reply(res, served.status, served.headers, served.body);
    text(404, 'Not found');
  } catch (e) {
    options.log(`gateway error on ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
    text(502, `The replica at ${options.url} could not be reached: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function startReplicaGateway(options: ReplicaGatewayOptions): Promise<RunningServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => void serve(options, req, res);
  const server: Server = options.tls ? createTlsServer({ cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }, handler) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
