// The PocketIC server: node:http in front of the route table. Every error becomes the PocketIC
// error shape (one bad request never stops the server); it counts requests in flight so that the
// executable can exit after an idle TTL.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobStore } from './blobstore.ts';
import { PocketIcError } from './errors.ts';
import { HttpGateways } from './http_gateways.ts';
import { Instances } from './instances.ts';
import { OpGraph } from './op_graph.ts';
import { json, type PocketResponse, RouteTable } from './route_table.ts';
import { errorResponse, type PocketIcService, pocketIcRoutes } from './routes.ts';

export interface PocketIcServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Server log lines (the executable prints them on stdout). */
  readonly log?: (line: string) => void;
  /** Canister log lines (the executable prints them on stderr). */
  readonly canisterLog?: (line: string) => void;
}

export interface PocketIcServerHandle {
  readonly url: string;
  readonly port: number;
  /** Requests being served now. */
  inFlight(): number;
  /** performance.now() of the last request's end (or of the start). */
  lastActivity(): number;
  /** Deletes every instance (checkpointing state directories) and stops listening. */
  close(): Promise<void>;
}

/** Wasm modules and stable memories travel in request bodies: PocketIC accepts large ones. */
const MAX_BODY_BYTES = 1024 * 1024 * 1024;

export async function startPocketIcServer(options: PocketIcServerOptions = {}): Promise<PocketIcServerHandle> {
  const log = options.log ?? (() => {});
  const canisterLog = options.canisterLog ?? (() => {});
  const service: PocketIcService = {
    instances: new Instances({ canisterLog: (id, line) => canisterLog(`[Canister ${id.toText()}] ${line}`) }),
    blobs: new BlobStore(),
    graph: new OpGraph(),
    gateways: new HttpGateways(),
    log,
  };
  const table = new RouteTable(pocketIcRoutes(service));
  let inFlight = 0;
  let lastActivity = performance.now();
  const server = createServer((req, res) => {
    inFlight++;
    void serve(table, log, req, res).finally(() => {
      inFlight--;
      lastActivity = performance.now();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  service.gateways.serverPort = port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    inFlight: () => inFlight,
    lastActivity: () => lastActivity,
    close: () => close(server, service),
  };
}

async function close(server: Server, service: PocketIcService): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await service.gateways.stopAll();
  await service.instances.deleteAll();
  await closed;
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

async function serve(table: RouteTable, log: (line: string) => void, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: PocketResponse;
  try {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = table.find(method, path);
    if (!found) response = { status: 404, body: '' };
    else response = await found.handler({ method, params: found.match.params, rest: found.match.rest, body, headers: headersOf(req) });
  } catch (e) {
    if (e instanceof PocketIcError) response = errorResponse(e);
    else {
      log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      response = json(500, { message: `Internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  send(res, response);
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new PocketIcError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: PocketResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const headers: Record<string, string | number> = { 'content-length': body.length };
  if (response.contentType) headers['content-type'] = response.contentType;
  res.writeHead(response.status, headers);
  res.end(body);
}
