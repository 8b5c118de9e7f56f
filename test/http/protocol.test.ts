// The HTTP interface at the protocol level, with hand-built envelopes against a real `capsule start`:
// status, status codes and reject bodies, authentication and expiry rules, effective
// canister ids, read_state access rules, size limits, replay, query signatures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { decodeCbor, decodeUleb128, encodeCbor, hashOfMap, isCborMap, verifyQueryResponse, type CborMap } from '../../src/certification/index.ts';
import { deployMotoko } from './_deploy.ts';
import { anonymous, callContent, certifiedValue, EMPTY_ARG, envelope, post, readStateContent, TestKey, type Answer } from './_envelopes.ts';
import { startServer, type ServerProcess } from './_server.ts';

/** Another id in the subnet's ranges with no canister (index 5; index 4 is the natively served CMC). */
const OTHER = Principal.fromText('rno2w-sqaaa-aaaaa-aaacq-cai');
const MANAGEMENT = new Uint8Array(0);
const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

let server: ServerProcess;
const owner = new TestKey();
const stranger = new TestKey();
let counter: Principal;

async function call(version: 2 | 3 | 4, ecid: Principal, body: Uint8Array): Promise<Answer> {
  return post(server.url, `/api/v${version}/canister/${ecid.toText()}/call`, body);
}

async function syncCall(key: TestKey, ecid: Principal, canisterId: Uint8Array, method: string, arg: Uint8Array) {
  const content = callContent('call', canisterId, method, arg, key.principal);
  const answer = await call(4, ecid, envelope(content, key));
  assert.equal(answer.status, 200, answer.text());
  const rid = hashOfMap(content);
  return { answer, rid, status: text(certifiedValue(answer, ['request_status', rid, 'status'])) };
}

async function counterValue(): Promise<bigint> {
  const answer = await post(server.url, `/api/v3/canister/${counter.toText()}/query`, envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous())));
  const reply = answer.cbor().get('reply') as CborMap;
  return IDL.decode([IDL.Nat], reply.get('arg') as Uint8Array)[0] as bigint;
}

