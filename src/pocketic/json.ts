// The PocketIC wire format: JSON whose integers keep every digit (nanosecond times and cycle amounts
// exceed 2^53), standard base64 for bytes and principals. Readers turn a malformed field into a
// PocketIcError (400) naming the field, never a thrown TypeError.
import { Principal } from '../state/index.ts';
import { PocketIcError } from './errors.ts';

export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface ReviverContext {
  source?: string;
}

/** Integers beyond 2^53 become bigints, read from their source text. */
export function parseJson(text: string): Json {
  return JSON.parse(text, (_key, value: unknown, context?: ReviverContext) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) return BigInt(context.source);
    return value;
  }) as Json;
}

const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Bigints are printed as bare integers with every digit. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? rawJson(item.toString()) : item));
}

export function parseBody(body: Uint8Array): Json {
  const text = new TextDecoder().decode(body);
  try {
    return parseJson(text);
  } catch (e) {
    throw new PocketIcError(400, `Malformed JSON body: ${(e as Error).message}`);
  }
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: Json | undefined, what: string): JsonObject {
  if (!isObject(value)) throw new PocketIcError(400, `Expected a JSON object for ${what}`);
  return value;
}

export function field(body: JsonObject, name: string): Json {
  const value = body[name];
  if (value === undefined) throw new PocketIcError(400, `Missing field \`${name}\``);
  return value;
}

export function text(body: JsonObject, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string') throw new PocketIcError(400, `Field \`${name}\` must be a string`);
  return value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(value: Json, name: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new PocketIcError(400, `Field \`${name}\` is not standard base64`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

export function bytes(body: JsonObject, name: string): Uint8Array {
  return decodeBase64(field(body, name), name);
}

export function encodeBase64(value: Uint8Array): string {
  return Buffer.from(value).toString('base64');
}

export function principal(body: JsonObject, name: string): Principal {
  const raw = bytes(body, name);
  if (raw.length > 29) throw new PocketIcError(400, `Field \`${name}\` is not a principal (${raw.length} bytes)`);
  return Principal.fromUint8Array(raw);
}

/** A principal wrapped as `{"<name>": b64}` (e.g. `{"canister_id": …}`), or bare base64. */
export function wrappedPrincipal(value: Json | undefined, name: string): Principal {
  if (typeof value === 'string') return principal({ [name]: value }, name);
  return principal(object(value, name), name);
}

export function unsigned(body: JsonObject, name: string): bigint {
  const value = field(body, name);
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new PocketIcError(400, `Field \`${name}\` must be a non-negative integer`);
}

export function principalJson(value: Principal): string {
  return encodeBase64(value.toUint8Array());
}
