// The HTTP gateway: a browser's request becomes a call of the canister's `http_request` (upgraded
// to `http_request_update` when the canister asks), the body is completed by streaming callbacks or
// 206 ranges, and every response from a non-raw host is verified before a byte of it is served
// (HTTP Gateway Protocol, https://internetcomputer.org/docs/references/http-gateway-protocol-spec).
import { randomUUID } from 'node:crypto';
import type { Replica, RoundDriver } from '../replica/index.ts';
import { UncertifiedStateError, wallClockNanos } from '../replica/index.ts';
import type { CallResult, Principal } from '../state/index.ts';
import { type CanisterHttpRequest, type CanisterHttpResponse, decodeHttpResponse, encodeHttpRequest, type HeaderField } from './candid.ts';
import { type CanisterCalls, DESTINATION_INVALID, replicaCalls } from './canister_calls.ts';
import { completeBody, GatewayError } from './body.ts';
import { resolveCanister, type ResolutionConfig } from './resolve.ts';
import { verifyResponse, type VerifiableResponse } from './verify.ts';

/**
 * Where canisters are called: a replica in this process, with the round driver of the server the
 * gateway is part of (upgraded calls wait for their round), or a replica's HTTP interface elsewhere.
 */
export type GatewayBackend =
  | { readonly replica: Replica; readonly rounds: RoundDriver }
  | { readonly calls: CanisterCalls; readonly rootKeyDer: Uint8Array };

export type GatewayOptions = GatewayBackend & {
  /** Base domains (default `localhost` and `127.0.0.1`). */
  readonly domains?: readonly string[];
  /** Host name → canister, for custom domains. */
  readonly customDomains?: ReadonlyMap<string, Principal>;
  /** The clock certificates are checked against (ns since the epoch; default the wall clock). */
  readonly clock?: () => bigint;
  /** How long an upgraded call may take (ms, default 10 s). */
  readonly updateTimeoutMs?: number;
};

/** A request as received: the origin-form URL (`/path?query`) and the headers with their names as sent. */
export interface GatewayRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly HeaderField[];
  readonly body: Uint8Array;
}

export interface GatewayResponse {
  readonly status: number;
  readonly headers: HeaderField[];
  readonly body: Uint8Array;
}

export const DEFAULT_DOMAINS: readonly string[] = ['localhost', '127.0.0.1'];

const CORS: HeaderField[] = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', 'accept-ranges, content-length, content-range, x-request-id, x-ic-canister-id'],
];
// Hop-by-hop and length headers are the server's to set, never the canister's.
const DROPPED = new Set(['connection', 'transfer-encoding', 'keep-alive', 'content-length']);

export class Gateway {
  readonly #calls: CanisterCalls;
  readonly #rootKeyDer: Uint8Array;
  readonly #resolution: ResolutionConfig;
  readonly #clock: () => bigint;

  constructor(options: GatewayOptions) {
    const local = 'replica' in options;
    // The network's root key: a subnet's own key is certified by a delegation from it.
    this.#rootKeyDer = local ? options.replica.state.config.rootKeyDer : options.rootKeyDer;
    this.#calls = local ? replicaCalls(options.replica, options.rounds, options.updateTimeoutMs ?? 10_000) : options.calls;
    this.#resolution = { domains: options.domains ?? DEFAULT_DOMAINS, customDomains: options.customDomains ?? new Map() };
    this.#clock = options.clock ?? wallClockNanos;
  }