describe('HTTP interface protocol', () => {
  before(async () => {
    server = await startServer();
    counter = await deployMotoko(server.url, owner, 'general.mo');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    assert.equal(server.stderr(), '');
  });

  test('status: tag-55799 CBOR with root key, health, versions, height', async () => {
    const response = await fetch(`${server.url}/api/v2/status`);
    assert.equal(response.headers.get('content-type'), 'application/cbor');
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xd9, 0xd9, 0xf7]);
    const status = decodeCbor(bytes) as CborMap;
    assert.equal((status.get('root_key') as Uint8Array).length, 133);
    assert.equal(status.get('replica_health_status'), 'healthy');
    assert.equal(typeof status.get('impl_version'), 'string');
    assert.equal(typeof status.get('ic_api_version'), 'string');
    assert.equal(typeof status.get('certified_height'), 'bigint');
  });

  test('v2 call: 202, then the certified reply; a replayed envelope runs once', async () => {
    const before = await counterValue();
    const content = callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal);
    const body = envelope(content, owner);
    assert.equal((await call(2, counter, body)).status, 202);
    assert.equal((await call(2, counter, body)).status, 202);
    const rid = hashOfMap(content);
    let status: string | undefined;
    for (let i = 0; i < 200 && status !== 'replied'; i++) {
      const read = await post(server.url, `/api/v2/canister/${counter.toText()}/read_state`, envelope(readStateContent([['request_status', rid]], owner.principal), owner));
      status = text(certifiedValue(read, ['request_status', rid, 'status']));
      if (status !== 'replied') await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 'replied');
    const again = await call(3, counter, body);
    assert.equal(text(certifiedValue(again, ['request_status', rid, 'status'])), 'replied');
    assert.equal(await counterValue(), before + 1n);
  });

  test('a v2 create call is polled through the effective id it was sent to', async () => {
    const arg = IDL.encode([IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})) })], [{ amount: [10n ** 12n], settings: [] }]);
    const content = callContent('call', MANAGEMENT, 'provisional_create_canister_with_cycles', arg, owner.principal);
    assert.equal((await call(2, OTHER, envelope(content, owner))).status, 202);
    const rid = hashOfMap(content);
    let status: string | undefined;
    for (let i = 0; i < 200 && status !== 'replied'; i++) {
      const read = await post(server.url, `/api/v2/canister/${OTHER.toText()}/read_state`, envelope(readStateContent([['request_status', rid]], owner.principal), owner));
      assert.equal(read.status, 200, read.text());
      status = text(certifiedValue(read, ['request_status', rid, 'status']));
      if (status !== 'replied') await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 'replied');
  });

  test('refused messages: v2 200 with a CBOR reject, v3/v4 non_replicated_rejection', async () => {
    const missing = OTHER;
    const body = () => envelope(callContent('call', missing.toUint8Array(), 'x', EMPTY_ARG, owner.principal), owner);
    const v2 = await call(2, missing, body());
    assert.equal(v2.status, 200);
    assert.equal(v2.cbor().get('reject_code'), 3n);
    assert.equal(v2.cbor().get('error_code'), 'IC0301');
    for (const version of [3, 4] as const) {
      const answer = await call(version, missing, body());
      assert.equal(answer.status, 200);
      assert.equal(answer.cbor().get('status'), 'non_replicated_rejection');
      assert.equal(answer.cbor().get('reject_code'), 3n);
    }
  });

  test('a certified reject carries code, message and error code', async () => {
    const { status, rid, answer } = await syncCall(owner, counter, counter.toUint8Array(), 'no_such_method', EMPTY_ARG);
    assert.equal(status, 'rejected');
    assert.equal(decodeUleb128(certifiedValue(answer, ['request_status', rid, 'reject_code'])!), 5n); // CanisterMethodNotFound, IC0536
    assert.match(text(certifiedValue(answer, ['request_status', rid, 'error_code']))!, /^IC0\d{3}$/);
  });

  test('authentication: bad signature, wrong sender, anonymous with a key: 400', async () => {
    const content = callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal);
    const forged = decodeCbor(envelope(content, owner)) as CborMap;
    const sig = Uint8Array.from(forged.get('sender_sig') as Uint8Array);
    sig[0]! ^= 1;
    const badSig = encodeCbor(new Map(forged).set('sender_sig', sig) as never);
    assert.equal((await call(3, counter, badSig)).status, 400);
    const wrongSender = envelope(callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, stranger.principal), owner);
    assert.equal((await call(3, counter, wrongSender)).status, 400);
    const anonWithKey = encodeCbor({ content: callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous()), sender_pubkey: owner.der, sender_sig: new Uint8Array(64) });
    assert.equal((await post(server.url, `/api/v3/canister/${counter.toText()}/query`, anonWithKey)).status, 400);
    const readBad = decodeCbor(envelope(readStateContent([['time']], owner.principal), owner)) as CborMap;
    const readForged = encodeCbor(new Map(readBad).set('sender_sig', new Uint8Array(64)) as never);
    assert.equal((await post(server.url, `/api/v3/canister/${counter.toText()}/read_state`, readForged)).status, 400);
  });

  test('expiry: calls and signed queries must be within [now, now+5m]; anonymous query/read_state take any', async () => {
    const stale = { ingress_expiry: 1n };
    const expired = await call(3, counter, envelope(callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal, stale), owner));
    assert.equal(expired.status, 400);
    assert.match(expired.text(), /^Invalid request expiry: /);
    const farFuture = { ingress_expiry: BigInt(Date.now() + 3_600_000) * 1_000_000n };
    assert.equal((await call(3, counter, envelope(callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal, farFuture), owner))).status, 400);
    const signedQuery = envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, owner.principal, stale), owner);
    assert.equal((await post(server.url, `/api/v3/canister/${counter.toText()}/query`, signedQuery)).status, 400);
    const anonQuery = envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous(), stale));
    assert.equal((await post(server.url, `/api/v2/canister/${counter.toText()}/query`, anonQuery)).status, 200);
    const anonRead = envelope(readStateContent([['time']], anonymous(), stale));
    assert.equal((await post(server.url, `/api/v2/canister/${counter.toText()}/read_state`, anonRead)).status, 200);
  });

  test('effective canister ids: must match the canister / the Candid canister_id, and be in range', async () => {
    const other = OTHER;
    const body = () => envelope(callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal), owner);
    assert.equal((await call(3, other, body())).status, 400);
    assert.equal((await call(3, Principal.fromUint8Array(owner.principal), body())).status, 400);
    assert.equal((await post(server.url, `/api/v3/canister/not-a-principal/call`, body())).status, 400);
    const statusArg = IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: counter }]);
    const mgmt = envelope(callContent('call', MANAGEMENT, 'canister_status', statusArg, owner.principal), owner);
    assert.equal((await call(3, other, mgmt)).status, 400);
    const garbled = envelope(callContent('call', MANAGEMENT, 'canister_status', new Uint8Array([1, 2, 3]), owner.principal), owner);
    assert.equal((await call(3, counter, garbled)).status, 400);
  });

  test('read_state access rules', async () => {
    const url = (ecid: Principal) => `/api/v3/canister/${ecid.toText()}/read_state`;
    const content = callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal);
    await call(3, counter, envelope(content, owner));
    const rid = hashOfMap(content);
    const read = (paths: (Uint8Array | string)[][], key: TestKey, ecid = counter) =>
      post(server.url, url(ecid), envelope(readStateContent(paths, key.principal), key));
    assert.equal((await read([['request_status', rid]], owner)).status, 200);
    assert.equal((await read([['request_status', rid]], stranger)).status, 403);
    assert.equal((await read([['request_status', rid]], owner, OTHER)).status, 403);
    assert.equal((await read([['request_status', new Uint8Array(32)], ['request_status', rid]], owner)).status, 400);
    assert.equal((await read([['request_status', new Uint8Array(5)]], owner)).status, 400);
    const unknown = await read([['request_status', new Uint8Array(32)]], stranger);
    assert.equal(unknown.status, 200);
    assert.equal(certifiedValue(unknown, ['request_status', new Uint8Array(32), 'status']), undefined);
    assert.equal((await read([['canister', counter.toUint8Array(), 'certified_data']], owner)).status, 404);
    assert.equal((await read([['canister', counter.toUint8Array()]], owner)).status, 404);
    assert.equal((await read([['canister', counter.toUint8Array(), 'controllers']], owner, OTHER)).status, 400);
    assert.equal((await read([['no_such_root']], owner)).status, 404);
    assert.equal((await read([], owner)).status, 200);
    const eop = ['canister', counter.toUint8Array(), 'metadata', 'enhanced-orthogonal-persistence'];
    assert.equal((await read([eop], stranger)).status, 403);
    assert.equal((await read([eop], owner)).status, 200);
    // moc marks every section private here; an absent section is readable (the proof of absence).
    const candidPath = ['canister', counter.toUint8Array(), 'metadata', 'candid:service'];
    assert.equal((await read([candidPath], stranger)).status, 403);
    const absent = await read([['canister', counter.toUint8Array(), 'metadata', 'no-such-section']], stranger);
    assert.equal(absent.status, 200);
    assert.equal(certifiedValue(absent, ['canister', counter.toUint8Array(), 'metadata', 'no-such-section']), undefined);
    const candid = await read([candidPath], owner);
    assert.equal(candid.status, 200);
    assert.match(text(certifiedValue(candid, ['canister', counter.toUint8Array(), 'metadata', 'candid:service']))!, /service/);
    const controllers = await read([['canister', counter.toUint8Array(), 'controllers']], stranger);
    const list = decodeCbor(certifiedValue(controllers, ['canister', counter.toUint8Array(), 'controllers'])!) as Uint8Array[];
    assert.deepEqual(list.map((p) => Principal.fromUint8Array(p).toText()), [Principal.fromUint8Array(owner.principal).toText()]);
  });

  test('subnet read_state: canister ranges via the subnet endpoint only, unknown subnets 404', async () => {
    const status = decodeCbor(new Uint8Array(await (await fetch(`${server.url}/api/v2/status`)).arrayBuffer())) as CborMap;
    const sid = Principal.selfAuthenticating(status.get('root_key') as Uint8Array);
    const body = envelope(readStateContent([['canister_ranges', sid.toUint8Array()]], anonymous()));
    const answer = await post(server.url, `/api/v3/subnet/${sid.toText()}/read_state`, body);
    assert.equal(answer.status, 200);
    assert.equal((await post(server.url, `/api/v3/canister/${counter.toText()}/read_state`, body)).status, 404);
    assert.equal((await post(server.url, `/api/v3/subnet/${Principal.fromUint8Array(owner.principal).toText()}/read_state`, body)).status, 404);
    const ranges = envelope(readStateContent([['subnet', sid.toUint8Array(), 'canister_ranges']], anonymous()));
    const viaCanister = await post(server.url, `/api/v3/canister/${counter.toText()}/read_state`, ranges);
    assert.equal(viaCanister.status, 200);
    assert.ok(certifiedValue(viaCanister, ['subnet', sid.toUint8Array(), 'canister_ranges']));
  });

  test('query responses are signed by the node key published under /subnet/<sid>/node', async () => {
    const content = callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous());
    const answer = (await post(server.url, `/api/v3/canister/${counter.toText()}/query`, envelope(content))).cbor();
    const [signature] = answer.get('signatures') as CborMap[];
    const status = decodeCbor(new Uint8Array(await (await fetch(`${server.url}/api/v2/status`)).arrayBuffer())) as CborMap;
    const sid = Principal.selfAuthenticating(status.get('root_key') as Uint8Array).toUint8Array();
    const nodeId = signature!.get('identity') as Uint8Array;
    const read = await post(server.url, `/api/v3/canister/${counter.toText()}/read_state`, envelope(readStateContent([['subnet', sid, 'node', nodeId, 'public_key']], anonymous())));
    const nodeKey = certifiedValue(read, ['subnet', sid, 'node', nodeId, 'public_key'])!;
    const signed = { status: 'replied', reply: answer.get('reply') as CborMap, timestamp: signature!.get('timestamp') as bigint, request_id: hashOfMap(content) };
    assert.ok(verifyQueryResponse(signature!.get('signature') as Uint8Array, signed, nodeKey));
  });

  test('sizes and routes: 413, 404, 405', async () => {
    const huge = envelope(callContent('call', counter.toUint8Array(), 'inc', new Uint8Array(3 * 1024 * 1024), owner.principal), owner);
    assert.equal((await call(3, counter, huge)).status, 413);
    assert.equal((await call(3, counter, new Uint8Array(6 * 1024 * 1024))).status, 413);
    assert.equal((await post(server.url, '/api/v9/nothing', new Uint8Array(0))).status, 404);
    assert.equal((await fetch(`${server.url}/api/v3/canister/${counter.toText()}/call`)).status, 405);
    const wrongType = envelope(callContent('query', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal), owner);
    assert.equal((await call(3, counter, wrongType)).status, 400);
    assert.ok(isCborMap(decodeCbor(envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous())))));
  });
});
