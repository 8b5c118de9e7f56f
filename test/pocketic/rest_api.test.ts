// The PocketIC REST API over plain HTTP, as the Rust and Python clients use it beyond pic-js:
// read_graph/prune_graph, the per-instance IC HTTP interface, exact big integers, state_dir, and
// bad input answered with a clear 4xx in PocketIC's error shape while other instances keep serving.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { decodeCbor, isCborMap } from '../../src/certification/index.ts';
import { candid } from '../../src/management/index.ts';
import { startPocketIcServer, type PocketIcServerHandle } from '../../src/pocketic/index.ts';
import { parseJson, stringifyJson } from '../../src/pocketic/json.ts';
import { hashOfMap } from '../../src/certification/index.ts';
import { Principal } from '../../src/state/index.ts';
import { anonymous, callContent, certifiedValue, envelope, expiryIn, post } from '../http/_envelopes.ts';

const ANONYMOUS_B64 = Buffer.from([4]).toString('base64');
const MANAGEMENT_B64 = '';
const DEFAULT_CONFIG = { subnet_config_set: { application: [{ state_config: 'New', instruction_config: 'Production', cost_schedule: 'Normal' }] } };

let server: PocketIcServerHandle;
const dirs: string[] = [];

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, checked by each test
  body: any;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : stringifyJson(body);
  const response = await fetch(`${server.url}${path}`, { method, body: payload, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? parseJson(text) : null;
  } catch {}
  return { status: response.status, text, body: parsed };
}

async function createInstance(config: unknown = DEFAULT_CONFIG): Promise<number> {
  const reply = await call('POST', '/instances', config);
  assert.equal(reply.status, 201, reply.text);
  return reply.body.Created.instance_id;
}

/** Creates a canister through submit + await of provisional_create_canister_with_cycles. */
async function createCanister(instance: number, cycles: bigint): Promise<string> {
  const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [cycles], settings: [], specified_id: [], sender_canister_version: [] });
  const submitted = await call('POST', `/instances/${instance}/update/submit_ingress_message`, {
    sender: ANONYMOUS_B64,
    canister_id: MANAGEMENT_B64,
    method: 'provisional_create_canister_with_cycles',
    payload: Buffer.from(arg).toString('base64'),
    effective_principal: 'None',
  });
  const done = await call('POST', `/instances/${instance}/update/await_ingress_message`, submitted.body.Ok);
  const reply = Buffer.from(done.body.Ok, 'base64');
  const canisterId = candid.decodeManagementResult('provisional_create_canister_with_cycles', new Uint8Array(reply)).canister_id;
  return Buffer.from(canisterId.toUint8Array()).toString('base64');
}

before(async () => {
  server = await startPocketIcServer();
});

