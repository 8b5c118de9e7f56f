// The matching of the REST API's routes: `METHOD /path/:param` patterns, a trailing `*` taking the
// rest of the path (the per-instance IC HTTP interface). A trailing slash is accepted, as PocketIC does.
import { stringifyJson } from './json.ts';

export interface PocketRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  /** The rest of the path matched by `*`, with its leading slash. */
  readonly rest: string;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface PocketResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body: Uint8Array | string;
}

export function json(status: number, value: unknown): PocketResponse {
  return { status, contentType: 'application/json', body: stringifyJson(value === undefined ? null : value) };
}

export type PocketHandler = (request: PocketRequest) => Promise<PocketResponse> | PocketResponse;

export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly handler: PocketHandler;
}

interface Match {
  params: Record<string, string>;
  rest: string;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: readonly string[], segments: readonly string[]): Match | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '*') return { params, rest: `/${segments.slice(i).join('/')}` };
    const s = segments[i];
    if (s === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return pattern.length === segments.length ? { params, rest: '' } : undefined;
}

export class RouteTable {
  readonly #routes: { method: string; segments: string[]; handler: PocketHandler }[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ method: route.method, segments: segmentsOf(route.pattern), handler: route.handler }));
  }

  /** The handler and its parameters; undefined for an unknown path or method (404, empty body). */
  find(method: string, path: string): { handler: PocketHandler; match: Match } | undefined {
    const segments = segmentsOf(path);
    for (const route of this.#routes) {
      if (route.method !== method && route.method !== '*') continue;
      const found = match(route.segments, segments);
      if (found) return { handler: route.handler, match: found };
    }
    return undefined;
  }
}
