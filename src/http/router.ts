// A tiny router in the manner of hono: handlers are plain functions from a request to a response,
// routes are `METHOD /path/:param` patterns. No framework: the HTTP interface has a dozen routes.
import { HttpError, textResponse } from './errors.ts';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface HttpResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body: Uint8Array | string;
}

export type Handler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, segments: split(pattern), handler });
    return this;
  }

  /** The response of the matching route; 404 for an unknown path, 405 for a known path with another method. */
  async handle(method: string, path: string, body: Uint8Array): Promise<HttpResponse> {
    const segments = split(path);
    let pathKnown = false;
    for (const route of this.#routes) {
      const params = match(route.segments, segments);
      if (!params) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      return route.handler({ method, path, params, body });
    }
    return pathKnown ? textResponse(new HttpError(405, `Method ${method} not allowed for ${path}`)) : textResponse(new HttpError(404, `Not found: ${path}`));
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(s);
    else if (p !== s) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
