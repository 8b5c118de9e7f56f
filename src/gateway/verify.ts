// Response verification, versions 1 and 2 (HTTP Gateway Protocol, "Response Verification"), by
// DFINITY's own verifier (`@dfinity/response-verification`, the ic-response-verification crate as
// wasm): the certificate against the root key and the clock, then the certified body, status and
// headers. The result is what may be served, or why nothing may.
import { ResponseVerificationError, verifyRequestResponsePair } from '@dfinity/response-verification';
import { decodeCertificate, decodeUleb128, lookupPath } from '../certification/index.ts';
import type { Principal } from '../state/index.ts';
import type { CanisterHttpRequest, HeaderField } from './candid.ts';

/** A certificate may be this far from the gateway's clock, either way (the reference gateway's 5 minutes). */
export const MAX_CERTIFICATE_SKEW_NS = 300_000_000_000n;

/** The verifier's code for a certificate that failed its own checks (signature, time, delegation). */
const CERTIFICATE_VERIFICATION_FAILED = 26;

export interface VerifiableResponse {
  readonly statusCode: number;
  readonly headers: readonly HeaderField[];
  readonly body: Uint8Array;
}

export type Verified = { readonly ok: true; readonly response: VerifiableResponse; readonly version: number } | { readonly ok: false; readonly reason: string };

export interface VerifyOptions {
  readonly canisterId: Principal;
  readonly rootKeyDer: Uint8Array;
  readonly now: bigint;
}

export function verifyResponse(request: CanisterHttpRequest, response: VerifiableResponse, options: VerifyOptions): Verified {
  let info: ReturnType<typeof verifyRequestResponsePair>;
  try {
    info = verifyRequestResponsePair(
      { method: request.method, url: request.url, headers: request.headers.map(([n, v]) => [n, v]), body: request.body, certificate_version: [2] },
      { status_code: response.statusCode, headers: response.headers.map(([n, v]) => [n, v]), body: response.body },
      options.canisterId.toUint8Array(),
      options.now,
      MAX_CERTIFICATE_SKEW_NS,
      options.rootKeyDer,
      1,
    );
  } catch (error) {
    if (error instanceof ResponseVerificationError) {
      const stale = error.code === CERTIFICATE_VERIFICATION_FAILED ? staleness(response.headers, options.now) : undefined;
      return { ok: false, reason: `${error.message} (code ${error.code})${stale ? `: ${stale}` : ''}` };
    }
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const version = info.verificationVersion;
  const certified = info.response;
  // `no_certification`: the canister certifiably skips verification, its headers pass as they are.
  if (!certified) return { ok: true, response, version };
  if (version < 2) {
    // Version 1 certifies the body only: no redirects, and no caching instruction the body did not vouch for.
    if (response.statusCode >= 300 && response.statusCode < 400) return { ok: false, reason: 'Response verification v1 does not allow redirects' };
    const headers = response.headers.filter(([name]) => name.toLowerCase() !== 'cache-control');
    return { ok: true, response: { ...response, headers }, version };
  }
  // Version 2: only what was certified is served.
  return { ok: true, response: { statusCode: response.statusCode, headers: certified.headers.map(([n, v]) => [n, v] as HeaderField), body: response.body }, version };
}

/**
 * Says so when the certificate's `/time` is too far from the clock: the verifier's own message does
 * not tell a stale certificate from a forged one, and a stale one has a cure (the replica's clock).
 */
function staleness(headers: readonly HeaderField[], now: bigint): string | undefined {
  const header = headers.find(([name]) => name.toLowerCase() === 'ic-certificate')?.[1];
  const encoded = header && /certificate=:([^:]*):/.exec(header)?.[1];
  if (!encoded) return undefined;
  try {
    const time = lookupPath(['time'], decodeCertificate(new Uint8Array(Buffer.from(encoded, 'base64'))).tree);
    if (time.status !== 'found') return undefined;
    const skew = decodeUleb128(time.value) - now;
    const magnitude = skew < 0n ? -skew : skew;
    if (magnitude <= MAX_CERTIFICATE_SKEW_NS) return undefined;
    const seconds = magnitude / 1_000_000_000n;
    return `the certificate's time is ${seconds} s ${skew < 0n ? 'behind' : 'ahead of'} the gateway's clock (at most ${MAX_CERTIFICATE_SKEW_NS / 1_000_000_000n} s allowed)`;
  } catch {
    return undefined;
  }
}
