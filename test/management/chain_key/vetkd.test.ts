// vetKD through the management canister: a Motoko canister asks for public keys and encrypted keys;
// @dfinity/vetkeys derives the same public keys from the master public key, decrypts and verifies the
// keys with its transport secret key and opens IBE ciphertexts with them; fees, refunds and rejects.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { DerivedPublicKey, EncryptedVetKey, IbeCiphertext, IbeIdentity, IbeSeed, MasterPublicKey, TransportSecretKey } from '@dfinity/vetkeys';
import { Capsule } from '../../../src/api/index.ts';
import { candid } from '../../../src/management/index.ts';
import { canisterSource, motoko } from '../../support/build.ts';
import { buildUniversalCanister, decodeCycles128, prog, toBytes } from '../../universal/program.ts';
import { POCKETIC_VETKD_KEYS } from './_pocketic_keys.ts';

const Answer = IDL.Variant({ ok: IDL.Record({ key: IDL.Vec(IDL.Nat8), refunded: IDL.Nat }), reject: IDL.Text });
type Answer = { ok: { key: Uint8Array; refunded: bigint } } | { reject: string };

/** vetkd_derive_key on a 13-node application subnet: the replica's `vetkd_fee`. */
const FEE = 10_000_000_000n;
const encoder = new TextEncoder();

let wasm: Uint8Array;
before(async () => {
  ({ wasm } = await motoko(canisterSource('chain_keys.mo'), { main: 'chain_keys.mo' }));
});

async function deploy(options: { costSchedule?: 'free'; seed?: Uint8Array } = {}): Promise<{ ic: Capsule; canisterId: Principal }> {
  const ic = await Capsule.create(options);
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  return { ic, canisterId };
}

async function call(ic: Capsule, canisterId: Principal, method: string, types: IDL.Type[], values: unknown[]): Promise<Answer> {
  const reply = await ic.updateCall({ canisterId, method, arg: new Uint8Array(IDL.encode(types, values)) });
  return IDL.decode([Answer], reply)[0] as unknown as Answer;
}

function publicKey(ic: Capsule, canisterId: Principal, context: Uint8Array, keyName = 'test_key_1', of?: Principal): Promise<Answer> {
  return call(ic, canisterId, 'publicKey', [IDL.Opt(IDL.Principal), IDL.Vec(IDL.Nat8), IDL.Text], [of ? [of] : [], context, keyName]);
}

function deriveKey(ic: Capsule, canisterId: Principal, args: { input: Uint8Array; context: Uint8Array; transportKey: Uint8Array; keyName?: string; cycles?: bigint }) {
  const types = [IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Nat8), IDL.Text, IDL.Nat];
  return call(ic, canisterId, 'deriveKey', types, [args.input, args.context, args.transportKey, args.keyName ?? 'test_key_1', args.cycles ?? FEE]);
}

function ok(answer: Answer): { key: Uint8Array; refunded: bigint } {
  if ('reject' in answer) assert.fail(`rejected: ${answer.reject}`);
  return answer.ok;
}

function rejected(answer: Answer): string {
  if ('ok' in answer) assert.fail('expected a reject');
  return answer.reject;
}

/** PocketIC's master public key, which Capsule holds too. */
function masterPublicKey(keyName: string): MasterPublicKey {
  return MasterPublicKey.deserialize(Buffer.from(POCKETIC_VETKD_KEYS[keyName]!, 'hex'));
}