after(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('PocketIC REST API', () => {
  test('a slow answer comes back through read_graph and is gone after prune_graph', async () => {
    const id = await createInstance();
    const started = await call('POST', `/instances/${id}/update/tick`, {}, { 'processing-timeout-ms': '0' });
    assert.equal(started.status, 202);
    const { state_label: label, op_id: op } = started.body;
    assert.match(label, /^[A-Za-z0-9_-]{22}==$/);
    let result = await call('GET', `/read_graph/${label}/${op}`);
    for (let i = 0; result.status === 404 && i < 50; i++) result = await call('GET', `/read_graph/${label}/${op}`);
    assert.deepEqual([result.status, result.body], [200, null]);
    assert.equal((await call('DELETE', `/prune_graph/${label}/${op}`)).status, 200);
    assert.deepEqual(await call('GET', `/read_graph/${label}/${op}`).then((r) => [r.status, r.body]), [410, { message: 'Pruned' }]);
    assert.equal((await call('GET', `/read_graph/${label}/999`)).status, 404);
    assert.equal((await call('GET', '/read_graph/not-a-label/0')).status, 400);
  });

  test("the instance's IC HTTP interface publishes the subnet's root key, the one pub_key returns", async () => {
    const id = await createInstance();
    const topology = (await call('GET', `/instances/${id}/_/topology`)).body;
    const subnetText = Object.keys(topology.subnet_configs)[0]!;
    const subnet = Buffer.from(Principal.fromText(subnetText).toUint8Array()).toString('base64');
    const pubKey = (await call('POST', `/instances/${id}/read/pub_key`, { subnet_id: subnet })).body as number[];
    const response = await fetch(`${server.url}/instances/${id}/api/v2/status`);
    assert.equal(response.status, 200);
    const status = decodeCbor(new Uint8Array(await response.arrayBuffer()));
    assert.ok(isCborMap(status));
    assert.deepEqual([...(status.get('root_key') as Uint8Array)], pubKey);
    assert.equal((await fetch(`${server.url}/instances/${id}/api/v9/nothing`)).status, 404);
  });

  test("a signed-envelope call through the instance's /api/v4 runs on the instance's replica, with expiry judged by the instance time", async () => {
    const id = await createInstance();
    const topology = (await call('GET', `/instances/${id}/_/topology`)).body;
    const ecid = Principal.fromUint8Array(Buffer.from(topology.default_effective_canister_id.canister_id, 'base64')).toText();
    const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
    const instanceTime = (await call('GET', `/instances/${id}/read/get_time`)).body.nanos_since_epoch as bigint;
    const content = (expiry: bigint) => callContent('call', new Uint8Array(0), 'provisional_create_canister_with_cycles', arg, anonymous(), { ingress_expiry: expiry });
    const stale = await post(server.url, `/instances/${id}/api/v4/canister/${ecid}/call`, envelope(content(expiryIn(4))));
    assert.equal(stale.status, 400, 'an expiry minutes after the wall clock is years after the instance time');
    const fresh = content(instanceTime + 60_000_000_000n);
    const answer = await post(server.url, `/instances/${id}/api/v4/canister/${ecid}/call`, envelope(fresh));
    assert.equal(answer.status, 200, answer.text());
    const status = certifiedValue(answer, ['request_status', hashOfMap(fresh), 'status']);
    assert.equal(new TextDecoder().decode(status), 'replied');
    const canisters = await call('POST', `/instances/${id}/read/get_subnet`, { canister_id: topology.default_effective_canister_id.canister_id });
    assert.notEqual(canisters.body, null, 'the canister created through /api is visible to the REST API');
  });

  test('auto progress moves the instance time to the wall clock until stopped; enabling it twice is refused', async () => {
    const id = await createInstance();
    assert.equal((await call('GET', `/instances/${id}/auto_progress`)).body, false);
    assert.equal((await call('POST', `/instances/${id}/auto_progress`, { artificial_delay_ms: 0 })).status, 200);
    assert.equal((await call('GET', `/instances/${id}/auto_progress`)).body, true);
    const again = await call('POST', `/instances/${id}/auto_progress`, {});
    assert.equal(again.status, 400);
    const wall = BigInt(Date.now()) * 1_000_000n;
    let time = 0n;
    for (let i = 0; i < 100 && time < wall; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      time = (await call('GET', `/instances/${id}/read/get_time`)).body.nanos_since_epoch;
    }
    assert.ok(time >= wall, 'time follows the wall clock');
    assert.equal((await call('POST', `/instances/${id}/stop_progress`, {})).status, 200);
    assert.equal((await call('GET', `/instances/${id}/auto_progress`)).body, false);
  });

  test('the blob store keeps blobs by the hex SHA-256 of their bytes, gzipped ones decompressed for stable memory', async () => {
    const id = await createInstance();
    const canister = await createCanister(id, 10n ** 12n);
    const content = new Uint8Array(70_000).map((_, i) => i % 251);
    const gzipped = gzipSync(content);
    const response = await fetch(`${server.url}/blobstore`, { method: 'POST', body: gzipped, headers: { 'content-encoding': 'gzip' } });
    const blobId = await response.text();
    assert.equal(blobId, createHash('sha256').update(gzipped).digest('hex'));
    assert.deepEqual(new Uint8Array(await (await fetch(`${server.url}/blobstore/${blobId}`)).arrayBuffer()), new Uint8Array(gzipped));
    const set = await call('POST', `/instances/${id}/update/set_stable_memory`, { canister_id: canister, blob_id: Buffer.from(blobId, 'hex').toString('base64') });
    assert.equal(set.status, 200, set.text);
    const memory = Buffer.from((await call('POST', `/instances/${id}/read/get_stable_memory`, { canister_id: canister })).body.blob, 'base64');
    assert.equal(memory.length, 2 * 65536, 'grown to whole wasm pages');
    assert.deepEqual(new Uint8Array(memory.subarray(0, content.length)), content);
    const unknown = await call('POST', `/instances/${id}/update/set_stable_memory`, { canister_id: canister, blob_id: Buffer.alloc(32).toString('base64') });
    assert.match(unknown.body.message, /^BlobNotFound/);
  });

  test('cycle amounts beyond 2^53 travel as exact JSON integers both ways', async () => {
    const id = await createInstance();
    const canister = await createCanister(id, 3n * 10n ** 18n + 7n);
    const added = await call('POST', `/instances/${id}/update/add_cycles`, `{"canister_id":"${canister}","amount":1180591620717411303424}`);
    assert.equal(added.status, 200, added.text);
    const balance = added.body.cycles as bigint;
    assert.equal(typeof balance, 'bigint');
    assert.ok(balance > 2n ** 70n && balance <= 2n ** 70n + 3n * 10n ** 18n + 7n);
    assert.match(added.text, new RegExp(`"cycles":${balance}`));
    const time = await call('GET', `/instances/${id}/read/get_time`);
    assert.equal(time.text, '{"nanos_since_epoch":1620328630000000001}');
  });

  test('an ingress status is private to its sender (403) and null while unknown', async () => {
    const id = await createInstance();
    await createCanister(id, 10n ** 12n);
    const unknown = { effective_principal: 'None', message_id: Buffer.alloc(32, 1).toString('base64') };
    assert.deepEqual((await call('POST', `/instances/${id}/read/ingress_status`, { raw_message_id: unknown })).body, null);
    const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
    const submitted = await call('POST', `/instances/${id}/update/submit_ingress_message`, {
      sender: ANONYMOUS_B64,
      canister_id: MANAGEMENT_B64,
      method: 'provisional_create_canister_with_cycles',
      payload: Buffer.from(arg).toString('base64'),
      effective_principal: 'None',
    });
    await call('POST', `/instances/${id}/update/await_ingress_message`, submitted.body.Ok);
    const other = { principal_id: Buffer.from([1, 2, 3]).toString('base64') };
    const forbidden = await call('POST', `/instances/${id}/read/ingress_status`, { raw_message_id: submitted.body.Ok, raw_caller: other });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, /^Forbidden/);
    const own = await call('POST', `/instances/${id}/read/ingress_status`, { raw_message_id: submitted.body.Ok, raw_caller: ANONYMOUS_B64 });
    assert.equal(typeof own.body.Ok, 'string');
  });

  test('an instance with a state_dir resumes its canisters after deletion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-pocketic-'));
    dirs.push(dir);
    const config = { ...DEFAULT_CONFIG, state_dir: join(dir, 'state') };
    const first = await createInstance(config);
    const canister = await createCanister(first, 10n ** 12n);
    await call('POST', `/instances/${first}/update/tick`, {});
    assert.equal((await call('DELETE', `/instances/${first}`)).status, 200);
    const second = await createInstance(config);
    const subnet = await call('POST', `/instances/${second}/read/get_subnet`, { canister_id: canister });
    assert.notEqual(subnet.body, null);
    assert.equal(typeof subnet.body.subnet_id, 'string');
    await call('DELETE', `/instances/${second}`);
  });
});

