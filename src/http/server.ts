// The HTTP server: node:http in front of the router. It reads bodies up to the size limit (413
// beyond), answers CORS preflights (browser clients), refuses API requests that are not CBOR, bounds
// connections (count, idle, header and body time), turns any unexpected exception into a 500 so one
// bad request never stops the server, and owns the round driver's lifetime.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpContext, type HttpContextOptions } from './context.ts';
import { HttpError, textResponse } from './errors.ts';
import { interfaceRoutes } from './routes.ts';
import type { HttpResponse, Router } from './router.ts';

export interface HttpServerOptions extends HttpContextOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 4943; 0 picks a free port. */
  readonly port?: number;
}

export interface HttpServerHandle {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly context: HttpContext;
  close(): Promise<void>;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

/** Serve the replica's HTTP interface; resolves once the server listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const context = new HttpContext(options);
  const router = interfaceRoutes(context);
  const limits = context.limits;
  // Timeouts are enforced when node checks its connections: often enough for the shortest of them.
  const connectionsCheckingInterval = Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => void serve(context, router, req, res));
  server.keepAliveTimeout = limits.idleTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxConnections = limits.maxConnections;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4943, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, host, port, context, close: () => close(server, context) };
}

async function close(server: Server, context: HttpContext): Promise<void> {
  context.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** The request ended before its body did: the client went away, nobody is left to answer. */
const ABORTED = Symbol('aborted');

/** Requests to the API carry CBOR (interface spec, "HTTPS Interface": `Content-Type: application/cbor`). */
function isCbor(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/cbor';
}

async function serve(context: HttpContext, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: HttpResponse;
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'OPTIONS') {
      response = { status: 204, body: '' };
    } else if (req.method === 'POST' && path.startsWith('/api/') && !isCbor(req.headers['content-type'])) {
      // The reference implementation's wording (ic-ref: "Expected application/cbor request").
      response = textResponse(new HttpError(400, 'Expected application/cbor request'));
    } else {
      const body = await readBody(req, context.limits.maxRequestBytes);
      if (body === ABORTED) {
        context.debug(`client aborted ${req.method} ${req.url} before the body ended`);
        return;
      }
      response = body instanceof HttpError ? textResponse(body) : await router.handle(req.method ?? 'GET', path, body);
    }
  } catch (e) {
    context.log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    response = textResponse(new HttpError(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`));
  }
  send(res, response);
}

/** The body, or 413 once it exceeds `limit` (the rest is drained, not kept, so the reply can be sent). */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | HttpError | typeof ABORTED> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let tooLarge = declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) resolve(new HttpError(413, `Request body of ${Math.max(size, declared)} bytes exceeds the limit of ${limit} bytes`));
      else resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
    // A promise settles once: after 'end' these change nothing.
    req.on('error', () => resolve(ABORTED));
    req.on('close', () => resolve(ABORTED));
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const headers: Record<string, string | number> = { ...CORS_HEADERS, 'content-length': body.length };
  if (response.contentType) headers['content-type'] = response.contentType;
  res.writeHead(response.status, headers);
  res.end(body);
}
