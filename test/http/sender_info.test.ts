// sender_info over the HTTP interface: a canister that signs for its users (as Internet Identity
// does, with canister signatures) attaches data to a request; the called canister reads it and the
// signer's id with ic0.msg_caller_info_* in updates, queries, callbacks and canister_inspect_message.
// Requests whose sender is not a canister-signature key, whose signer is another canister or whose
// info is not the signed one are refused with 400, and callers without sender_info see empty values.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import {
  buildHashTree,
  type CborValue,
  domainSeparators,
  encodeCbor,
  encodeSubjectPublicKeyInfo,
  hashTreeToCbor,
  labeledLeaf,
  labeledNode,
  OID,
  reconstruct,
  requestIdOf,
  selfAuthenticatingId,
} from '../../src/certification/index.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';
import { wat } from '../support/build.ts';
import { callContent, certifiedValue, EMPTY_ARG, envelope, post, TestKey } from './_envelopes.ts';

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

/** `certify` sets the certified data to its 32-byte argument; the query `certificate` answers its data certificate. */
const SIGNER = `(module
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "certified_data_set" (func $certify (param i32 i32)))
  (import "ic0" "data_certificate_size" (func $cert_size (result i32)))
  (import "ic0" "data_certificate_copy" (func $cert_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1)
  (func (export "canister_update certify")
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 32))
    (call $certify (i32.const 0) (i32.const 32))
    (call $reply))
  (func (export "canister_query certificate")
    (call $cert_copy (i32.const 0) (i32.const 0) (call $cert_size))
    (call $append (i32.const 0) (call $cert_size))
    (call $reply)))`;

/**
 * `who` (update) and `who_q` (query) answer [data size: u32 LE][caller info data][caller info signer];
 * `relay` calls the canister's own `noop` and answers the same from its reply callback. Its
 * canister_inspect_message refuses `relay` (the only 5-letter update) from callers without caller info.
 */
const TARGET = `(module
  (import "ic0" "msg_caller_info_data_size" (func $data_size (result i32)))
  (import "ic0" "msg_caller_info_data_copy" (func $data_copy (param i32 i32 i32)))
  (import "ic0" "msg_caller_info_signer_size" (func $signer_size (result i32)))
  (import "ic0" "msg_caller_info_signer_copy" (func $signer_copy (param i32 i32 i32)))
  (import "ic0" "msg_method_name_size" (func $name_size (result i32)))
  (import "ic0" "accept_message" (func $accept))
  (import "ic0" "canister_self_size" (func $self_size (result i32)))
  (import "ic0" "canister_self_copy" (func $self_copy (param i32 i32 i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_perform" (func $perform (result i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $after_noop)
  (data (i32.const 2000) "noop")
  (func $who
    (i32.store (i32.const 0) (call $data_size))
    (call $data_copy (i32.const 4) (i32.const 0) (call $data_size))
    (call $append (i32.const 0) (i32.add (i32.const 4) (call $data_size)))
    (call $signer_copy (i32.const 1000) (i32.const 0) (call $signer_size))
    (call $append (i32.const 1000) (call $signer_size))
    (call $reply))
  (func $after_noop (param i32) (call $who))
  (func (export "canister_update who") (call $who))
  (func (export "canister_query who_q") (call $who))
  (func (export "canister_update noop") (call $reply))
  (func (export "canister_update relay")
    (call $self_copy (i32.const 3000) (i32.const 0) (call $self_size))
    (call $call_new (i32.const 3000) (call $self_size) (i32.const 2000) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (call $perform)))
  (func (export "canister_inspect_message")
    (if (i32.and (i32.eq (call $name_size) (i32.const 5)) (i32.eqz (call $data_size))) (then (return)))
    (call $accept)))`;

const INFO = new TextEncoder().encode('{"name":"alice","verified":true}');
const SEED = new TextEncoder().encode('anchor 10042');
let capsule: Capsule;
let server: HttpServerHandle;
let signer: Principal;
let other: Principal;
let target: Principal;

