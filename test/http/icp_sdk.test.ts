// @icp-sdk/core 6 against a real `capsule start`: v4 sync calls, v3 queries and read_state (canister
// and subnet endpoints), default verification on; and the client's own checks catching a tampered
// certificate and a tampered query signature.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Actor, HttpAgent, type ActorMethod, type Identity } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import { Secp256k1KeyIdentity } from '@icp-sdk/core/identity/secp256k1';
import { Principal } from '@icp-sdk/core/principal';
import { decodeCbor, encodeCbor, isCborMap, lookupPath, decodeCertificate, type CborMap, type CborValue } from '../../src/certification/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { startServer, type ServerProcess } from './_server.ts';

const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
const utf8 = (s: string) => new TextEncoder().encode(s);

interface Management {
  provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: []; specified_id: [] }], { canister_id: Principal }>;
  install_code: ActorMethod<[{ mode: { install: null }; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
}
const managementIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
    install_code: IDL.Func(
      [IDL.Record({ mode: IDL.Variant({ install: IDL.Null }), canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) })],
      [],
      [],
    ),
  });

interface Counter {
  inc: ActorMethod<[], bigint>;
  get: ActorMethod<[], bigint>;
  whoami: ActorMethod<[], Principal>;
}
const counterIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({ inc: IDL.Func([], [IDL.Nat], []), get: IDL.Func([], [IDL.Nat], ['query']), whoami: IDL.Func([], [IDL.Principal], ['query']) });

let server: ServerProcess;
let counterId: Principal;
const owner = Secp256k1KeyIdentity.generate();

function agentFor(identity: Identity, extra: { fetch?: typeof fetch; retryTimes?: number } = {}): Promise<HttpAgent> {
  return HttpAgent.create({ host: server.url, identity, shouldFetchRootKey: true, ...extra });
}

/** A fetch that lets `edit` change decoded CBOR response bodies of matching URLs. */
function tamperingFetch(urlPart: string, edit: (body: CborMap) => CborValue): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!url.includes(urlPart) || response.status !== 200) return response;
    const body = decodeCbor(new Uint8Array(await response.arrayBuffer()));
    if (!isCborMap(body)) throw new Error('unexpected body');
    return new Response(Buffer.from(encodeCbor(edit(body) as never, { selfDescribe: true })), { status: 200, headers: response.headers });
  };
}

function flipLastByte(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1]! ^= 1;
  return out;
}

/** The hash tree (CBOR form) with the last byte of its first non-empty leaf flipped. */
function flipFirstLeaf(tree: CborValue): CborValue {
  let done = false;
  const walk = (node: CborValue): CborValue => {
    if (done || !Array.isArray(node)) return node;
    const [tag, ...rest] = node as CborValue[];
    if (tag === 3n && rest[0] instanceof Uint8Array && rest[0].length > 0) {
      done = true;
      return [3n, flipLastByte(rest[0])];
    }
    return [tag, ...rest.map(walk)];
  };
  return walk(tree);
}

describe('@icp-sdk/core 6 against capsule start', () => {
  before(async () => {
    server = await startServer();
    const agent = await agentFor(owner);
    const { wasm } = await motoko(canisterSource('general.mo'), { persistence: 'enhanced' });
    const management = (ecid: Principal) => Actor.createActor<Management>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: ecid });
    ({ canister_id: counterId } = await management(IN_RANGE).provisional_create_canister_with_cycles({ amount: [10n ** 13n], settings: [], specified_id: [] }));
    await management(counterId).install_code({ mode: { install: null }, canister_id: counterId, wasm_module: wasm, arg: IDL.encode([], []) });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    assert.equal(server.stderr(), '', 'the server logged no internal error');
  });

  test('a secp256k1 identity: v4 update and v3 query through an Actor', async () => {
    const counter = Actor.createActor<Counter>(counterIdl, { agent: await agentFor(owner), canisterId: counterId });
    const start = await counter.get();
    assert.equal(await counter.inc(), start + 1n);
    assert.equal(await counter.get(), start + 1n);
    assert.equal((await counter.whoami()).toText(), owner.getPrincipal().toText());
  });

  test('an Ed25519 identity', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const counter = Actor.createActor<Counter>(counterIdl, { agent: await agentFor(identity), canisterId: counterId });
    assert.ok((await counter.inc()) > 0n);
    assert.equal((await counter.whoami()).toText(), identity.getPrincipal().toText());
  });

  test('v3 read_state of a request status', async () => {
    const agent = await agentFor(owner);
    const { requestId } = await agent.call(counterId, { methodName: 'inc', arg: IDL.encode([], []), effectiveCanisterId: counterId });
    const path = [utf8('request_status'), requestId];
    const { verifiedCertificate } = await agent.readState({ canisterId: counterId }, { paths: [path] });
    const status = verifiedCertificate.lookup_path([...path, utf8('status')]);
    assert.equal(status.status, 'Found');
  });

  test('v3 subnet read_state: canister ranges and public key', async () => {
    const agent = await agentFor(owner);
    const subnetId = Principal.selfAuthenticating(agent.rootKey!);
    const sid = subnetId.toUint8Array();
    const { certificate } = await agent.readState({ subnetId }, { paths: [[utf8('canister_ranges'), sid], [utf8('subnet'), sid, utf8('public_key')]] });
    const tree = decodeCertificate(certificate).tree;
    const key = lookupPath(['subnet', sid, 'public_key'], tree);
    assert.deepEqual(key.status === 'found' && key.value, agent.rootKey);
    const shard = lookupPath(['canister_ranges', sid, Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai').toUint8Array()], tree);
    assert.equal(shard.status, 'found');
  });

  test('a tampered call certificate is rejected by the client', async () => {
    // The reply in the tree is changed; the genuine signature no longer matches the root hash.
    const edit = (body: CborMap) => {
      const certificate = decodeCbor(body.get('certificate') as Uint8Array) as CborMap;
      const forged = new Map(certificate).set('tree', flipFirstLeaf(certificate.get('tree')!));
      return new Map(body).set('certificate', encodeCbor(forged as never, { selfDescribe: true }));
    };
    const agent = await agentFor(owner, { fetch: tamperingFetch('/call', edit), retryTimes: 0 });
    const counter = Actor.createActor<Counter>(counterIdl, { agent, canisterId: counterId });
    await assert.rejects(counter.inc(), /Signature verification failed/);
  });

  test('a tampered query signature is rejected by the client', async () => {
    const edit = (body: CborMap) => {
      const [signature] = body.get('signatures') as CborMap[];
      const forged = new Map(signature!).set('signature', flipLastByte(signature!.get('signature') as Uint8Array));
      return new Map(body).set('signatures', [forged]);
    };
    const agent = await agentFor(owner, { fetch: tamperingFetch('/query', edit), retryTimes: 0 });
    const counter = Actor.createActor<Counter>(counterIdl, { agent, canisterId: counterId });
    await assert.rejects(counter.get(), /Query signature verification failed/);
  });
});
