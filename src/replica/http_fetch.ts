// Real canister HTTP outcalls for server front ends: between rounds, every pending outcall is fetched
// from the network; its answer becomes an input of a later round (never read inside one), so the
// state stays a function of its inputs. The replica's adapter limits apply: no redirects followed,
// a timeout, the response (headers and body) cut off past max_response_bytes.
import type { HttpOutcallReplicaAnswer, HttpOutcallRequest } from '../state/index.ts';
import { REJECT } from '../state/index.ts';
import type { Replica } from './replica.ts';

export interface HttpFetchOptions {
  /** How long one outcall may take, connection to last byte (ms). */
  readonly timeoutMs: number;
}

/** The replica's adapter gives up after 30 s. */
export const DEFAULT_HTTP_FETCH: HttpFetchOptions = { timeoutMs: 30_000 };

const DEFAULT_MAX_RESPONSE_BYTES = 2_000_000;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function fatal(message: string): HttpOutcallReplicaAnswer {
  return { kind: 'reject', code: REJECT.SYS_FATAL, message };
}

function transient(message: string): HttpOutcallReplicaAnswer {
  return { kind: 'reject', code: REJECT.SYS_TRANSIENT, message };
}

/** The URL to fetch, or why not: HTTPS only, as on the IC; plain HTTP to this machine for local servers. */
function targetOf(url: string): URL | HttpOutcallReplicaAnswer {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return fatal(`Failed to parse URL: ${url}`);
  }
  if (target.protocol === 'https:') return target;
  if (target.protocol === 'http:' && LOOPBACK.test(target.hostname)) return target;
  return fatal('Url need to specify https scheme');
}

function headersOf(request: HttpOutcallRequest): [string, string][] {
  const headers = request.headers.map(({ name, value }): [string, string] => [name, value]);
  // The replica's adapter names itself unless the canister did.
  if (!headers.some(([name]) => name.toLowerCase() === 'user-agent')) headers.push(['user-agent', 'ic/1.0']);
  return headers;
}

/** Reads the body while headers and body together stay within `limit` bytes. */
async function readBody(response: Response, headerBytes: number, limit: number): Promise<Uint8Array | HttpOutcallReplicaAnswer> {
  if (headerBytes > limit) return fatal(`Header size exceeds specified response size limit ${limit}`);
  const chunks: Uint8Array[] = [];
  let size = headerBytes;
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > limit) return fatal(`Http body exceeds size limit of ${limit} bytes.`);
      chunks.push(chunk);
    }
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function failureOf(error: unknown, target: URL, signal: AbortSignal): HttpOutcallReplicaAnswer {
  if (signal.aborted) return transient('Deadline Exceeded');
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return transient(`Connecting to ${target.hostname} failed: ${cause}`);
}

/** Makes one outcall and returns what a replica would get: the response, or a reject. */
export async function fetchHttpOutcall(request: HttpOutcallRequest, options: HttpFetchOptions, stop?: AbortSignal): Promise<HttpOutcallReplicaAnswer> {
  const target = targetOf(request.url);
  if (!(target instanceof URL)) return target;
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(stop ? [stop] : [])]);
  const limit = Number(request.maxResponseBytes ?? BigInt(DEFAULT_MAX_RESPONSE_BYTES));
  try {
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const response = await fetch(target, {
      method: request.method,
      headers: headersOf(request),
      body: hasBody ? new Uint8Array(request.body) : undefined,
      redirect: 'manual',
      signal,
    });
    const headers = [...response.headers].map(([name, value]) => ({ name, value }));
    const headerBytes = headers.reduce((sum, { name, value }) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
    const body = await readBody(response, headerBytes, limit);
    if (!(body instanceof Uint8Array)) {
      await response.body?.cancel().catch(() => {});
      return body;
    }
    return { kind: 'response', status: response.status, headers, body };
  } catch (error) {
    return failureOf(error, target, signal);
  }
}

/** Fetches every pending outcall once, in the background; each answer wakes the round driver. */
export class HttpOutcallFetcher {
  readonly #replica: Replica;
  readonly #options: HttpFetchOptions;
  readonly #answered: () => void;
  readonly #inFlight = new Set<bigint>();
  readonly #stop = new AbortController();

  constructor(replica: Replica, options: HttpFetchOptions, answered: () => void) {
    this.#replica = replica;
    this.#options = options;
    this.#answered = answered;
  }

  /** Starts a fetch for each outcall made since the last call (run between rounds). */
  startPending(): void {
    if (this.#stop.signal.aborted) return;
    for (const outcall of this.#replica.pendingHttpOutcalls()) {
      if (this.#inFlight.has(outcall.id)) continue;
      this.#inFlight.add(outcall.id);
      void fetchHttpOutcall(outcall.request, this.#options, this.#stop.signal).then((answer) => {
        this.#inFlight.delete(outcall.id);
        if (this.#stop.signal.aborted) return;
        if (this.#replica.answerHttpOutcall(outcall.id, answer)) this.#answered();
      });
    }
  }

  /** Whether the outcall is being fetched now. */
  isFetching(id: bigint): boolean {
    return this.#inFlight.has(id);
  }

  /** Abandons the fetches under way; their outcalls stay pending in the state. */
  close(): void {
    this.#stop.abort();
  }
}