describe('management canister vetKD', () => {
  test('a public key is the one @dfinity/vetkeys derives from PocketIC\'s master public key for the canister and context', async () => {
    const { ic, canisterId } = await deploy();
    const context = encoder.encode('capsule test context');
    const canisterKey = masterPublicKey('test_key_1').deriveCanisterKey(canisterId.toUint8Array());
    assert.deepEqual(ok(await publicKey(ic, canisterId, context)).key, canisterKey.deriveSubKey(context).publicKeyBytes());
    // An empty context answers the canister's own key; another canister's key is asked for by id.
    assert.deepEqual(ok(await publicKey(ic, canisterId, new Uint8Array())).key, canisterKey.publicKeyBytes());
    const other = Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai');
    const otherKey = masterPublicKey('test_key_1').deriveCanisterKey(other.toUint8Array()).deriveSubKey(context);
    assert.deepEqual(ok(await publicKey(ic, canisterId, context, 'test_key_1', other)).key, otherKey.publicKeyBytes());
    // Each key id has its own master key.
    const keys = await Promise.all(['dfx_test_key', 'key_1', 'test_key_1'].map(async (name) => Buffer.from(ok(await publicKey(ic, canisterId, context, name)).key).toString('hex')));
    assert.equal(new Set(keys).size, 3);
  });

  test('every Capsule holds the same keys whatever its seed, as every PocketIC instance does', async () => {
    const context = encoder.encode('one key everywhere');
    const first = await deploy({ seed: new Uint8Array(32).fill(1) });
    const other = await deploy({ seed: new Uint8Array(32).fill(2) });
    const expected = masterPublicKey('key_1').deriveCanisterKey(first.canisterId.toUint8Array()).deriveSubKey(context).publicKeyBytes();
    assert.deepEqual(ok(await publicKey(first.ic, first.canisterId, context, 'key_1', first.canisterId)).key, expected);
    assert.deepEqual(ok(await publicKey(other.ic, other.canisterId, context, 'key_1', first.canisterId)).key, expected);
  });

  test('an encrypted key decrypts with the transport secret key, verifies, and opens an IBE ciphertext', async () => {
    const { ic, canisterId } = await deploy();
    const context = encoder.encode('messages');
    const input = Principal.fromText('2vxsx-fae').toUint8Array();
    const derivedKey = DerivedPublicKey.deserialize(ok(await publicKey(ic, canisterId, context)).key);
    const transportKey = TransportSecretKey.random();
    const answer = ok(await deriveKey(ic, canisterId, { input, context, transportKey: transportKey.publicKeyBytes() }));
    assert.equal(answer.key.length, 192);
    const vetKey = EncryptedVetKey.deserialize(answer.key).decryptAndVerify(transportKey, derivedKey, input);

    const message = encoder.encode('for the holder of the vetKey of this input only');
    const ciphertext = IbeCiphertext.encrypt(derivedKey, IbeIdentity.fromBytes(input), message, IbeSeed.random());
    assert.deepEqual(IbeCiphertext.deserialize(ciphertext.serialize()).decrypt(vetKey), message);

    // The vetKey is deterministic: another transport key carries the same key.
    const secondTransport = TransportSecretKey.random();
    const second = ok(await deriveKey(ic, canisterId, { input, context, transportKey: secondTransport.publicKeyBytes() }));
    assert.deepEqual(EncryptedVetKey.deserialize(second.key).decryptAndVerify(secondTransport, derivedKey, input).signatureBytes(), vetKey.signatureBytes());
    // Another input's key does not verify as this one.
    const otherInput = ok(await deriveKey(ic, canisterId, { input: encoder.encode('other'), context, transportKey: transportKey.publicKeyBytes() }));
    assert.throws(() => EncryptedVetKey.deserialize(otherInput.key).decryptAndVerify(transportKey, derivedKey, input), /Invalid VetKey/);
  });

  test('vetkd_derive_key costs what ic0.cost_vetkd_derive_key says and refunds the rest; too few cycles are refused with the replica text', async () => {
    const { ic, canisterId } = await deploy();
    const transportKey = TransportSecretKey.random().publicKeyBytes();
    const args = { input: encoder.encode('fees'), context: new Uint8Array(), transportKey };
    assert.equal(ok(await deriveKey(ic, canisterId, { ...args, cycles: FEE + 1234n })).refunded, 1234n);
    assert.equal(
      rejected(await deriveKey(ic, canisterId, { ...args, cycles: FEE - 1n })),
      `#canister_reject vetkd_derive_key request sent with ${FEE - 1n} cycles, but ${FEE} cycles are required.`,
    );
    // What a canister is told a derivation costs is what it is charged.
    const universal = await ic.createCanister();
    await ic.installCode({ canisterId: universal, wasm: await buildUniversalCanister(32), arg: toBytes(prog()) });
    const cost = await ic.queryCall({ canisterId: universal, method: 'query', arg: toBytes(prog().costVetkdDeriveKey('test_key_1', 0).appendAndReply()) });
    assert.equal(decodeCycles128(cost), FEE);
    // On a free cost schedule a derivation costs nothing.
    const free = await deploy({ costSchedule: 'free' });
    assert.equal(ok(await deriveKey(free.ic, free.canisterId, { ...args, cycles: 0n })).refunded, 0n);
  });

  test('an unknown key id is refused as the replica routes it, naming the keys that exist', async () => {
    const { ic, canisterId } = await deploy();
    // The replica lists every key of the network, sorted by its display form.
    const existing = ['ecdsa:Secp256k1', 'schnorr:Bip340Secp256k1', 'schnorr:Ed25519', 'vetkd:Bls12_381_G2']
      .flatMap((algorithm) => ['dfx_test_key', 'key_1', 'test_key_1'].map((name) => `${algorithm}:${name}`))
      .join(', ');
    assert.equal(
      rejected(await publicKey(ic, canisterId, new Uint8Array(), 'insecure_test_key_1')),
      `#destination_invalid Unable to route management canister request vetkd_public_key: ChainKeyError("Requested unknown threshold key: vetkd:Bls12_381_G2:insecure_test_key_1, existing keys: [${existing}]")`,
    );
    const transportKey = TransportSecretKey.random().publicKeyBytes();
    assert.equal(
      rejected(await deriveKey(ic, canisterId, { input: new Uint8Array(), context: new Uint8Array(), transportKey, keyName: 'say "hi"' })),
      `#destination_invalid Unable to route management canister request vetkd_derive_key: ChainKeyError("Requested unknown or disabled threshold key: vetkd:Bls12_381_G2:say \\"hi\\", existing enabled keys: [${existing}]")`,
    );
  });

  test('a transport public key that is not a G1 point, or not 48 bytes, is refused and the cycles come back', async () => {
    const { ic, canisterId } = await deploy();
    const args = { input: encoder.encode('x'), context: new Uint8Array() };
    const before = await ic.getCycleBalance(canisterId);
    assert.equal(
      rejected(await deriveKey(ic, canisterId, { ...args, transportKey: new Uint8Array(48).fill(1) })),
      '#canister_reject The provided transport public key is invalid.',
    );
    assert.match(rejected(await deriveKey(ic, canisterId, { ...args, transportKey: new Uint8Array(47) })), /^#canister_reject Error decoding candid: invalid length 47/);
    assert.ok(before - (await ic.getCycleBalance(canisterId)) < FEE, 'the fee was not kept');
  });

  test('users cannot call the vetKD methods through ingress', async () => {
    const ic = await Capsule.create();
    const arg = candid.encodeManagementArg('vetkd_public_key', { canister_id: [], context: new Uint8Array(), key_id: { curve: { bls12_381_g2: null }, name: 'key_1' } });
    await assert.rejects(ic.callManagement('vetkd_public_key', arg), /Only canisters can call the management canister method vetkd_public_key/);
  });
});