  /** The response for a request addressed to a canister; undefined when it names none. */
  async handle(request: GatewayRequest): Promise<GatewayResponse | undefined> {
    const url = new URL(request.url, 'http://gateway.invalid');
    const resolved = resolveCanister(this.#resolution, header(request.headers, 'host'), url, header(request.headers, 'referer'));
    if (resolved.kind === 'none') return undefined;
    if (resolved.kind === 'invalid') return textResponse(400, resolved.message);
    const { canisterId, raw } = resolved;
    try {
      const response = await this.#serve(canisterId, raw, asSent(request));
      return withGatewayHeaders(response, canisterId);
    } catch (error) {
      // The latest round is not durable yet (a failing disk): nothing can be certified, so nothing is served.
      if (error instanceof UncertifiedStateError) return withGatewayHeaders(textResponse(503, error.message), canisterId);
      if (!(error instanceof GatewayError)) throw error;
      return withGatewayHeaders(textResponse(error.status, error.message), canisterId);
    }
  }

  /** `request` is as the client sent it (what is verified); the canister gets it adjusted. */
  async #serve(canisterId: Principal, raw: boolean, request: CanisterHttpRequest): Promise<GatewayResponse> {
    const first = await this.#query(canisterId, request);
    if (first.upgrade) {
      // An update's reply is certified by consensus itself: it is not put through response verification.
      const arg = encodeHttpRequest(forCanister(request), undefined);
      const updated = responseOf(replyOf(await this.#calls.update(canisterId, 'http_request_update', arg)));
      const body = await completeBody(this.#calls, canisterId, updated);
      return { status: updated.statusCode, headers: updated.headers, body };
    }
    const verify = (req: CanisterHttpRequest, response: CanisterHttpResponse, body: Uint8Array): VerifiableResponse => {
      const complete = { statusCode: response.statusCode, headers: response.headers, body };
      if (raw) return complete;
      const verified = verifyResponse(req, complete, { canisterId, rootKeyDer: this.#rootKeyDer, now: this.#clock() });
      if (!verified.ok) throw new GatewayError(503, `Response verification failed: ${verified.reason}`);
      return verified.response;
    };
    const body = await completeBody(this.#calls, canisterId, first);
    if (first.statusCode === 206 && header(request.headers, 'range') === undefined) {
      return this.#stitchRanges(canisterId, request, verify(request, first, body), verify);
    }
    const served = verify(request, first, body);
    return { status: served.statusCode, headers: [...served.headers], body: served.body };
  }

  async #query(canisterId: Principal, request: CanisterHttpRequest): Promise<CanisterHttpResponse> {
    return responseOf(replyOf(await this.#calls.query(canisterId, 'http_request', encodeHttpRequest(forCanister(request), 2))));
  }

  /**
   * A 206 the client did not ask for is an asset certified in ranges: fetch the rest with
   * `Range: bytes=<next>-`, verify every piece, and answer 200 with the whole body.
   */
  async #stitchRanges(
    canisterId: Principal,
    request: CanisterHttpRequest,
    first: VerifiableResponse,
    verify: (req: CanisterHttpRequest, response: CanisterHttpResponse, body: Uint8Array) => VerifiableResponse,
  ): Promise<GatewayResponse> {
    let range = contentRange(first.headers);
    const pieces = [first.body.subarray(0, range.end + 1 - range.start)];
    let reached = range.end + 1;
    for (let calls = 0; reached < range.total; calls++) {
      if (calls >= MAX_RANGE_CALLS) throw new GatewayError(502, `The canister's ranges did not complete in ${MAX_RANGE_CALLS} requests`);
      const next = { ...request, headers: [...request.headers, ['range', `bytes=${reached}-`] as HeaderField] };
      const reply = await this.#query(canisterId, next);
      if (reply.streaming) throw new GatewayError(502, 'A range response must not stream');
      const piece = verify(next, reply, reply.body);
      range = contentRange(piece.headers);
      if (range.start > reached || range.end < reached || range.total !== contentRange(first.headers).total) {
        throw new GatewayError(502, `The canister answered bytes ${range.start}-${range.end}/${range.total} for bytes=${reached}-`);
      }
      pieces.push(piece.body.subarray(reached - range.start, range.end + 1 - range.start));
      reached = range.end + 1;
    }
    const headers = first.headers.filter(([name]) => !['content-range', 'content-length'].includes(name.toLowerCase()));
    return { status: 200, headers, body: Buffer.concat(pieces) };
  }
}

const MAX_RANGE_CALLS = 1_000;
/** A canister without the method (`http_request`, `http_request_update`) serves no such page: 404, as ic-gateway answers. */
const METHOD_NOT_FOUND = 'IC0536';

function contentRange(headers: readonly HeaderField[]): { start: number; end: number; total: number } {
  const value = header(headers, 'content-range') ?? '';
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  const [start, end, total] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, -1, 0];
  if (!match || start > end || end >= total) throw new GatewayError(502, `Invalid content-range in a 206 response: ${value}`);
  return { start, end, total };
}

/** The request as the client sent it, header names in lower case: what verification sees. */
function asSent(request: GatewayRequest): CanisterHttpRequest {
  const headers = request.headers.map(([name, value]): HeaderField => [name.toLowerCase(), value]);
  return { method: request.method.toUpperCase(), url: request.url, headers, body: request.body };
}

/** What the canister sees: `identity` always an acceptable encoding, and no `x-request-id` (it is the gateway's). */
function forCanister(request: CanisterHttpRequest): CanisterHttpRequest {
  const headers: HeaderField[] = [];
  for (const [name, value] of request.headers) {
    if (name === 'x-request-id') continue;
    const identityMissing = name === 'accept-encoding' && !value.split(',').some((e) => e.trim().split(';')[0] === 'identity');
    headers.push([name, identityMissing ? `${value}, identity` : value]);
  }
  return { ...request, headers };
}

/** The canister's reply as an `HttpResponse`; a reply of another shape is the canister's error (502). */
function responseOf(reply: Uint8Array): CanisterHttpResponse {
  try {
    return decodeHttpResponse(reply);
  } catch (error) {
    throw new GatewayError(502, `The canister's reply is not an HttpResponse: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function replyOf(result: CallResult): Uint8Array {
  if (result.kind === 'reply') return result.payload;
  const status = result.code === DESTINATION_INVALID || result.errorCode === METHOD_NOT_FOUND ? 404 : 502;
  throw new GatewayError(status, `The canister rejected the request (reject code ${result.code}): ${result.message}`);
}

function header(headers: readonly HeaderField[], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

function textResponse(status: number, message: string): GatewayResponse {
  return { status, headers: [['content-type', 'text/plain; charset=utf-8']], body: new TextEncoder().encode(`${message}\n`) };
}

/** The gateway's own headers: the canister, an id for this request (as ic-gateway adds), CORS. */
function withGatewayHeaders(response: GatewayResponse, canisterId: Principal): GatewayResponse {
  const headers = response.headers.filter(([name]) => !DROPPED.has(name.toLowerCase()) && name.toLowerCase() !== 'x-request-id');
  return { ...response, headers: [...headers, ['x-ic-canister-id', canisterId.toText()], ['x-request-id', randomUUID()], ...CORS] };
}
