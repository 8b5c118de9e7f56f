// The replica's live dashboard at `/_/dashboard` on the server's port: one static page (HTML, CSS and
// plain JavaScript, no build step) that reads JSON views of the replica and refreshes on server-sent
// events. Local-only like the rest of the server: no CORS, and the page's policy runs only its own script.
import { readFileSync } from 'node:fs';
import type { Replica } from '../replica/index.ts';
import { type EventStream, roundEvents } from './round_events.ts';
import { logs, overview, toJson } from './views.ts';

/** On every host of the server: the DFINITY replica serves its own dashboard at this path of its HTTP port too. */
export const DASHBOARD_PATH = '/_/dashboard';

export interface DashboardOptions {
  readonly replica: Replica;
  /** At most one event per this many milliseconds (default 250: four a second). */
  readonly eventIntervalMs?: number;
}

export interface DashboardRequest {
  readonly method: string;
  /** Origin-form: the path and the query. */
  readonly url: string;
}

export interface DashboardResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
  readonly stream?: EventStream;
}

const PAGE_FILES: Readonly<Record<string, readonly [file: string, contentType: string]>> = {
  '': ['index.html', 'text/html; charset=utf-8'],
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
};

const COMMON_HEADERS: [string, string][] = [
  ['cache-control', 'no-store'],
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'"],
];

const encoder = new TextEncoder();

export class Dashboard {
  readonly #replica: Replica;
  readonly #eventIntervalMs: number;
  readonly #files = new Map<string, Uint8Array>();

  constructor(options: DashboardOptions) {
    this.#replica = options.replica;
    this.#eventIntervalMs = options.eventIntervalMs ?? 250;
    for (const [file] of Object.values(PAGE_FILES)) this.#files.set(file, readFileSync(new URL(`page/${file}`, import.meta.url)));
  }

  /** The response for a request under `/_/dashboard`; undefined for any other path. */
  async handle(request: DashboardRequest): Promise<DashboardResponse | undefined> {
    const url = new URL(request.url, 'http://dashboard.invalid');
    if (url.pathname !== DASHBOARD_PATH && !url.pathname.startsWith(`${DASHBOARD_PATH}/`)) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'The dashboard answers GET only', [['allow', 'GET, HEAD']]);
    const rest = url.pathname.slice(DASHBOARD_PATH.length);
    const page = PAGE_FILES[rest];
    if (page) return respond(200, page[1], this.#files.get(page[0])!);
    switch (rest) {
      case '/api/overview':
        return json(overview(this.#replica));
      case '/api/logs': {
        const found = logs(this.#replica, url.searchParams.get('canister') ?? '');
        return found === undefined ? text(404, `No canister ${url.searchParams.get('canister') ?? ''}`) : json(found);
      }
      case '/events': {
        const opened = respond(200, 'text/event-stream', encoder.encode(': live\n\n'));
        // A HEAD request gets the headers only: nothing stays open for it.
        return request.method === 'HEAD' ? opened : { ...opened, stream: roundEvents(this.#replica, this.#eventIntervalMs) };
      }
      default:
        return text(404, `Not found: ${url.pathname}`);
    }
  }
}

function respond(status: number, contentType: string, body: Uint8Array, extra: [string, string][] = []): DashboardResponse {
  return { status, headers: [['content-type', contentType], ...COMMON_HEADERS, ...extra], body };
}

function json(value: unknown): DashboardResponse {
  return respond(200, 'application/json', encoder.encode(toJson(value)));
}

function text(status: number, message: string, extra: [string, string][] = []): DashboardResponse {
  return respond(status, 'text/plain; charset=utf-8', encoder.encode(message), extra);
}
