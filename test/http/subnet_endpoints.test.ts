// The subnet-scoped endpoints (interface spec, "Effective subnet id"): `/api/v4/subnet/<esid>/call`
// takes canister creation calls to the management canister, `/api/v3/subnet/<esid>/query` takes
// list_canisters; anything else is refused with 400, another subnet id with 404, and list_canisters
// is never an update call. Management query methods also answer through a canister's query endpoint.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { type CborValue, requestIdOf } from '../../src/certification/index.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';
import { candid } from '../../src/management/index.ts';
import { callContent, certifiedValue, EMPTY_ARG, envelope, post, readStateContent, TestKey } from './_envelopes.ts';

const MANAGEMENT = new Uint8Array(0);
const user = new TestKey();
let capsule: Capsule;
let server: HttpServerHandle;
let subnet: string;

before(async () => {
  capsule = await Capsule.create();
  server = await startHttpServer({ replica: replicaOf(capsule), port: 0, log: () => {}, debug: () => {} });
  subnet = capsule.subnetId.toText();
});
after(() => server.close());

const createArg = () => candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });

function rangesOf(reply: Uint8Array): [string, string][] {
  return candid.decodeManagementResult('list_canisters', reply).canisters.map((r) => [r.start.toText(), r.end.toText()]);
}

test('a v4 subnet call creates a canister, and its status is readable through the subnet read_state', async () => {
  const content = callContent('call', MANAGEMENT, 'provisional_create_canister_with_cycles', createArg(), user.principal);
  const answer = await post(server.url, `/api/v4/subnet/${subnet}/call`, envelope(content, user));
  assert.equal(answer.status, 200, answer.text());
  const requestId = requestIdOf(content);
  const reply = certifiedValue(answer, ['request_status', requestId, 'reply'])!;
  const created = candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id;
  assert.deepEqual(replicaOf(capsule).canister(created)!.settings.controllers.map((c) => c.toText()), [Principal.fromUint8Array(user.principal).toText()]);
  const read = await post(server.url, `/api/v3/subnet/${subnet}/read_state`, envelope(readStateContent([['request_status', requestId, 'status']], user.principal), user));
  assert.equal(read.status, 200, read.text());
  assert.equal(new TextDecoder().decode(certifiedValue(read, ['request_status', requestId, 'status'])), 'replied');
});

test('the v4 subnet call endpoint refuses other calls with 400 and other subnets with 404', async () => {
  const canister = await capsule.createCanister();
  const other = callContent('call', canister.toUint8Array(), 'greet', EMPTY_ARG, user.principal);
  const refused = await post(server.url, `/api/v4/subnet/${subnet}/call`, envelope(other, user));
  assert.equal(refused.status, 400);
  assert.match(refused.text(), /only accepts calls of create_canister and provisional_create_canister_with_cycles to the management canister/);
  const status = callContent('call', MANAGEMENT, 'canister_status', new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: canister }])), user.principal);
  assert.equal((await post(server.url, `/api/v4/subnet/${subnet}/call`, envelope(status, user))).status, 400);
  const elsewhere = callContent('call', MANAGEMENT, 'provisional_create_canister_with_cycles', createArg(), user.principal);
  const unknown = await post(server.url, `/api/v4/subnet/${Principal.fromText('aaaaa-aa').toText()}/call`, envelope(elsewhere, user));
  assert.equal(unknown.status, 404);
});

test('list_canisters through the v3 subnet query answers the canister ranges, deleted canisters left out', async () => {
  const ids = [await capsule.createCanister(), await capsule.createCanister(), await capsule.createCanister()];
  const middle = ids[1]!;
  await capsule.callManagement('stop_canister', candid.encodeManagementArg('stop_canister', { canister_id: middle }));
  await capsule.callManagement('delete_canister', candid.encodeManagementArg('delete_canister', { canister_id: middle }));
  const content = callContent('query', MANAGEMENT, 'list_canisters', EMPTY_ARG, user.principal);
  const answer = await post(server.url, `/api/v3/subnet/${subnet}/query`, envelope(content, user));
  assert.equal(answer.status, 200, answer.text());
  assert.equal(answer.cbor().get('status'), 'replied', String(answer.cbor().get('reject_message')));
  const ranges = rangesOf((answer.cbor().get('reply') as Map<string, CborValue>).get('arg') as Uint8Array);
  const flat = ranges.flat();
  assert.ok(flat.includes(ids[0]!.toText()) && flat.includes(ids[2]!.toText()));
  assert.ok(!ranges.some(([start, end]) => start === middle.toText() || end === middle.toText()));
  assert.ok(ranges.some(([, end]) => end === ids[0]!.toText()) && ranges.some(([start]) => start === ids[2]!.toText()));
});

test('the v3 subnet query endpoint refuses other queries with 400', async () => {
  const canister = await capsule.createCanister();
  const content = callContent('query', canister.toUint8Array(), 'greet', EMPTY_ARG, user.principal);
  const answer = await post(server.url, `/api/v3/subnet/${subnet}/query`, envelope(content, user));
  assert.equal(answer.status, 400);
  assert.match(answer.text(), /only accepts queries of list_canisters to the management canister/);
});

test('list_canisters is refused as an update call', async () => {
  const canister = await capsule.createCanister();
  const content = callContent('call', MANAGEMENT, 'list_canisters', EMPTY_ARG, user.principal);
  const answer = await post(server.url, `/api/v4/canister/${canister.toText()}/call`, envelope(content, user));
  assert.equal(answer.status, 200, answer.text());
  assert.equal(answer.cbor().get('status'), 'non_replicated_rejection');
  assert.match(String(answer.cbor().get('reject_message')), /can only be called by non-replicated \(query\) calls/);
});

test('management query methods answer through the canister query endpoint', async () => {
  const canister = await capsule.createCanister({ controllers: [Principal.fromUint8Array(user.principal)] });
  const statusArg = candid.encodeManagementArg('canister_status', { canister_id: canister });
  const status = await post(server.url, `/api/v3/canister/${canister.toText()}/query`, envelope(callContent('query', MANAGEMENT, 'canister_status', statusArg, user.principal), user));
  assert.equal(status.cbor().get('status'), 'replied', String(status.cbor().get('reject_message')));
  const list = await post(server.url, `/api/v3/canister/${canister.toText()}/query`, envelope(callContent('query', MANAGEMENT, 'list_canisters', EMPTY_ARG, user.principal), user));
  const ranges = rangesOf((list.cbor().get('reply') as Map<string, CborValue>).get('arg') as Uint8Array);
  assert.ok(ranges.some(([, end]) => end === canister.toText()));
});
