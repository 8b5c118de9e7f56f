// Canister calls of the PocketIC API: `RawCanisterCall` in, `RawCanisterResult` out. Ingress message
// ids travel as base64 of the id's bytes; canister rejects are `{"Err": RejectResponse}` with 200.
import { UserError } from '../execution/index.ts';
import type { IngressStatus, Principal } from '../state/index.ts';
import { PocketIcError } from './errors.ts';
import type { PocketIcInstance } from './instance.ts';
import { bytes, encodeBase64, field, isObject, type Json, type JsonObject, object, principal, text } from './json.ts';
import { rejectOfUserError, rejectResponse } from './reject.ts';
import { subnetId } from './topology.ts';

export interface CanisterCall {
  sender: Principal;
  canisterId: Principal;
  method: string;
  arg: Uint8Array;
  effectivePrincipal: Json;
}

/**
 * The effective principal: `"None"` (routed by the Candid `canister_id` of a management call),
 * `{"SubnetId": …}` or `{"CanisterId": …}`. A subnet other than the instance's is refused.
 */
function checkEffectivePrincipal(instance: PocketIcInstance, value: Json): void {
  if (value === 'None') return;
  if (isObject(value) && typeof value.SubnetId === 'string') {
    const subnet = principal(value, 'SubnetId');
    if (subnet.toText() !== subnetId(instance).toText()) throw new PocketIcError(400, `SubnetNotFound(${subnet.toText()})`);
    return;
  }
  if (isObject(value) && typeof value.CanisterId === 'string') {
    principal(value, 'CanisterId');
    return;
  }
  throw new PocketIcError(400, 'Field `effective_principal` must be "None", {"SubnetId": …} or {"CanisterId": …}');
}

export function parseCanisterCall(instance: PocketIcInstance, body: Json): CanisterCall {
  const call = object(body, 'the canister call');
  const effectivePrincipal = field(call, 'effective_principal');
  checkEffectivePrincipal(instance, effectivePrincipal);
  return {
    sender: principal(call, 'sender'),
    canisterId: principal(call, 'canister_id'),
    method: text(call, 'method'),
    arg: bytes(call, 'payload'),
    effectivePrincipal,
  };
}

export function query(instance: PocketIcInstance, call: CanisterCall) {
  const result = instance.replica.query({ canisterId: call.canisterId, method: call.method, arg: call.arg, caller: call.sender });
  if (result.kind === 'reply') return { Ok: encodeBase64(result.payload) };
  return { Err: rejectResponse(result.code, result.message, result.errorCode, false) };
}

export function submit(instance: PocketIcInstance, call: CanisterCall) {
  const messageId = instance.replica.submit({ sender: call.sender, receiver: call.canisterId, method: call.method, arg: call.arg });
  if (messageId instanceof UserError) return { Err: rejectOfUserError(messageId, false) };
  return { Ok: { effective_principal: call.effectivePrincipal, message_id: encodeBase64(Buffer.from(messageId, 'hex')) } };
}

/** The hex id of a `RawMessageId`. */
export function messageIdOf(value: Json): string {
  const raw = object(value, 'the message id');
  return Buffer.from(bytes(raw, 'message_id')).toString('hex');
}

export function resultOf(status: IngressStatus) {
  if (status.status === 'replied') return { Ok: encodeBase64(status.reply) };
  if (status.status === 'rejected') return { Err: rejectResponse(status.code, status.message, status.errorCode, true) };
  if (status.status === 'done') return { Err: rejectResponse(2, 'The result of this message was already pruned from the ingress history', undefined, true) };
  return null;
}

async function completed(instance: PocketIcInstance, messageId: string) {
  await instance.awaitIngress(messageId);
  return resultOf(instance.replica.ingressStatus(messageId)!);
}

export function awaitIngress(instance: PocketIcInstance, body: Json) {
  return completed(instance, messageIdOf(body));
}

/** Submit and await in one request (`execute_ingress_message` of clients older than server v8). */
export async function execute(instance: PocketIcInstance, call: CanisterCall) {
  const messageId = instance.replica.submit({ sender: call.sender, receiver: call.canisterId, method: call.method, arg: call.arg });
  if (messageId instanceof UserError) return { Err: rejectOfUserError(messageId, false) };
  return completed(instance, messageId);
}

/** `raw_caller` may be `{"principal_id": b64}` or, as some clients send it, bare base64. */
function callerOf(body: JsonObject): Principal | undefined {
  const caller = body.raw_caller;
  if (caller === undefined || caller === null) return undefined;
  return typeof caller === 'string' ? principal({ raw_caller: caller }, 'raw_caller') : principal(object(caller, 'raw_caller'), 'principal_id');
}

/** null until the message completes; 403 if `raw_caller` did not send it. */
export function ingressStatus(instance: PocketIcInstance, body: Json) {
  const request = object(body, 'the ingress status request');
  const messageId = messageIdOf(field(request, 'raw_message_id'));
  const caller = callerOf(request);
  const status = instance.replica.ingressStatus(messageId);
  if (!status) return null;
  if (caller && caller.toText() !== status.sender.toText()) {
    throw new PocketIcError(403, `Forbidden(The user ${caller.toText()} is not allowed to read the status of message ${messageId}, sent by ${status.sender.toText()})`);
  }
  return resultOf(status);
}
