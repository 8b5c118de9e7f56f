// Canister calls of the PocketIC API: `RawCanisterCall` in, `RawCanisterResult` out, each routed to
// the subnet it concerns. Ingress message ids travel as base64 of the id's bytes; canister rejects
// are `{"Err": RejectResponse}` with 200.
import { UserError } from '../execution/index.ts';
import { candid, effectiveCanisterIdOf } from '../management/index.ts';
import type { Replica } from '../replica/index.ts';
import { type IngressStatus, MANAGEMENT_CANISTER, type Principal, principalEquals } from '../state/index.ts';
import { PocketIcError } from './errors.ts';
import type { PocketIcInstance } from './instance.ts';
import { bytes, encodeBase64, field, isObject, type Json, type JsonObject, object, principal, text } from './json.ts';
import { rejectOfUserError, rejectResponse } from './reject.ts';

export interface CanisterCall {
  sender: Principal;
  canisterId: Principal;
  method: string;
  arg: Uint8Array;
  effectivePrincipal: Json;
}

/** The effective principal: `"None"`, `{"SubnetId": …}` or `{"CanisterId": …}`. */
type EffectivePrincipal = { kind: 'none' } | { kind: 'subnet'; id: Principal } | { kind: 'canister'; id: Principal };

function effectivePrincipalOf(value: Json): EffectivePrincipal {
  if (value === 'None') return { kind: 'none' };
  if (isObject(value) && typeof value.SubnetId === 'string') return { kind: 'subnet', id: principal(value, 'SubnetId') };
  if (isObject(value) && typeof value.CanisterId === 'string') return { kind: 'canister', id: principal(value, 'CanisterId') };
  throw new PocketIcError(400, 'Field `effective_principal` must be "None", {"SubnetId": …} or {"CanisterId": …}');
}

export function parseCanisterCall(instance: PocketIcInstance, body: Json): CanisterCall {
  const call = object(body, 'the canister call');
  const effectivePrincipal = field(call, 'effective_principal');
  const parsed = effectivePrincipalOf(effectivePrincipal);
  if (parsed.kind === 'subnet') instance.subnet(parsed.id);
  return {
    sender: principal(call, 'sender'),
    canisterId: principal(call, 'canister_id'),
    method: text(call, 'method'),
    arg: bytes(call, 'payload'),
    effectivePrincipal,
  };
}

/** The canister a management call concerns by its Candid argument: `canister_id`, or the `specified_id` of a create call. */
function managementTarget(call: CanisterCall): Principal | undefined {
  try {
    const target = effectiveCanisterIdOf(call.method, call.arg);
    if (target) return target;
    if (call.method !== 'provisional_create_canister_with_cycles') return undefined;
    return candid.decodeManagementArg('provisional_create_canister_with_cycles', call.arg).specified_id[0];
  } catch (error) {
    // The subnet's own checks report an undecodable argument.
    if (error instanceof candid.CandidDecodeError) return undefined;
    throw error;
  }
}

/**
 * The subnet a call goes to: the named subnet; the subnet of the named canister; with "None", the
 * subnet of the canister a management call concerns (creating calls: the default subnet) or of the
 * called canister. A canister no subnet hosts is rejected as PocketIC does.
 */
export function subnetOfCall(instance: PocketIcInstance, call: CanisterCall): Replica | UserError {
  const effective = effectivePrincipalOf(call.effectivePrincipal);
  if (effective.kind === 'subnet') return instance.subnet(effective.id);
  const management = principalEquals(call.canisterId, MANAGEMENT_CANISTER);
  const target = effective.kind === 'canister' ? effective.id : management ? managementTarget(call) : call.canisterId;
  if (target === undefined) return instance.defaultSubnet;
  return instance.network.subnetOf(target) ?? new UserError('CanisterNotFound', `Canister ${target.toText()} not found`);
}

export function query(instance: PocketIcInstance, call: CanisterCall) {
  const replica = subnetOfCall(instance, call);
  if (replica instanceof UserError) return { Err: rejectOfUserError(replica, false) };
  const result = replica.query({ canisterId: call.canisterId, method: call.method, arg: call.arg, caller: call.sender });
  if (result.kind === 'reply') return { Ok: encodeBase64(result.payload) };
  return { Err: rejectResponse(result.code, result.message, result.errorCode, false) };
}

function submitted(instance: PocketIcInstance, call: CanisterCall): string | UserError {
  const replica = subnetOfCall(instance, call);
  if (replica instanceof UserError) return replica;
  return replica.submit({ sender: call.sender, receiver: call.canisterId, method: call.method, arg: call.arg });
}

export function submit(instance: PocketIcInstance, call: CanisterCall) {
  const messageId = submitted(instance, call);
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
  return resultOf(instance.ingress(messageId)!.status);
}

export function awaitIngress(instance: PocketIcInstance, body: Json) {
  return completed(instance, messageIdOf(body));
}

/** Submit and await in one request (`execute_ingress_message` of clients older than server v8). */
export async function execute(instance: PocketIcInstance, call: CanisterCall) {
  const messageId = submitted(instance, call);
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
  const status = instance.ingress(messageId)?.status;
  if (!status) return null;
  if (caller && caller.toText() !== status.sender.toText()) {
    throw new PocketIcError(403, `Forbidden(The user ${caller.toText()} is not allowed to read the status of message ${messageId}, sent by ${status.sender.toText()})`);
  }
  return resultOf(status);
}
