// PocketIC instances with several subnets, driven by pic-js 0.23 unchanged: PocketIC's topology and
// ids, canisters on two application subnets calling each other, "None" routing of management calls,
// @icp-sdk/core verifying a non-root subnet's certificates through the NNS root key, state_dir resume
// and the same per-subnet state hashes for the same scenario.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CreateInstanceOptions, PocketIc, PocketIcServer, SubnetStateType } from '@dfinity/pic';
import { Certificate, HttpAgent } from '@icp-sdk/core/agent';
import { Principal } from '@icp-sdk/core/principal';
import { candid } from '../../src/management/index.ts';
import { awaitIngress, parseCanisterCall, submit } from '../../src/pocketic/calls.ts';
import { PocketIcInstance } from '../../src/pocketic/instance.ts';
import type { Json } from '../../src/pocketic/json.ts';
import { parseInstanceConfig } from '../../src/pocketic/instance_config.ts';
import { repoRoot } from '../support/build.ts';
import { buildUniversalCanister, prog } from '../universal/program.ts';

/** pic-js brings its own agent library: its principals are of another class than ours. */
type PicPrincipal = Awaited<ReturnType<PocketIc['getDefaultEffectiveCanisterId']>>;
type PicPrincipalClass = { fromText(text: string): PicPrincipal; fromUint8Array(bytes: Uint8Array): PicPrincipal };
const picPrincipals = (example: PicPrincipal) => example.constructor as unknown as PicPrincipalClass;
const ours = (id: PicPrincipal) => Principal.fromText(id.toText());

const NEW = { state: { type: SubnetStateType.New } } as const;
const FOUR_SUBNETS: CreateInstanceOptions = { nns: NEW, ii: NEW, application: [NEW, NEW] };
const II_MAINNET_ID = 'uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe';

let server: PocketIcServer;
let wasm: Uint8Array;
const dirs: string[] = [];

/** A universal canister on `subnet`. */
async function canisterOn(pic: PocketIc, subnet: PicPrincipal): Promise<PicPrincipal> {
  const canisterId = await pic.createCanister({ targetSubnetId: subnet });
  // No targetSubnetId: pic-js sends install_code with the effective principal "None".
  await pic.installCode({ canisterId, wasm });
  return canisterId;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const b64 = (id: { toUint8Array(): Uint8Array }) => Buffer.from(id.toUint8Array()).toString('base64');

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of several shapes, checked by each test
async function rest(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.getUrl()}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.text();
  assert.ok(response.status < 300, answer);
  return answer.length > 0 ? JSON.parse(answer) : null;
}

function call(canisterId: string, method: string, arg: Uint8Array, effectivePrincipal: Json): Json {
  return { sender: Buffer.from([4]).toString('base64'), canister_id: canisterId, method, payload: Buffer.from(arg).toString('base64'), effective_principal: effectivePrincipal };
}

function createArg(): Uint8Array {
  return candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [10n ** 13n], settings: [], specified_id: [], sender_canister_version: [] });
}

async function submitAndAwait(instance: string, canisterId: string, method: string, arg: Uint8Array, effectivePrincipal: Json): Promise<Uint8Array> {
  const submitted = await rest('POST', `${instance}/update/submit_ingress_message`, call(canisterId, method, arg, effectivePrincipal));
  const done = await rest('POST', `${instance}/update/await_ingress_message`, submitted.Ok);
  assert.ok(done.Ok !== undefined, JSON.stringify(done));
  return new Uint8Array(Buffer.from(done.Ok, 'base64'));
}

/** A universal canister created and installed through the REST API with `effectivePrincipal`; its id in base64. */
async function createOn(instance: string, effectivePrincipal: Json): Promise<string> {
  const reply = await submitAndAwait(instance, '', 'provisional_create_canister_with_cycles', createArg(), effectivePrincipal);
  const canisterId = candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id;
  const install = candid.encodeManagementArg('install_code', { mode: { install: null }, canister_id: canisterId, wasm_module: wasm, arg: new Uint8Array(), sender_canister_version: [] });
  await submitAndAwait(instance, '', 'install_code', install, 'None');
  return b64(canisterId);
}

before(async () => {
  wasm = new Uint8Array(await buildUniversalCanister(32));
  process.env.POCKET_IC_BIN = join(repoRoot, 'bin', 'pocket-ic');
  server = await PocketIcServer.start();
});

