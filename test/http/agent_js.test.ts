// @dfinity/agent 3.x against a real `capsule start`: v3 sync calls, v2 queries and read_state, with
// the client's default verification on (BLS certificates, query node signatures, certificate time).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Actor,
  Certificate,
  DelegationChain,
  DelegationIdentity,
  Ed25519KeyIdentity,
  HttpAgent,
  IDL,
  Principal,
  type ActorMethod,
  type Identity,
} from '../clients/agent3/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { startServer, type ServerProcess } from './_server.ts';

/** The first user canister id of the subnet (index 0x100000): an effective id in its ranges. */
const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
const utf8 = (s: string) => new TextEncoder().encode(s);

interface Management {
  provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: [] | [{ controllers: [] | [Principal[]] }]; specified_id: [] }], { canister_id: Principal }>;
  install_code: ActorMethod<[{ mode: { install: null }; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
}
const managementIdl: IDL.InterfaceFactory = ({ IDL }) => {
  const settings = IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)) });
  return IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(settings), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
    install_code: IDL.Func(
      [IDL.Record({ mode: IDL.Variant({ install: IDL.Null }), canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) })],
      [],
      [],
    ),
  });
};

interface Counter {
  inc: ActorMethod<[], bigint>;
  get: ActorMethod<[], bigint>;
  whoami: ActorMethod<[], Principal>;
}
const counterIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    inc: IDL.Func([], [IDL.Nat], []),
    get: IDL.Func([], [IDL.Nat], ['query']),
    whoami: IDL.Func([], [IDL.Principal], ['query']),
  });

interface Trapper {
  boom: ActorMethod<[], undefined>;
  rejectMe: ActorMethod<[], undefined>;
}
const trapperIdl: IDL.InterfaceFactory = ({ IDL }) => IDL.Service({ boom: IDL.Func([], [], []), rejectMe: IDL.Func([], [], []) });

let server: ServerProcess;
const owner = Ed25519KeyIdentity.generate();

async function agentFor(identity: Identity, options: { retryTimes?: number } = {}): Promise<HttpAgent> {
  return HttpAgent.create({ host: server.url, identity, shouldFetchRootKey: true, ...options });
}

async function deploy(agent: HttpAgent, file: string): Promise<Principal> {
  const { wasm } = await motoko(canisterSource(file), { persistence: 'enhanced' });
  const create = Actor.createActor<Management>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: IN_RANGE });
  const { canister_id } = await create.provisional_create_canister_with_cycles({ amount: [10n ** 13n], settings: [], specified_id: [] });
  const install = Actor.createActor<Management>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId: canister_id });
  await install.install_code({ mode: { install: null }, canister_id, wasm_module: wasm, arg: IDL.encode([], []) });
  return canister_id;
}

describe('@dfinity/agent 3 against capsule start', () => {
  let agent: HttpAgent;
  let counterId: Principal;

  before(async () => {
    server = await startServer();
    agent = await agentFor(owner);
    counterId = await deploy(agent, 'general.mo');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    assert.equal(server.stderr(), '', 'the server logged no internal error');
  });

  test('the root key comes from /api/v2/status and is a 133-byte DER BLS key', () => {
    assert.equal(agent.rootKey?.length, 133);
  });

  test('create and install through the management canister, update and query through an Actor', async () => {
    const counter = Actor.createActor<Counter>(counterIdl, { agent, canisterId: counterId });
    assert.equal(await counter.inc(), 1n);
    assert.equal(await counter.inc(), 2n);
    assert.equal(await counter.get(), 2n);
    assert.equal((await counter.whoami()).toText(), owner.getPrincipal().toText());
  });

  test('read_state of a request status and of the module hash', async () => {
    const { requestId } = await agent.call(counterId, { methodName: 'inc', arg: IDL.encode([], []), effectiveCanisterId: counterId });
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'replied'; i++) {
      const response = await agent.readState(counterId, { paths: [[utf8('request_status'), requestId]] });
      const certificate = await Certificate.create({ certificate: response.certificate, rootKey: agent.rootKey!, canisterId: counterId });
      const found = certificate.lookup_path([utf8('request_status'), requestId, utf8('status')]);
      status = 'value' in found && found.value instanceof Uint8Array ? new TextDecoder().decode(found.value) : undefined;
      if (status !== 'replied') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 'replied');
    const response = await agent.readState(counterId, { paths: [[utf8('canister'), counterId.toUint8Array(), utf8('module_hash')]] });
    const certificate = await Certificate.create({ certificate: response.certificate, rootKey: agent.rootKey!, canisterId: counterId });
    const hash = certificate.lookup_path([utf8('canister'), counterId.toUint8Array(), utf8('module_hash')]);
    assert.equal('value' in hash && hash.value instanceof Uint8Array ? hash.value.length : 0, 32);
  });

  test('certified_data is not readable by users: 4xx', async () => {
    const strict = await agentFor(owner, { retryTimes: 0 });
    await assert.rejects(
      strict.readState(counterId, { paths: [[utf8('canister'), counterId.toUint8Array(), utf8('certified_data')]] }),
      (e: Error) => /\b4\d\d\b/.test(String(e.message)) || /40\d/.test(JSON.stringify(e)),
    );
  });

  test('a delegation identity calls as the delegating principal', async () => {
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(owner, session.getPublicKey(), new Date(Date.now() + 60_000), { targets: [counterId] });
    const delegated = DelegationIdentity.fromDelegation(session, chain);
    const counter = Actor.createActor<Counter>(counterIdl, { agent: await agentFor(delegated), canisterId: counterId });
    const before = await counter.get();
    assert.equal(await counter.inc(), before + 1n);
    assert.equal((await counter.whoami()).toText(), owner.getPrincipal().toText());
  });

  test('a delegation whose targets exclude the canister is refused', async () => {
    const session = Ed25519KeyIdentity.generate();
    const elsewhere = Principal.fromText('rkp4c-7iaaa-aaaaa-aaaca-cai');
    const chain = await DelegationChain.create(owner, session.getPublicKey(), new Date(Date.now() + 60_000), { targets: [elsewhere] });
    const delegated = DelegationIdentity.fromDelegation(session, chain);
    const counter = Actor.createActor<Counter>(counterIdl, { agent: await agentFor(delegated, { retryTimes: 0 }), canisterId: counterId });
    await assert.rejects(counter.inc(), /403|delegation targets/);
  });

  test('a rejected call surfaces its reject code', async () => {
    const trapperId = await deploy(agent, 'general.mo');
    const trapper = Actor.createActor<Trapper>(trapperIdl, { agent, canisterId: trapperId });
    await assert.rejects(trapper.boom(), (e: { cause?: { code?: { rejectCode?: number } } }) => e.cause?.code?.rejectCode === 5);
    await assert.rejects(trapper.rejectMe(), (e: { cause?: { code?: { rejectCode?: number } } }) => e.cause?.code?.rejectCode === 4);
  });

  test('a call to a missing method is a certified reject, a query to a missing canister a signed reject', async () => {
    const strict = await agentFor(owner, { retryTimes: 0 });
    const bogus = Actor.createActor<Counter>(counterIdl, { agent: strict, canisterId: Principal.fromText('rno2w-sqaaa-aaaaa-aaacq-cai') });
    await assert.rejects(bogus.get(), (e: { cause?: { code?: { rejectCode?: number } } }) => e.cause?.code?.rejectCode === 3);
    await assert.rejects(bogus.inc(), (e: { cause?: { code?: { rejectCode?: number } } }) => e.cause?.code?.rejectCode === 3);
  });
});