before(async () => {
  capsule = await Capsule.create();
  server = await startHttpServer({ replica: replicaOf(capsule), port: 0, log: () => {}, debug: () => {} });
  [signer, other, target] = [await capsule.createCanister(), await capsule.createCanister(), await capsule.createCanister()];
  await capsule.installCode({ canisterId: signer, wasm: await wat(SIGNER) });
  await capsule.installCode({ canisterId: target, wasm: await wat(TARGET) });
});
after(() => server.close());

function canisterKey(canisterId: Principal): { der: Uint8Array; sender: Uint8Array } {
  const id = canisterId.toUint8Array();
  const der = encodeSubjectPublicKeyInfo(OID.canisterSignature, undefined, new Uint8Array([id.length, ...id, ...SEED]));
  return { der, sender: selfAuthenticatingId(der) };
}

/** The signer canister certifies a /sig tree over `messages`; the canister signature that proves all of them. */
async function canisterSignature(messages: Uint8Array[]): Promise<Uint8Array> {
  const entries = messages.map((m) => [sha256(m), labeledLeaf(new Uint8Array())] as const);
  const tree = buildHashTree(labeledNode([['sig', labeledNode([[sha256(SEED), labeledNode(entries)]])]]));
  await capsule.updateCall({ canisterId: signer, method: 'certify', arg: reconstruct(tree) });
  const certificate = await capsule.queryCall({ canisterId: signer, method: 'certificate' });
  return encodeCbor({ certificate, tree: hashTreeToCbor(tree) }, { selfDescribe: true });
}

const withSeparator = (separator: Uint8Array, bytes: Uint8Array) => new Uint8Array([...separator, ...bytes]);

function decodeWho(reply: Uint8Array): { data: Uint8Array; signer: Uint8Array } {
  const size = new DataView(reply.buffer, reply.byteOffset).getUint32(0, true);
  return { data: reply.slice(4, 4 + size), signer: reply.slice(4 + size) };
}

interface Signed {
  body: Uint8Array;
  requestId: Uint8Array;
}

/** A call and a query to the target from the signer's canister-signature user, carrying `info`. */
async function signedRequests(
  info: Uint8Array,
  options: { signedInfo?: Uint8Array; claimedSigner?: Principal; method?: string } = {},
): Promise<{ call: Signed; query: Signed }> {
  const key = canisterKey(signer);
  // sender_info is part of the request id, so its signature comes first: sign the info alone, then the requests.
  const infoSig = await canisterSignature([withSeparator(domainSeparators.IC_SENDER_INFO, options.signedInfo ?? info)]);
  const senderInfo = new Map<string, CborValue>([['info', info], ['signer', (options.claimedSigner ?? signer).toUint8Array()], ['sig', infoSig]]);
  const call = callContent('call', target.toUint8Array(), options.method ?? 'who', EMPTY_ARG, key.sender, { sender_info: senderInfo } as never) as Record<string, CborValue>;
  const query = callContent('query', target.toUint8Array(), 'who_q', EMPTY_ARG, key.sender, { sender_info: senderInfo } as never) as Record<string, CborValue>;
  const callId = requestIdOf(call as never);
  const queryId = requestIdOf(query as never);
  const requestSig = await canisterSignature([withSeparator(domainSeparators.IC_REQUEST, callId), withSeparator(domainSeparators.IC_REQUEST, queryId)]);
  const wrap = (content: Record<string, CborValue>) => encodeCbor({ content, sender_pubkey: key.der, sender_sig: requestSig }, { selfDescribe: true });
  return { call: { body: wrap(call), requestId: callId }, query: { body: wrap(query), requestId: queryId } };
}