after(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('PocketIC instances with several subnets', () => {
  test('an instance with NNS, II and two application subnets has PocketIC’s topology', async () => {
    const pic = await PocketIc.create(server.getUrl(), FOUR_SUBNETS);
    const topology = await pic.getTopology();
    assert.deepEqual(topology.map((subnet) => subnet.type).sort(), ['Application', 'Application', 'II', 'NNS']);
    assert.equal((await pic.getInternetIdentitySubnet())?.id.toText(), II_MAINNET_ID);
    const nns = (await pic.getNnsSubnet())!;
    assert.equal(nns.size, 40);
    // The NNS subnet holds the mainnet NNS ranges; its id is derived from the root key, as agents expect.
    assert.ok(nns.canisterRanges.some((range) => range.start.toText() === 'rwlgt-iiaaa-aaaaa-aaaaa-cai'));
    assert.equal(nns.id.toText(), Principal.selfAuthenticating(new Uint8Array(await pic.getPubKey(nns.id))).toText());
    const [first, second] = await pic.getApplicationSubnets();
    const created = await pic.createCanister();
    assert.equal((await pic.getCanisterSubnetId(created))?.toText(), first!.id.toText(), 'a canister without a target goes to the first application subnet');
    assert.equal((await pic.getDefaultEffectiveCanisterId()).toText(), first!.canisterRanges[0]!.start.toText());
    const elsewhere = await pic.createCanister({ targetSubnetId: second!.id });
    assert.equal((await pic.getCanisterSubnetId(elsewhere))?.toText(), second!.id.toText());
    assert.equal(await pic.getCanisterSubnetId(picPrincipals(created).fromText('aaaaa-aa')), null);
    await pic.tearDown();
  });

  test('one application subnet alone allocates lxzze-o7777-77777-aaaaa-cai first, as PocketIC does', async () => {
    const pic = await PocketIc.create(server.getUrl());
    assert.equal((await pic.createCanister()).toText(), 'lxzze-o7777-77777-aaaaa-cai');
    await pic.tearDown();
  });

  test('canisters on two application subnets call each other, attached cycles included', async () => {
    const pic = await PocketIc.create(server.getUrl(), FOUR_SUBNETS);
    const [first, second] = await pic.getApplicationSubnets();
    const a = await canisterOn(pic, first!.id);
    const b = await canisterOn(pic, second!.id);
    const before = await pic.getCyclesBalance(b);
    const answer = prog().pushBytes('b saw ').replyDataAppend().caller().replyDataAppend().acceptCycles128Amount(5_000n).drop().reply();
    const reply = await pic.updateCall({ canisterId: a, method: 'update', arg: prog().interUpdate(b, { args: answer, cycles: 5_000n }).build() });
    assert.equal(text(reply.subarray(0, 6)), 'b saw ');
    assert.equal(Principal.fromUint8Array(reply.subarray(6)).toText(), a.toText());
    assert.ok((await pic.getCyclesBalance(b)) > before - 1_000_000_000n, 'b got the cycles (minus its execution fees)');
    // And back: b calls a.
    const back = await pic.updateCall({ canisterId: b, method: 'update', arg: prog().interUpdate(a, { args: prog().pushBytes('pong').replyDataAppend().reply() }).build() });
    assert.equal(text(back), 'pong');
    await pic.tearDown();
  });

  test('a call to a canister that exists on no subnet is rejected with the replica’s wording', async () => {
    const pic = await PocketIc.create(server.getUrl(), FOUR_SUBNETS);
    const missing = picPrincipals(await pic.getDefaultEffectiveCanisterId()).fromText('2vxsx-fae');
    await assert.rejects(pic.updateCall({ canisterId: missing, method: 'update' }), /Canister 2vxsx-fae not found/);
    await pic.tearDown();
  });

  test('@icp-sdk/core verifies a canister on a non-root subnet through /instances/<id>/api with the root key from getPubKey', async () => {
    const pic = await PocketIc.create(server.getUrl(), FOUR_SUBNETS);
    const [, second] = await pic.getApplicationSubnets();
    const canisterId = ours(await canisterOn(pic, second!.id));
    // Agents judge expiry and certificate time by their clock.
    await pic.setTime(Date.now());
    await pic.tick();
    const rootKey = new Uint8Array(await pic.getPubKey((await pic.getNnsSubnet())!.id));
    const instanceId = (pic as unknown as { client: { instanceId: number } }).client.instanceId;
    const agent = await HttpAgent.create({ host: `${server.getUrl()}/instances/${instanceId}/`, rootKey, shouldFetchRootKey: false });
    const read = await agent.readState({ canisterId }, { paths: [[new TextEncoder().encode('time')]] });
    const certificate = await Certificate.create({ certificate: read.certificate, rootKey, principal: { canisterId } });
    assert.ok(certificate.lookup_path(['time']));
    assert.ok(certificate.cert.delegation, 'the certificate of the non-root subnet carries the NNS delegation');
    // A query: the agent fetches the subnet's node keys (a delegated certificate) and checks the signature.
    const queried = await agent.query(canisterId, { methodName: 'query', arg: prog().pushBytes('hi').reply().build() });
    assert.equal(queried.status, 'replied');
    // The subnet endpoint of the second subnet answers for it, with the delegation too.
    const subnetId = ours(second!.id);
    const subnetRead = await agent.readState({ subnetId }, { paths: [[new TextEncoder().encode('time')]] });
    const subnetCertificate = await Certificate.create({ certificate: subnetRead.certificate, rootKey, principal: { subnetId } });
    assert.ok(subnetCertificate.cert.delegation);
    // The second subnet's own key does not verify it without the delegation.
    const ownKey = new Uint8Array(await pic.getPubKey(second!.id));
    assert.notDeepEqual(ownKey, rootKey);
    await pic.tearDown();
  });

  test('a two-subnet instance with a state_dir resumes with its subnets and canisters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-pic-network-'));
    dirs.push(dir);
    const config = { subnet_config_set: { application: [{ state_config: 'New' }, { state_config: 'New' }] }, state_dir: dir };
    const first = await rest('POST', '/instances', config);
    const subnets = Object.keys(first.Created.topology.subnet_configs);
    assert.equal(subnets.length, 2);
    const instance = `/instances/${first.Created.instance_id}`;
    const second = Buffer.from(Principal.fromText(subnets[1]!).toUint8Array()).toString('base64');
    const canisterId = await createOn(instance, { SubnetId: second });
    await submitAndAwait(instance, canisterId, 'update', prog().pushBytes('kept').setGlobal().pushBytes('ok').reply().build(), { CanisterId: canisterId });
    await rest('DELETE', instance);
    // The recorded topology wins over the configuration given when resuming.
    const resumed = await rest('POST', '/instances', { ...config, subnet_config_set: { application: [{ state_config: 'New' }] } });
    assert.deepEqual(Object.keys(resumed.Created.topology.subnet_configs), subnets);
    const again = `/instances/${resumed.Created.instance_id}`;
    const subnet = await rest('POST', `${again}/read/get_subnet`, { canister_id: canisterId });
    assert.equal(subnet.subnet_id, second);
    const global = await rest('POST', `${again}/read/query`, call(canisterId, 'query', prog().getGlobal().replyDataAppend().reply().build(), 'None'));
    assert.equal(text(Buffer.from(global.Ok, 'base64')), 'kept');
    await rest('DELETE', again);
  });

  test('the same scenario gives the same state hash on every subnet', async () => {
    const hashes: Record<string, string>[] = [];
    for (let run = 0; run < 2; run++) {
      const config = parseInstanceConfig({ subnet_config_set: { nns: { state_config: 'New' }, application: [{ state_config: 'New' }, { state_config: 'New' }] } });
      const instance = new PocketIcInstance(run, config, new Uint8Array(32), { canisterLog: () => {} });
      for (const replica of instance.network.subnets) {
        const created = submit(instance, parseCanisterCall(instance, call('', 'provisional_create_canister_with_cycles', createArg(), { SubnetId: b64(replica.state.config.subnetId) })));
        assert.ok(created.Ok, JSON.stringify(created.Err));
        await awaitIngress(instance, created.Ok);
      }
      hashes.push(instance.network.stateHashes());
      await instance.delete();
    }
    assert.deepEqual(hashes[0], hashes[1]);
    assert.equal(Object.keys(hashes[0]!).length, 3);
  });
});
