// The HTTP server: node:http in front of the router. It reads bodies up to the size limit (413
// beyond), answers CORS preflights (browser clients), turns any unexpected exception into a 500 so
// one bad request never stops the server, and owns the round driver's lifetime.
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
  const server = createServer((req, res) => void serve(context, router, req, res));
  server.keepAliveTimeout = 65_000;
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

async function serve(context: HttpContext, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: HttpResponse;
  try {
    if (req.method === 'OPTIONS') {
      response = { status: 204, body: '' };
    } else {
      const body = await readBody(req, context.limits.maxRequestBytes);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      response = body instanceof HttpError ? textResponse(body) : await router.handle(req.method ?? 'GET', path, body);
    }
  } catch (e) {
    context.log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    response = textResponse(new HttpError(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`));
  }
  send(res, response);
}

/** The body, or 413 once it exceeds `limit` (the rest is drained, not kept, so the reply can be sent). */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | HttpError> {
  return new Promise((resolve, reject) => {
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
    req.on('error', reject);
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