test('an update and a query see the sender_info data and its signing canister', async () => {
  const { call, query } = await signedRequests(INFO);
  const called = await post(server.url, `/api/v4/canister/${target.toText()}/call`, call.body);
  assert.equal(called.status, 200, called.text());
  const reply = certifiedValue(called, ['request_status', call.requestId, 'reply']);
  assert.ok(reply, new TextDecoder().decode(certifiedValue(called, ['request_status', call.requestId, 'reject_message']) ?? new Uint8Array()));
  assert.deepEqual(decodeWho(reply), { data: INFO, signer: signer.toUint8Array() });
  const queried = await post(server.url, `/api/v3/canister/${target.toText()}/query`, query.body);
  assert.equal(queried.status, 200, queried.text());
  const arg = (queried.cbor().get('reply') as Map<string, CborValue>).get('arg') as Uint8Array;
  assert.deepEqual(decodeWho(arg), { data: INFO, signer: signer.toUint8Array() });
});

test('a reply callback sees the sender_info of the request that opened its call context, and inspect_message sees it too', async () => {
  const { call } = await signedRequests(INFO, { method: 'relay' });
  const called = await post(server.url, `/api/v4/canister/${target.toText()}/call`, call.body);
  assert.equal(called.status, 200, called.text());
  const reply = certifiedValue(called, ['request_status', call.requestId, 'reply']);
  assert.ok(reply, 'relay did not reply');
  assert.deepEqual(decodeWho(reply), { data: INFO, signer: signer.toUint8Array() });
  const user = new TestKey();
  const refused = await post(server.url, `/api/v4/canister/${target.toText()}/call`, envelope(callContent('call', target.toUint8Array(), 'relay', EMPTY_ARG, user.principal), user));
  assert.equal(refused.cbor().get('status'), 'non_replicated_rejection');
  assert.match(String(refused.cbor().get('reject_message')), /Canister rejected the message/);
});

test('callers without sender_info (users of other keys, the anonymous user) see empty caller info', async () => {
  const user = new TestKey();
  const answer = await post(server.url, `/api/v3/canister/${target.toText()}/query`, envelope(callContent('query', target.toUint8Array(), 'who_q', EMPTY_ARG, user.principal), user));
  const arg = (answer.cbor().get('reply') as Map<string, CborValue>).get('arg') as Uint8Array;
  assert.deepEqual(decodeWho(arg), { data: new Uint8Array(), signer: new Uint8Array() });
  assert.deepEqual(decodeWho(await capsule.updateCall({ canisterId: target, method: 'who' })), { data: new Uint8Array(), signer: new Uint8Array() });
});

test('sender_info signed for other data, or naming another signer, is refused with 400', async () => {
  const forged = await signedRequests(INFO, { signedInfo: new TextEncoder().encode('{"name":"mallory"}') });
  const refused = await post(server.url, `/api/v4/canister/${target.toText()}/call`, forged.call.body);
  assert.equal(refused.status, 400);
  assert.match(refused.text(), /invalid sender_info signature: canister signature tree does not contain the message/);
  const misnamed = await signedRequests(INFO, { claimedSigner: other });
  const wrongSigner = await post(server.url, `/api/v3/canister/${target.toText()}/query`, misnamed.query.body);
  assert.equal(wrongSigner.status, 400);
  assert.match(wrongSigner.text(), /sender_info.signer is not the canister of the sender public key/);
});

test('sender_info from a sender that is not authenticated by a canister signature is refused with 400', async () => {
  const user = new TestKey();
  const senderInfo = new Map<string, CborValue>([['info', INFO], ['signer', signer.toUint8Array()], ['sig', new Uint8Array(8)]]);
  const content = callContent('call', target.toUint8Array(), 'who', EMPTY_ARG, user.principal, { sender_info: senderInfo } as never);
  const answer = await post(server.url, `/api/v4/canister/${target.toText()}/call`, envelope(content, user));
  assert.equal(answer.status, 400);
  assert.match(answer.text(), /sender_info is only allowed for senders authenticated by a canister signature/);
  const malformed = callContent('call', target.toUint8Array(), 'who', EMPTY_ARG, user.principal, { sender_info: new Map([['info', INFO]]) } as never);
  const shape = await post(server.url, `/api/v4/canister/${target.toText()}/call`, envelope(malformed, user));
  assert.equal(shape.status, 400);
  assert.match(shape.text(), /content.sender_info needs byte strings info, signer and sig/);
});
