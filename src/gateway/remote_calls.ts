// How the gateway reaches a canister of a replica elsewhere, over the replica's HTTP interface
// (interface spec, section 'HTTPS Interface'): anonymous CBOR envelopes, queries at
// `/api/v2/canister/<id>/query`, update calls at `/api/v3/canister/<id>/call` (synchronous; polled
// through `read_state` if the replica answers 202), replies read from a certificate verified
// against the replica's root key.
import { randomBytes } from 'node:crypto';
import { ANONYMOUS_ID, decodeCbor, decodeUleb128, encodeCbor, isCborMap, lookupPath, requestIdOf, verifyCertificate, type CborMap } from '../certification/index.ts';
import type { CallResult, Principal, RejectCode } from '../state/index.ts';
import type { CanisterCalls } from './canister_calls.ts';

/** Reject code of a call that did not complete (interface spec, "Reject codes"). */
const SYS_TRANSIENT = 2;
const POLL_MS = 100;
/** A request's expiry: the replica's MAX_INGRESS_TTL is 5 minutes. */
const EXPIRY_NS = 4n * 60n * 1_000_000_000n;

async function post(url: string, body: Uint8Array): Promise<{ status: number; value: CborMap | undefined; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: Buffer.from(body) });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let value: CborMap | undefined;
  try {
    const decoded = decodeCbor(bytes);
    value = isCborMap(decoded) ? decoded : undefined;
  } catch {
    value = undefined;
  }
  return { status: response.status, value, text: new TextDecoder().decode(bytes) };
}

function content(type: 'query' | 'call', canisterId: Principal, method: string, arg: Uint8Array) {
  return {
    request_type: type,
    canister_id: canisterId.toUint8Array(),
    method_name: method,
    arg,
    sender: ANONYMOUS_ID,
    ingress_expiry: BigInt(Date.now()) * 1_000_000n + EXPIRY_NS,
    nonce: new Uint8Array(randomBytes(8)),
  };
}

function text(value: unknown): string {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : typeof value === 'string' ? value : '';
}

/** A reject in an answer's CBOR map (`reject_code`, `reject_message`, `error_code`). */
function rejectOf(map: CborMap): CallResult {
  const errorCode = map.get('error_code');
  return { kind: 'reject', code: rejectCode(map.get('reject_code')), message: text(map.get('reject_message')), errorCode: typeof errorCode === 'string' ? errorCode : undefined };
}

/** A reject code as received; one outside the spec's 1–6 is the replica's failure, a transient one. */
function rejectCode(value: unknown): RejectCode {
  const code = Number(value);
  return Number.isInteger(code) && code >= 1 && code <= 6 ? (code as RejectCode) : SYS_TRANSIENT;
}

function failure(message: string): CallResult {
  return { kind: 'reject', code: SYS_TRANSIENT, message };
}

/** The request's outcome in a verified certificate, or undefined while it is not terminal. */
function outcomeIn(certificate: Uint8Array, requestId: Uint8Array, rootKeyDer: Uint8Array): CallResult | undefined {
  const verified = verifyCertificate(certificate, rootKeyDer);
  if (!verified.ok) return failure(`The replica's certificate does not verify: ${verified.message}`);
  const tree = verified.certificate.tree;
  const leaf = (name: string): Uint8Array | undefined => {
    const found = lookupPath(['request_status', requestId, name], tree);
    return found.status === 'found' ? found.value : undefined;
  };
  const status = text(leaf('status'));
  if (status === 'replied') return { kind: 'reply', payload: leaf('reply') ?? new Uint8Array() };
  if (status !== 'rejected') return undefined;
  const code = leaf('reject_code');
  const errorCode = leaf('error_code');
  return { kind: 'reject', code: code ? rejectCode(decodeUleb128(code)) : SYS_TRANSIENT, message: text(leaf('reject_message')), errorCode: errorCode && text(errorCode) };
}

/** Polls `read_state` for the request's status until it is terminal or `deadline` (ms) passes. */
async function poll(base: string, canisterId: Principal, requestId: Uint8Array, rootKeyDer: Uint8Array, deadline: number): Promise<CallResult> {
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const readState = { request_type: 'read_state', paths: [[new TextEncoder().encode('request_status'), requestId]], sender: ANONYMOUS_ID, ingress_expiry: BigInt(Date.now()) * 1_000_000n + EXPIRY_NS };
    const answer = await post(`${base}/api/v2/canister/${canisterId.toText()}/read_state`, encodeCbor({ content: readState }, { selfDescribe: true }));
    const certificate = answer.value?.get('certificate');
    if (!(certificate instanceof Uint8Array)) return failure(`read_state answered ${answer.status}: ${answer.text}`);
    const outcome = outcomeIn(certificate, requestId, rootKeyDer);
    if (outcome) return outcome;
  }
  return failure('The update call did not complete in time');
}

/** Calls to the replica whose HTTP interface is at `base` (no trailing slash). */
export function remoteCalls(base: string, rootKeyDer: Uint8Array, timeoutMs: number): CanisterCalls {
  return {
    query: async (canisterId, method, arg) => {
      const request = content('query', canisterId, method, arg);
      const answer = await post(`${base}/api/v2/canister/${canisterId.toText()}/query`, encodeCbor({ content: request }, { selfDescribe: true }));
      if (!answer.value) return failure(`The replica answered ${answer.status}: ${answer.text}`);
      if (answer.value.get('status') !== 'replied') return rejectOf(answer.value);
      const reply = answer.value.get('reply');
      const payload = isCborMap(reply) ? reply.get('arg') : undefined;
      return payload instanceof Uint8Array ? { kind: 'reply', payload } : failure('The replica answered a query without a reply');
    },
    update: async (canisterId, method, arg) => {
      const request = content('call', canisterId, method, arg);
      const requestId = requestIdOf(request);
      const answer = await post(`${base}/api/v3/canister/${canisterId.toText()}/call`, encodeCbor({ content: request }, { selfDescribe: true }));
      const deadline = Date.now() + timeoutMs;
      if (answer.status === 202) return poll(base, canisterId, requestId, rootKeyDer, deadline);
      if (!answer.value) return failure(`The replica answered ${answer.status}: ${answer.text}`);
      const certificate = answer.value.get('certificate');
      if (!(certificate instanceof Uint8Array)) return rejectOf(answer.value);
      return outcomeIn(certificate, requestId, rootKeyDer) ?? poll(base, canisterId, requestId, rootKeyDer, deadline);
    },
  };
}

/** The root key the replica at `base` reports in `/api/v2/status` (as agents' fetchRootKey reads it). */
export async function fetchRootKey(base: string): Promise<Uint8Array> {
  const response = await fetch(`${base}/api/v2/status`);
  const status = decodeCbor(new Uint8Array(await response.arrayBuffer()));
  const rootKey = isCborMap(status) ? status.get('root_key') : undefined;
  if (!(rootKey instanceof Uint8Array)) throw new Error(`${base}/api/v2/status carries no root_key`);
  return rootKey;
}
