// Canister HTTP outcalls in PocketIC's REST shapes: `get_canister_http` lists the pending ones,
// `mock_canister_http` answers one, with one response for the subnet or one per replica; errors
// are worded as PocketIC's.
import type { HttpOutcallAnswer, HttpOutcallReplicaAnswer } from '../state/index.ts';
import { PocketIcError } from './errors.ts';
import type { PocketIcInstance } from './instance.ts';
import { bytes, encodeBase64, field, isObject, type Json, type JsonObject, object, principalJson, text, unsigned, wrappedPrincipal } from './json.ts';
import type { Replica } from '../replica/index.ts';

/** `[RawCanisterHttpRequest…]`: every subnet's, in the subnets' order, oldest first. */
export function getCanisterHttp(instance: PocketIcInstance) {
  return instance.network.subnets.flatMap((replica) => pendingOf(instance, replica));
}

function pendingOf(instance: PocketIcInstance, replica: Replica) {
  const subnet = { subnet_id: principalJson(replica.state.config.subnetId) };
  // In live mode an outcall being fetched is no longer offered for mocking, as in PocketIC.
  const waiting = replica.pendingHttpOutcalls().filter(({ id }) => !instance.isFetching(replica, id));
  return waiting.map(({ id, request }) => ({
    subnet_id: subnet,
    request_id: id,
    http_method: request.method,
    url: request.url,
    headers: request.headers.map(({ name, value }) => ({ name, value })),
    body: encodeBase64(request.body),
    max_response_bytes: request.maxResponseBytes ?? null,
  }));
}

function headerList(value: Json): { name: string; value: string }[] {
  if (!Array.isArray(value)) throw new PocketIcError(400, 'Field `headers` must be an array');
  return value.map((header) => {
    const entry = object(header, 'a header');
    return { name: text(entry, 'name'), value: text(entry, 'value') };
  });
}

/** `{"CanisterHttpReply": {status, headers, body}}` or `{"CanisterHttpReject": {reject_code, message}}`. */
function replicaAnswer(value: Json): HttpOutcallReplicaAnswer {
  const response = object(value, 'a canister HTTP response');
  if (isObject(response.CanisterHttpReply)) {
    const reply = response.CanisterHttpReply;
    const status = unsigned(reply, 'status');
    if (status > 0xffffn) throw new PocketIcError(400, `Field \`status\` must be a u16, not ${status}`);
    return { kind: 'response', status: Number(status), headers: headerList(field(reply, 'headers')), body: bytes(reply, 'body') };
  }
  if (isObject(response.CanisterHttpReject)) {
    const reject = response.CanisterHttpReject;
    const code = unsigned(reject, 'reject_code');
    if (code < 1n || code > 6n) throw new PocketIcError(400, `InvalidRejectCode(${code})`);
    return { kind: 'reject', code: Number(code), message: text(reject, 'message') };
  }
  throw new PocketIcError(400, 'A canister HTTP response is `CanisterHttpReply` or `CanisterHttpReject`');
}

function answerOf(replica: Replica, request: JsonObject): HttpOutcallAnswer {
  const first = replicaAnswer(field(request, 'response'));
  const additional = request.additional_responses ?? [];
  if (!Array.isArray(additional)) throw new PocketIcError(400, 'Field `additional_responses` must be an array');
  if (additional.length === 0) return first;
  const nodes = replica.state.config.subnetSize;
  if (additional.length + 1 !== nodes) throw new PocketIcError(400, `InvalidMockCanisterHttpResponses(actual=${additional.length + 1},expected=${nodes})`);
  return { kind: 'perReplica', answers: [first, ...additional.map(replicaAnswer)] };
}

/** Answers a pending outcall; the next round runs the canister's transform and delivers the result. */
export function mockCanisterHttp(instance: PocketIcInstance, body: Json): null {
  const request = object(body, 'the mock');
  const subnet = wrappedPrincipal(field(request, 'subnet_id'), 'subnet_id');
  const replica = instance.subnet(subnet);
  const id = unsigned(request, 'request_id');
  if (!replica.answerHttpOutcall(id, answerOf(replica, request))) {
    throw new PocketIcError(400, `InvalidCanisterHttpRequestId(${subnet.toText()},${id})`);
  }
  return null;
}
