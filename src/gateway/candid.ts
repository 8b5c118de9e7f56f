// The canister HTTP interface in Candid (HTTP Gateway Protocol, "Canister HTTP Interface"):
// `HttpRequest` in, `HttpResponse` out, and streaming callbacks whose token type belongs to the
// canister. A token is decoded as an opaque value that keeps its wire type, so it goes back to the
// canister exactly as it came.
import { IDL } from '@dfinity/candid';
import { Principal } from '../state/index.ts';

export type HeaderField = [string, string];

export interface CanisterHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly HeaderField[];
  readonly body: Uint8Array;
}

/** A token as the canister sent it: its Candid type and value, encoded again unchanged. */
export interface StreamingToken {
  readonly type: IDL.Type;
  readonly value: unknown;
}

export interface StreamingCallback {
  readonly canisterId: Principal;
  readonly method: string;
  readonly token: StreamingToken;
}

export interface CanisterHttpResponse {
  readonly statusCode: number;
  readonly headers: HeaderField[];
  readonly body: Uint8Array;
  readonly upgrade: boolean;
  readonly streaming: StreamingCallback | undefined;
}

const Header = IDL.Tuple(IDL.Text, IDL.Text);
const Bytes = IDL.Vec(IDL.Nat8);
const RequestFields = { method: IDL.Text, url: IDL.Text, headers: IDL.Vec(Header), body: Bytes };
const HttpRequest = IDL.Record({ ...RequestFields, certificate_version: IDL.Opt(IDL.Nat16) });
const HttpUpdateRequest = IDL.Record(RequestFields);
const HttpResponse = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(Header),
  body: Bytes,
  upgrade: IDL.Opt(IDL.Bool),
  streaming_strategy: IDL.Opt(IDL.Unknown),
});
const CallbackResponse = IDL.Opt(IDL.Record({ body: Bytes, token: IDL.Opt(IDL.Unknown) }));

// Field ids of an opaque value's hashed labels (`Callback`, `callback`, `token`).
const CALLBACK_VARIANT = '_1488475621_';
const CALLBACK_FUNC = '_2131139013_';
const TOKEN = '_338395897_';

/** The argument of `http_request` (with `certificate_version`) or `http_request_update` (without). */
export function encodeHttpRequest(request: CanisterHttpRequest, certificateVersion: number | undefined): Uint8Array {
  const fields = { method: request.method, url: request.url, headers: request.headers, body: request.body };
  if (certificateVersion === undefined) return new Uint8Array(IDL.encode([HttpUpdateRequest], [fields]));
  return new Uint8Array(IDL.encode([HttpRequest], [{ ...fields, certificate_version: [certificateVersion] }]));
}

interface DecodedResponse {
  status_code: number;
  headers: HeaderField[];
  body: Uint8Array | number[];
  upgrade: [] | [boolean];
  streaming_strategy: [] | [OpaqueValue];
}

type OpaqueValue = Record<string, unknown> & { type(): IDL.Type };

export function decodeHttpResponse(reply: Uint8Array): CanisterHttpResponse {
  const [decoded] = IDL.decode([HttpResponse], reply) as unknown as [DecodedResponse];
  return {
    statusCode: decoded.status_code,
    headers: decoded.headers.map(([name, value]) => [name, value]),
    body: bytesOf(decoded.body),
    upgrade: decoded.upgrade[0] === true,
    streaming: decoded.streaming_strategy[0] && callbackOf(decoded.streaming_strategy[0]),
  };
}

/** `vec nat8` decodes to a Uint8Array already: copying it byte by byte would cost more than the call. */
function bytesOf(value: Uint8Array | number[]): Uint8Array {
  return value instanceof Uint8Array ? value : Uint8Array.from(value);
}

function callbackOf(strategy: OpaqueValue): StreamingCallback {
  const callback = strategy[CALLBACK_VARIANT] as Record<string, unknown> | undefined;
  if (!callback) throw new Error('streaming_strategy is not a Callback');
  const [canisterId, method] = callback[CALLBACK_FUNC] as [Principal, string];
  const variant = unwrap(strategy.type()) as IDL.VariantClass;
  const record = unwrap(fieldType(variant, CALLBACK_VARIANT)) as IDL.RecordClass;
  return { canisterId: Principal.fromUint8Array(canisterId.toUint8Array()), method, token: { type: fieldType(record, TOKEN), value: callback[TOKEN] } };
}

function unwrap(type: IDL.Type): IDL.Type {
  return type instanceof IDL.RecClass ? unwrap(type.getType() as IDL.Type) : type;
}

function fieldType(type: IDL.RecordClass | IDL.VariantClass, field: string): IDL.Type {
  const found = type._fields.find(([name]) => name === field);
  if (!found) throw new Error(`streaming_strategy has no field ${field}`);
  return found[1];
}

export function encodeToken(token: StreamingToken): Uint8Array {
  return new Uint8Array(IDL.encode([token.type], [token.value]));
}

/** A callback's reply: the next chunk, and the next token if there are more. */
export function decodeCallbackResponse(reply: Uint8Array): { body: Uint8Array; token: StreamingToken | undefined } {
  const [decoded] = IDL.decode([CallbackResponse], reply) as unknown as [[] | [{ body: Uint8Array | number[]; token: [] | [OpaqueValue] }]];
  const chunk = decoded[0];
  if (!chunk) return { body: new Uint8Array(0), token: undefined };
  const next = chunk.token[0];
  return { body: bytesOf(chunk.body), token: next === undefined ? undefined : { type: next.type(), value: next } };
}
