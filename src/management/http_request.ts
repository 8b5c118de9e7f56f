// The management canister's http_request (interface spec, section 'IC method http_request'): the call
// is checked and charged, then waits in the subnet state until an answer is given between rounds
// (a mock, or a real fetch by the replica); the next round transforms the answer and responds.
import { IDL } from '@dfinity/candid';
import { executeTransform, httpRequestFee, respondTo, type RoundContext, UserError } from '../execution/index.ts';
import {
  type CallResult,
  getCanister,
  type HttpOutcallAnswer,
  type HttpOutcallMethod,
  type HttpOutcallReplicaAnswer,
  type HttpOutcallRequest,
  MANAGEMENT_CANISTER,
  type PendingHttpOutcall,
  principalEquals,
  REJECT,
  type RejectCode,
  type SubnetState,
} from '../state/index.ts';
import { type ArgOf, encodeManagementResult } from './candid/index.ts';
import { transform_args } from './candid/types.ts';
import type { ManagementCall, ManagementContext } from './context.ts';

/** The replica's limits on requests and responses (MAX_CANISTER_HTTP_*). */
export const MAX_HTTP_REQUEST_BYTES = 2_000_000n;
export const MAX_HTTP_RESPONSE_BYTES = 2_000_000n;
const MAX_URL_LENGTH = 8192;
const MAX_HEADERS = 64;
const MAX_HEADER_PART_BYTES = 8 * 1024;
const MAX_HEADERS_TOTAL_BYTES = 48 * 1024;
/** Methods that change the server may be sent only once, by one replica (interface spec). */
const NON_REPLICATED_ONLY = new Set<HttpOutcallMethod>(['PUT', 'DELETE', 'PATCH']);

const METHODS: Record<string, HttpOutcallMethod> = { get: 'GET', head: 'HEAD', post: 'POST', put: 'PUT', delete: 'DELETE', patch: 'PATCH' };

function utf8Length(text: string): bigint {
  return BigInt(Buffer.byteLength(text, 'utf8'));
}

/** The replica's request size: url, headers, body and transform (method name and context). */
function requestSize(request: HttpOutcallRequest): bigint {
  let size = utf8Length(request.url) + BigInt(request.body.length);
  for (const header of request.headers) size += utf8Length(header.name) + utf8Length(header.value);
  if (request.transform) size += utf8Length(request.transform.method) + BigInt(request.transform.context.length);
  return size;
}

function requestOf(arg: ArgOf<'http_request'>): HttpOutcallRequest {
  const transform = arg.transform[0];
  return {
    url: arg.url,
    method: METHODS[Object.keys(arg.method)[0]!]!,
    headers: arg.headers.map(({ name, value }) => ({ name, value })),
    body: arg.body[0] ?? new Uint8Array(0),
    maxResponseBytes: arg.max_response_bytes[0],
    transform: transform ? { method: transform.function[1], context: transform.context } : undefined,
  };
}

function refused(message: string): UserError {
  return new UserError('CanisterRejectedMessage', message);
}

function invalidHeaders(request: HttpOutcallRequest): UserError | undefined {
  if (request.headers.length > MAX_HEADERS) return refused(`number of headers ${request.headers.length} exceeds the limit of ${MAX_HEADERS}`);
  let total = 0n;
  for (const { name, value } of request.headers) {
    const nameBytes = utf8Length(name);
    const valueBytes = utf8Length(value);
    if (nameBytes > MAX_HEADER_PART_BYTES) return refused(`header name ${name.slice(0, 64)}… of ${nameBytes} bytes exceeds the limit of ${MAX_HEADER_PART_BYTES} bytes`);
    if (valueBytes > MAX_HEADER_PART_BYTES) return refused(`value of header ${name} of ${valueBytes} bytes exceeds the limit of ${MAX_HEADER_PART_BYTES} bytes`);
    total += nameBytes + valueBytes;
  }
  if (total > MAX_HEADERS_TOTAL_BYTES) return refused(`headers of ${total} bytes exceed the limit of ${MAX_HEADERS_TOTAL_BYTES} bytes`);
  return undefined;
}

function invalidRequest(call: ManagementCall, arg: ArgOf<'http_request'>, request: HttpOutcallRequest): UserError | undefined {
  if (request.url.length > MAX_URL_LENGTH) return refused(`url size ${request.url.length} exceeds the limit of ${MAX_URL_LENGTH} characters`);
  const headers = invalidHeaders(request);
  if (headers) return headers;
  if (NON_REPLICATED_ONLY.has(request.method) && arg.is_replicated[0] !== false) {
    return refused(`http_request method ${request.method} is allowed only for non-replicated outcalls (is_replicated = opt false)`);
  }
  const max = request.maxResponseBytes;
  if (max !== undefined && max > MAX_HTTP_RESPONSE_BYTES) {
    return refused(`max_response_bytes expected to be in the range [0..${MAX_HTTP_RESPONSE_BYTES}], got ${max}`);
  }
  const size = requestSize(request);
  if (size > MAX_HTTP_REQUEST_BYTES) return refused(`http_request request size ${size} exceeds the limit of ${MAX_HTTP_REQUEST_BYTES} bytes`);
  const owner = arg.transform[0]?.function[0];
  if (owner && !principalEquals(owner, call.sender)) {
    return refused(`transform needs to be exported by the calling canister ${call.sender.toText()}, but it belongs to ${owner.toText()}`);
  }
  return undefined;
}

