// Candid codec of the management canister (`aaaaa-aa`): one call per method to decode an
// argument / encode a result (replica side) or the reverse (clients, tests).
//
// Leniency (the Candid specification): decoding relies on @dfinity/candid's subtyping, which accepts
// records missing `opt` fields (→ []), skips extra wire fields, turns `opt` values of a
// mismatching type into [] and decodes `upgrade` sent without payload (`null`/`reserved`) to
// `{ upgrade: [] }`. Older shapes that are not subtypes are handled by LEGACY_ARG_SHAPES.

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  LEGACY_ARG_SHAPES,
  MANAGEMENT_METHODS,
  type ArgOf,
  type ManagementMethod,
  type MethodSpec,
  type ResultOf,
} from './methods.ts';

export * from './interfaces.ts';
export {
  LEGACY_ARG_SHAPES,
  MANAGEMENT_METHODS,
  type ArgOf,
  type LegacyArgShape,
  type ManagementArgs,
  type ManagementMethod,
  type ManagementResults,
  type MethodSpec,
  type ResultOf,
} from './methods.ts';
export * as ManagementIdl from './types.ts';

/** Bytes that are not a valid Candid message of the method's argument (or result) type. */
export class CandidDecodeError extends Error {
  override readonly name = 'CandidDecodeError';
  readonly method: string;

  constructor(method: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.method = method;
  }
}

/** A JS value that does not fit the method's Candid type (a programming error). */
export class CandidEncodeError extends Error {
  override readonly name = 'CandidEncodeError';
  readonly method: string;

  constructor(method: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.method = method;
  }
}

/** The management canister's own id, `aaaaa-aa` (the empty principal). */
export const MANAGEMENT_CANISTER_ID: Principal = Principal.fromUint8Array(new Uint8Array(0));

export function isManagementMethod(name: string): name is ManagementMethod {
  return Object.hasOwn(MANAGEMENT_METHODS, name);
}

export function isManagementQueryMethod(name: string): boolean {
  return isManagementMethod(name) && MANAGEMENT_METHODS[name].query;
}

function spec(method: string): MethodSpec {
  if (!isManagementMethod(method)) {
    throw new CandidDecodeError(method, `unknown management canister method '${method}'`);
  }
  return MANAGEMENT_METHODS[method];
}

const typesOf = (t: IDL.Type | null): IDL.Type[] => (t === null ? [] : [t]);

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function decodeOne(t: IDL.Type | null, bytes: Uint8Array): unknown {
  // @dfinity/candid reads `bytes.buffer` from offset 0, so a view into a larger buffer is copied first.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const values = IDL.decode(typesOf(t), whole);
  return t === null ? null : values[0];
}

function encodeOne(
  method: string,
  what: 'argument' | 'result',
  t: IDL.Type | null,
  value: unknown,
): Uint8Array {
  try {
    return IDL.encode(typesOf(t), t === null ? [] : [value]);
  } catch (e) {
    throw new CandidEncodeError(
      method,
      `${method}: cannot encode ${what}: ${errorMessage(e)}`,
      { cause: e },
    );
  }
}

/**
 * Decode the Candid argument of a management method, accepting older client shapes.
 * @throws CandidDecodeError if the bytes do not decode at the current or a legacy shape.
 */
export function decodeManagementArg<M extends ManagementMethod>(
  method: M,
  bytes: Uint8Array,
): ArgOf<M> {
  const known = decoded.get(bytes);
  if (known?.method === method) return known.value as ArgOf<M>;
  const value = decodeArgument(method, bytes);
  decoded.set(bytes, { method, value });
  return value;
}

/**
 * A message's argument is decoded once, however many stages read it (effective canister id at
 * submission, dispatch at execution): messages never change their argument bytes, and readers never
 * change the decoded value.
 */
const decoded = new WeakMap<Uint8Array, { method: string; value: unknown }>();

function decodeArgument<M extends ManagementMethod>(method: M, bytes: Uint8Array): ArgOf<M> {
  const s = spec(method);
  try {
    return decodeOne(s.arg, bytes) as ArgOf<M>;
  } catch (e) {
    for (const legacy of LEGACY_ARG_SHAPES[method] ?? []) {
      try {
        return legacy.normalize(decodeOne(legacy.type, bytes)) as ArgOf<M>;
      } catch {
        // try the next shape; report the error of the current shape
      }
    }
    throw new CandidDecodeError(
      method,
      `${method}: invalid Candid argument: ${errorMessage(e)}`,
      { cause: e },
    );
  }
}

/** Encode the result of a management method (`null` for methods returning `()`). */
export function encodeManagementResult<M extends ManagementMethod>(
  method: M,
  value: ResultOf<M>,
): Uint8Array {
  return encodeOne(method, 'result', spec(method).result, value);
}

/** Encode the argument of a management method (`null` for methods taking `()`). */
export function encodeManagementArg<M extends ManagementMethod>(
  method: M,
  value: ArgOf<M>,
): Uint8Array {
  return encodeOne(method, 'argument', spec(method).arg, value);
}

/**
 * Decode the result of a management method.
 * @throws CandidDecodeError
 */
export function decodeManagementResult<M extends ManagementMethod>(
  method: M,
  bytes: Uint8Array,
): ResultOf<M> {
  const s = spec(method);
  try {
    return decodeOne(s.result, bytes) as ResultOf<M>;
  } catch (e) {
    throw new CandidDecodeError(
      method,
      `${method}: invalid Candid result: ${errorMessage(e)}`,
      { cause: e },
    );
  }
}

/**
 * The effective canister id carried by a management call's argument (interface spec, section 'Effective canister id'):
 * `target_canister` for install_chunked_code, else the argument's (non-opt) `canister_id`.
 * Returns null when the method has no such field (create_canister,
 * provisional_create_canister_with_cycles, raw_rand, http_request, the threshold-key methods,
 * subnet_info, list_canisters, …) or is not a management method; the HTTP layer decides
 * whether null means "any id allowed" or "reject".
 * @throws CandidDecodeError if the method is known and the argument does not decode.
 */
export function effectiveCanisterIdOf(method: string, argBytes: Uint8Array): Principal | null {
  if (!isManagementMethod(method)) return null;
  const arg = decodeManagementArg(method, argBytes);
  if (arg === null || typeof arg !== 'object') return null;
  const id =
    method === 'install_chunked_code'
      ? (arg as ArgOf<'install_chunked_code'>).target_canister
      : (arg as { canister_id?: unknown }).canister_id;
  return id instanceof Principal ? id : null;
}
