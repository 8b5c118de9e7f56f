// Requests signed with a WebAuthn key over the HTTP interface (hand-built envelopes, and @icp-sdk/core's
// agent with a WebAuthn identity): a v4 call creates a canister as the
// key's self-authenticating principal (its controller), a controller-only call goes through a
// delegation from the WebAuthn key to a session key, and a tampered signature or challenge is refused with 400 and the reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Actor, type ActorMethod, HttpAgent, type PublicKey, type Signature, SignIdentity } from '@icp-sdk/core/agent';
import { Principal as SdkPrincipal } from '@icp-sdk/core/principal';
import { Capsule } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import {
  type CborValue,
  domainSeparators,
  ed25519PublicKeyToDer,
  encodeCbor,
  hashOfMap,
  requestIdOf,
  selfAuthenticatingId,
} from '../../src/certification/index.ts';
import { type HttpServerHandle, startHttpServer } from '../../src/http/index.ts';
import { callContent, certifiedValue, expiryIn, post } from './_envelopes.ts';
import { encodeAnswer, SoftwareAuthenticator } from '../certification/_webauthn_authenticator.ts';

const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
const MANAGEMENT = new Uint8Array(0);
const passkey = new SoftwareAuthenticator('p256', 'https://identity.internetcomputer.org');
const sender = selfAuthenticatingId(passkey.der);
let server: HttpServerHandle;
let capsule: Capsule;
let created: Principal;

before(async () => {
  capsule = await Capsule.create();
  server = await startHttpServer({ replica: replicaOf(capsule), port: 0, log: () => {}, debug: () => {} });
});
after(() => server.close());

const withIcRequest = (requestId: Uint8Array) => new Uint8Array([...domainSeparators.IC_REQUEST, ...requestId]);

function createCanisterContent(): Record<string, CborValue> {
  const arg = new Uint8Array(IDL.encode([IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Null) })], [{ amount: [], settings: [] }]));
  return callContent('call', MANAGEMENT, 'provisional_create_canister_with_cycles', arg, sender) as Record<string, CborValue>;
}

test('a v4 call signed by a WebAuthn key is executed as its self-authenticating principal', async () => {
  const content = createCanisterContent();
  const requestId = requestIdOf(content as never);
  const body = encodeCbor({ content, sender_pubkey: passkey.der, sender_sig: passkey.sign(withIcRequest(requestId)) }, { selfDescribe: true });
  const answer = await post(server.url, `/api/v4/canister/${IN_RANGE.toText()}/call`, body);
  assert.equal(answer.status, 200, answer.text());
  assert.equal(new TextDecoder().decode(certifiedValue(answer, ['request_status', requestId, 'status'])), 'replied');
  const reply = certifiedValue(answer, ['request_status', requestId, 'reply'])!;
  const [result] = IDL.decode([IDL.Record({ canister_id: IDL.Principal })], reply) as unknown as [{ canister_id: Principal }];
  created = result.canister_id;
  const controllers = replicaOf(capsule).canister(created)!.settings.controllers.map((c) => c.toText());
  assert.deepEqual(controllers, [Principal.fromUint8Array(sender).toText()]);
});

test('a tampered WebAuthn signature or a signature of another request is refused with 400', async () => {
  const content = createCanisterContent();
  const requestId = requestIdOf(content as never);
  const answer = passkey.answer(withIcRequest(requestId));
  const signature = answer.signature.slice();
  signature[signature.length - 3]! ^= 1;
  const tampered = encodeCbor({ content, sender_pubkey: passkey.der, sender_sig: encodeAnswer({ ...answer, signature }) }, { selfDescribe: true });
  const refused = await post(server.url, `/api/v4/canister/${IN_RANGE.toText()}/call`, tampered);
  assert.equal(refused.status, 400);
  assert.match(refused.text(), /Failed to authenticate request 0x[0-9a-f]+: invalid request signature: Verifying ECDSA P-256 WebAuthn signature failed/);
  const other = requestIdOf(createCanisterContent() as never);
  const replayed = encodeCbor({ content, sender_pubkey: passkey.der, sender_sig: passkey.sign(withIcRequest(other)) }, { selfDescribe: true });
  const wrongChallenge = await post(server.url, `/api/v4/canister/${IN_RANGE.toText()}/call`, replayed);
  assert.equal(wrongChallenge.status, 400);
  assert.match(wrongChallenge.text(), /Challenge in webauthn is 0x[0-9a-f]+ while it is expected to be 0x[0-9a-f]+/);
});

test('a delegation from a WebAuthn key to a session key authenticates a controller-only call', async () => {
  const sessionSecret = ed25519.utils.randomSecretKey();
  const sessionDer = ed25519PublicKeyToDer(ed25519.getPublicKey(sessionSecret));
  const delegation = new Map<string, CborValue>([['pubkey', sessionDer], ['expiration', expiryIn(30)]]);
  const signedDelegation = new Map<string, CborValue>([
    ['delegation', delegation],
    ['signature', passkey.sign(new Uint8Array([...domainSeparators.IC_REQUEST_AUTH_DELEGATION, ...hashOfMap(delegation)]))],
  ]);
  const arg = new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: created }]));
  const content = callContent('call', MANAGEMENT, 'canister_status', arg, sender) as Record<string, CborValue>;
  const requestId = requestIdOf(content as never);
  const body = encodeCbor(
    { content, sender_pubkey: passkey.der, sender_sig: ed25519.sign(withIcRequest(requestId), sessionSecret), sender_delegation: [signedDelegation] },
    { selfDescribe: true },
  );
  const answer = await post(server.url, `/api/v4/canister/${created.toText()}/call`, body);
  assert.equal(answer.status, 200, answer.text());
  assert.equal(new TextDecoder().decode(certifiedValue(answer, ['request_status', requestId, 'status'])), 'replied');
});

/** An @icp-sdk/core identity backed by the software authenticator, as a passkey-based wallet would build one. */
class PasskeyIdentity extends SignIdentity {
  readonly #authenticator: SoftwareAuthenticator;
  constructor(authenticator: SoftwareAuthenticator) {
    super();
    this.#authenticator = authenticator;
  }
  getPublicKey(): PublicKey {
    const der = this.#authenticator.der;
    return { toDer: () => der as never, derKey: der as never };
  }
  async sign(blob: Uint8Array): Promise<Signature> {
    return this.#authenticator.sign(blob) as Signature;
  }
}

test('@icp-sdk/core with a WebAuthn identity creates a canister through a v4 call', async () => {
  const identity = new PasskeyIdentity(new SoftwareAuthenticator('rsa'));
  const agent = await HttpAgent.create({ host: server.url, identity, shouldFetchRootKey: true });
  const management = Actor.createActor<{ provisional_create_canister_with_cycles: ActorMethod<[{ amount: [] | [bigint]; settings: [] }], { canister_id: SdkPrincipal }> }>(
    ({ IDL }) =>
      IDL.Service({
        provisional_create_canister_with_cycles: IDL.Func(
          [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})) })],
          [IDL.Record({ canister_id: IDL.Principal })],
          [],
        ),
      }),
    { agent, canisterId: SdkPrincipal.managementCanister(), effectiveCanisterId: SdkPrincipal.fromText(IN_RANGE.toText()) },
  );
  const { canister_id } = await management.provisional_create_canister_with_cycles({ amount: [], settings: [] });
  const controllers = replicaOf(capsule).canister(Principal.fromText(canister_id.toText()))!.settings.controllers.map((c) => c.toText());
  assert.deepEqual(controllers, [identity.getPrincipal().toText()]);
});