/** Checks and charges the call and records the outcall; its answer comes in a later round. */
export function httpRequest(context: ManagementContext, call: ManagementCall, arg: ArgOf<'http_request'>): UserError | 'deferred' {
  const request = requestOf(arg);
  const invalid = invalidRequest(call, arg, request);
  if (invalid) return invalid;
  const fee = httpRequestFee(context.round.env, requestSize(request), request.maxResponseBytes ?? MAX_HTTP_RESPONSE_BYTES);
  if (call.cycles < fee) return refused(`http_request request sent with ${call.cycles} cycles, but ${fee} cycles are required.`);
  const canister = getCanister(context.state, call.sender);
  if (canister) canister.consumed.httpOutcalls += fee;
  const outcalls = context.state.httpOutcalls;
  outcalls.pending.push({ id: outcalls.nextId, canisterId: call.sender, request, origin: call.origin, refund: call.cycles - fee, answer: undefined });
  outcalls.nextId += 1n;
  return 'deferred';
}

/** Records the answer of a pending outcall (between rounds); false if there is no such unanswered outcall. */
export function answerHttpOutcall(state: SubnetState, id: bigint, answer: HttpOutcallAnswer): boolean {
  const outcall = state.httpOutcalls.pending.find((pending) => pending.id === id);
  if (!outcall || outcall.answer) return false;
  outcall.answer = answer;
  return true;
}

function fatal(message: string): CallResult {
  return { kind: 'reject', code: REJECT.SYS_FATAL, message };
}

/** The response's size as the replica counts it against max_response_bytes: headers, then body. */
function oversized(answer: Extract<HttpOutcallReplicaAnswer, { kind: 'response' }>, max: bigint): CallResult | undefined {
  let headers = 0n;
  for (const header of answer.headers) headers += utf8Length(header.name) + utf8Length(header.value);
  if (headers > max) return fatal(`Header size exceeds specified response size limit ${max}`);
  if (headers + BigInt(answer.body.length) > max) return fatal(`Http body exceeds size limit of ${max} bytes.`);
  return undefined;
}

function resultOf(round: RoundContext, state: SubnetState, outcall: PendingHttpOutcall, answer: HttpOutcallReplicaAnswer): CallResult {
  if (answer.kind === 'reject') return { kind: 'reject', code: answer.code as RejectCode, message: answer.message };
  const max = outcall.request.maxResponseBytes ?? MAX_HTTP_RESPONSE_BYTES;
  const tooLarge = oversized(answer, max);
  if (tooLarge) return tooLarge;
  const response = { status: BigInt(answer.status), headers: answer.headers, body: answer.body };
  const transform = outcall.request.transform;
  if (!transform) return { kind: 'reply', payload: encodeManagementResult('http_request', response) };
  const canister = getCanister(state, outcall.canisterId);
  if (!canister) return fatal(`Canister ${outcall.canisterId.toText()} not found`);
  const arg = new Uint8Array(IDL.encode([transform_args], [{ response, context: transform.context }]));
  const transformed = executeTransform(round.env, canister, transform.method, arg);
  if (transformed.kind === 'reject') return transformed;
  if (BigInt(transformed.payload.length) > max) return fatal(`Transformed http response exceeds limit: ${max}`);
  return transformed;
}

function sameResult(a: CallResult, b: CallResult): boolean {
  if (a.kind === 'reply' && b.kind === 'reply') return Buffer.from(a.payload).equals(b.payload);
  return a.kind === 'reject' && b.kind === 'reject' && a.code === b.code && a.message === b.message;
}

/** Each replica's answer goes through the transform; they must then agree, as consensus requires. */
function agreedResult(round: RoundContext, state: SubnetState, outcall: PendingHttpOutcall, answer: HttpOutcallAnswer): CallResult {
  if (answer.kind !== 'perReplica') return resultOf(round, state, outcall, answer);
  const results = answer.answers.map((each) => resultOf(round, state, outcall, each));
  const first = results[0]!;
  if (results.every((result) => sameResult(result, first))) return first;
  return { kind: 'reject', code: REJECT.SYS_TRANSIENT, message: 'No consensus could be reached. Replicas had different responses.' };
}

/** Answers, in id order, every outcall answered since the last round. */
export function deliverHttpOutcalls(context: ManagementContext): void {
  const outcalls = context.state.httpOutcalls;
  if (!outcalls.pending.some((outcall) => outcall.answer)) return;
  const answered = outcalls.pending.filter((outcall) => outcall.answer);
  outcalls.pending = outcalls.pending.filter((outcall) => !outcall.answer);
  for (const outcall of answered) {
    const result = agreedResult(context.round, context.state, outcall, outcall.answer!);
    respondTo(context.round, outcall.origin, MANAGEMENT_CANISTER, result, outcall.refund);
  }
}
