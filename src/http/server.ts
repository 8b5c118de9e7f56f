// The HTTP server: node:http (or node:https) in front of the router. It reads bodies up to the size
// limit (413 beyond), answers CORS preflights (browser clients), refuses API requests that are not
// CBOR, bounds connections (count, idle, header and body time), turns any unexpected exception into a
// 500 so one bad request never stops the server, and owns the round driver's lifetime unless the
// caller passes its own context. Requests outside `/api/` go to the front end when there is one (the
// HTTP gateway, the dashboard), which the caller injects; its response may stay open (server-sent events).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpContext, type HttpContextOptions } from './context.ts';
import { HttpError, textResponse } from './errors.ts';
import type { FrontEnd, FrontEndResponse } from './front_end.ts';
import { interfaceRoutes } from './routes.ts';
import type { HttpResponse, Router } from './router.ts';

export interface HttpServerOptions extends HttpContextOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 4943; 0 picks a free port. */
  readonly port?: number;
  /** Serves what is not the API (made once the server's context exists: it shares its round driver). */
  readonly frontEnd?: (context: HttpContext) => FrontEnd;
  /** Serve this context (its round driver and clock) instead of a new one; its owner closes it. */
  readonly context?: HttpContext;
  /** Answers `/api/…` instead of the context's own routes (a network routes each request to its subnet). */
  readonly api?: Pick<Router, 'handle'>;
  /** Serve HTTPS with this PEM certificate chain and key. */
  readonly tls?: { readonly cert: Uint8Array; readonly key: Uint8Array };
}

export interface HttpServerHandle {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly context: HttpContext;
  close(): Promise<void>;
}

// Pages served from `<id>.localhost` call the API on `localhost`: cross-origin, so every answer allows it.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS',
  'access-control-allow-headers':
    'user-agent, dnt, if-none-match, if-modified-since, cache-control, content-type, range, cookie, x-requested-with, x-ic-canister-id',
  'access-control-expose-headers': 'accept-ranges, content-length, content-range, x-request-id, x-ic-canister-id',
  'access-control-max-age': '7200',
};

/** Serve the replica's HTTP interface; resolves once the server listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const context = options.context ?? new HttpContext(options);
  const router = options.api ?? interfaceRoutes(context);
  const frontEnd = options.frontEnd?.(context);
  const limits = context.limits;
  // Timeouts are enforced when node checks its connections: often enough for the shortest of them.
  const connectionsCheckingInterval = Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)));
  const handler = (req: IncomingMessage, res: ServerResponse): void => void serve(context, router, frontEnd, req, res);
  const server: Server = options.tls
    ? createTlsServer({ connectionsCheckingInterval, cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }, handler)
    : createServer({ connectionsCheckingInterval }, handler);
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
  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://${urlHost}:${port}`, host, port, context, close: () => close(server, options.context ? undefined : context) };
}

async function close(server: Server, context: HttpContext | undefined): Promise<void> {
  context?.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** The request ended before its body did: the client went away, nobody is left to answer. */
const ABORTED = Symbol('aborted');

/** A URL of letters, digits, `/`, `_` and `-` only, not starting with `//` (every API request's), is its own path: URL parsing costs more than a request's routing. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9/_-]*$/;

function pathOf(url: string): string {
  return PLAIN_PATH.test(url) ? url : new URL(url, 'http://localhost').pathname;
}

/** Requests to the API carry CBOR (interface spec, "HTTPS Interface": `Content-Type: application/cbor`). */
function isCbor(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/cbor';
}

async function serve(context: HttpContext, router: Pick<Router, 'handle'>, frontEnd: FrontEnd | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: HttpResponse;
  try {
    const path = pathOf(req.url ?? '/');
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
      if (body instanceof HttpError) response = textResponse(body);
      else {
        const served = frontEnd && !path.startsWith('/api/') ? await frontEnd.handle(frontEndRequest(req, body)) : undefined;
        if (served) return sendFrontEnd(res, served);
        response = await router.handle(req.method ?? 'GET', path, body);
      }
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

function frontEndRequest(req: IncomingMessage, body: Uint8Array) {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers, body };
}

function sendFrontEnd(res: ServerResponse, response: FrontEndResponse): void {
  if (res.headersSent || res.destroyed) return;
  const { stream } = response;
  if (stream) {
    res.writeHead(response.status, response.headers.flat());
    res.write(response.body);
    const closed = stream.open(
      (chunk) => void (res.destroyed || res.write(chunk)),
      () => void res.end(),
    );
    res.once('close', closed);
    return;
  }
  const headers: [string, string][] = [...response.headers, ['content-length', String(response.body.length)]];
  res.writeHead(response.status, headers.flat());
  res.end(response.body);
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const headers: Record<string, string | number> = { ...CORS_HEADERS, 'content-length': body.length };
  if (response.contentType) headers['content-type'] = response.contentType;
  res.writeHead(response.status, headers);
  res.end(body);
}
