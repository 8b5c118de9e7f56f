// The HTTP edge's one error type (interface spec, "Responses": 4xx for client errors, 5xx for
// server errors, plain-text bodies) and the response helpers every endpoint shares.
import { encodeCbor, type CborEncodable } from '../certification/index.ts';
import type { HttpResponse } from './router.ts';

export const CBOR_CONTENT_TYPE = 'application/cbor';

/** A request the server refuses before it reaches the replica; a value, returned, not thrown. */
export class HttpError {
  readonly status: number;
  readonly message: string;
  constructor(status: number, message: string) {
    this.status = status;
    this.message = message;
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

export function textResponse(error: HttpError): HttpResponse {
  return { status: error.status, contentType: 'text/plain; charset=utf-8', body: error.message };
}

export function cborResponse(status: number, value: CborEncodable): HttpResponse {
  return { status, contentType: CBOR_CONTENT_TYPE, body: encodeCbor(value, { selfDescribe: true }) };
}

/** 202 Accepted with an empty body (v2 call accepted; v3/v4 call still running after the timeout). */
export function accepted(): HttpResponse {
  return { status: 202, contentType: CBOR_CONTENT_TYPE, body: new Uint8Array(0) };
}