describe('bad input', () => {
  test('each mistake is a clear 4xx in the PocketIC error shape, and the other instances keep serving', async () => {
    const healthy = await createInstance();
    const deleted = await createInstance();
    await call('DELETE', `/instances/${deleted}`);
    const cases: [string, Promise<Reply>, number, RegExp][] = [
      ['malformed JSON', call('POST', `/instances/${healthy}/update/set_time`, '{"nanos_since_epoch": '), 400, /Malformed JSON/],
      ['unknown instance', call('GET', '/instances/9999/read/get_time'), 404, /Instance not found: 9999/],
      ['deleted instance', call('GET', `/instances/${deleted}/read/get_time`), 400, /^Instance was deleted$/],
      ['wrong base64', call('POST', `/instances/${healthy}/read/get_cycles`, { canister_id: 'not base64!' }), 400, /`canister_id` is not standard base64/],
      ['missing field', call('POST', `/instances/${healthy}/update/add_cycles`, { amount: 1 }), 400, /Missing field `canister_id`/],
      ['unknown canister', call('POST', `/instances/${healthy}/read/get_cycles`, { canister_id: 'AAAAAAAAAAEBAQ==' }), 400, /^CanisterNotFound\(/],
      ['time into the past', call('POST', `/instances/${healthy}/update/set_time`, { nanos_since_epoch: 1 }), 400, /^SettingTimeIntoPast/],
      ['canister HTTP mock', call('POST', `/instances/${healthy}/update/mock_canister_http`, {}), 400, /Missing field `subnet_id`/],
    ];
    for (const [what, reply, status, message] of cases) {
      const { status: actual, body } = await reply;
      assert.equal(actual, status, what);
      assert.match(body.message, message, what);
    }
    assert.equal((await call('GET', `/instances/${healthy}/read/get_time`)).status, 200);
    assert.deepEqual((await call('GET', '/instances')).body.slice(healthy, deleted + 1), ['Available', 'Deleted']);
    assert.equal((await call('DELETE', '/instances/9999')).status, 200, 'deleting an unknown instance succeeds, for clients cleaning up');
  });

  test('impossible instance configurations are refused under "Error", naming what is not supported', async () => {
    const application = DEFAULT_CONFIG.subnet_config_set.application[0]!;
    const configs: [unknown, RegExp][] = [
      [{ subnet_config_set: { application: [application], cloud_engine: [application] } }, /cloud engine subnets .* are not supported/],
      [{ subnet_config_set: { nns: { ...application, cost_schedule: 'Free' }, application: [application] } }, /Free is only supported on application subnets, not on a NNS subnet/],
      [{ subnet_config_set: { application: [] } }, /at least one subnet/],
      [{ subnet_config_set: { application: [{ ...application, cost_schedule: 'Cheap' }] } }, /unknown cost_schedule "Cheap"/],
      [{ subnet_config_set: { application: [{ ...application, state_config: { FromPath: '/x' } }] } }, /FromPath/],
      [{ ...DEFAULT_CONFIG, icp_features: { registry: 'DefaultConfig' } }, /ICP features are not supported yet: registry/],
      [{ ...DEFAULT_CONFIG, initial_time: { Timestamp: { nanos_since_epoch: 5 } } }, /must be no earlier than/],
      ['[1, 2]', /must be a JSON object/],
      ['{"subnet_config_set": ', /Malformed JSON/],
      [{ subnet_config_set: 7 }, /Expected a JSON object for subnet_config_set/],
    ];
    for (const [config, message] of configs) {
      const reply = await call('POST', '/instances', config);
      assert.equal(reply.status, 400, reply.text);
      assert.match(reply.body.Error.message, message);
    }
  });

  test('verify_signature refuses keys that are not DER with 400 {"Err"}', async () => {
    const reply = await call('POST', '/verify_signature', { msg: '', sig: '', pubkey: 'AAAA', root_pubkey: 'AAAA' });
    assert.equal(reply.status, 400);
    assert.match(reply.body.Err, /^Failed to parse DER/);
  });
});
