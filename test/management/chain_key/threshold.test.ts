// Threshold ECDSA and Schnorr signatures: a Motoko canister asks for its public keys and signs with
// each key type; every key is the one @dfinity/ic-pub-key derives from PocketIC's master public key,
// and every signature verifies against it; fees, rejects and ingress refusal.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { secp256k1 as icSecp256k1 } from '@dfinity/ic-pub-key/ecdsa';
import { bip340secp256k1 as icBip340, ed25519 as icEd25519 } from '@dfinity/ic-pub-key/schnorr';
import type { Principal } from '@dfinity/principal';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Capsule, CallError } from '../../../src/api/index.ts';
import { replicaOf } from '../../../src/api/testing.ts';
import { candid, handleManagementCall } from '../../../src/management/index.ts';
import { canisterSource, motoko } from '../../support/build.ts';

/** The IC's signing fee on a 13-node application subnet. */
const FEE = 10_000_000_000n;
const PATH = [new Uint8Array([1, 2, 3]), new TextEncoder().encode('wallet')];
const MESSAGE = new TextEncoder().encode('a message of any length, signed whole by Schnorr schemes');
const HASH = sha256(new TextEncoder().encode('hashed for ECDSA'));

const PublicKey = IDL.Record({ public_key: IDL.Vec(IDL.Nat8), chain_code: IDL.Vec(IDL.Nat8) });
const KeyResult = IDL.Variant({ ok: PublicKey, err: IDL.Text });
const SignResult = IDL.Variant({ ok: IDL.Vec(IDL.Nat8), err: IDL.Text });
const Algorithm = IDL.Variant({ bip340secp256k1: IDL.Null, ed25519: IDL.Null });
const Aux = IDL.Variant({ bip341: IDL.Record({ merkle_root_hash: IDL.Vec(IDL.Nat8) }) });
type Outcome<T> = { ok: T } | { err: string };
type Key = { public_key: Uint8Array; chain_code: Uint8Array };
type SchnorrAlgorithm = 'bip340secp256k1' | 'ed25519';

let wasm: Uint8Array;
before(async () => {
  ({ wasm } = await motoko(canisterSource('chain_keys.mo'), { main: 'chain_keys.mo' }));
});

async function deploy(options: { costSchedule?: 'free'; seed?: Uint8Array } = {}): Promise<{ ic: Capsule; canisterId: Principal }> {
  const ic = await Capsule.create({ costSchedule: options.costSchedule, seed: options.seed });
  const canisterId = await ic.createCanister({ cycles: 1_000_000_000_000_000n });
  await ic.installCode({ canisterId, wasm });
  return { ic, canisterId };
}

/** Calls the canister; its results (a Motoko function returning a tuple has one result per element). */
async function call<T>(ic: Capsule, canisterId: Principal, method: string, types: IDL.Type[], args: unknown[], results: IDL.Type[]): Promise<T> {
  const reply = await ic.updateCall({ canisterId, method, arg: new Uint8Array(IDL.encode(types, args)) });
  const decoded = IDL.decode(results, reply);
  return (results.length === 1 ? decoded[0] : decoded) as T;
}

function ok<T>(outcome: Outcome<T>): T {
  if ('err' in outcome) assert.fail(`rejected: ${outcome.err}`);
  return outcome.ok;
}

const bytes = (value: Uint8Array | number[]): Uint8Array => Uint8Array.from(value);
const hex = (value: Uint8Array | number[]): string => Buffer.from(bytes(value)).toString('hex');

/** The canister's key equals the one a client library derived, public key and chain code. */
function assertSameKey(key: Key, expected: { public_key: { toHex(): string }; chain_code: { toHex(): string } }): void {
  assert.deepEqual({ public_key: hex(key.public_key), chain_code: hex(key.chain_code) }, { public_key: expected.public_key.toHex(), chain_code: expected.chain_code.toHex() });
}

async function ecdsaKey(ic: Capsule, canisterId: Principal, name: string, path = PATH): Promise<Outcome<Key>> {
  return call(ic, canisterId, 'ecdsaPublicKey', [IDL.Text, IDL.Vec(IDL.Vec(IDL.Nat8))], [name, path], [KeyResult]);
}

async function schnorrKey(ic: Capsule, canisterId: Principal, algorithm: SchnorrAlgorithm, name: string): Promise<Outcome<Key>> {
  return call(ic, canisterId, 'schnorrPublicKey', [Algorithm, IDL.Text, IDL.Vec(IDL.Vec(IDL.Nat8))], [{ [algorithm]: null }, name, PATH], [KeyResult]);
}

async function signEcdsa(ic: Capsule, canisterId: Principal, name: string, hash: Uint8Array, cycles: bigint): Promise<[Outcome<Uint8Array>, bigint]> {
  const types = [IDL.Text, IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Vec(IDL.Nat8)), IDL.Nat];
  return call(ic, canisterId, 'signEcdsa', types, [name, hash, PATH, cycles], [SignResult, IDL.Nat]);
}

async function signSchnorr(
  ic: Capsule,
  canisterId: Principal,
  algorithm: SchnorrAlgorithm,
  options: { name?: string; merkleRoot?: Uint8Array; cycles?: bigint } = {},
): Promise<[Outcome<Uint8Array>, bigint]> {
  const types = [Algorithm, IDL.Text, IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Vec(IDL.Nat8)), IDL.Opt(Aux), IDL.Nat];
  const aux = options.merkleRoot ? [{ bip341: { merkle_root_hash: options.merkleRoot } }] : [];
  const args = [{ [algorithm]: null }, options.name ?? 'key_1', MESSAGE, PATH, aux, options.cycles ?? FEE];
  return call(ic, canisterId, 'signSchnorr', types, args, [SignResult, IDL.Nat]);
}

describe('threshold ECDSA', () => {
  test('a signature verifies against the public key the canister gets, and the same request gets the same signature', async () => {
    const { ic, canisterId } = await deploy();
    const key = ok(await ecdsaKey(ic, canisterId, 'dfx_test_key'));

    const [signed, refunded] = await signEcdsa(ic, canisterId, 'dfx_test_key', HASH, FEE + 1_000n);
    const signature = bytes(ok(signed));
    assert.equal(signature.length, 64);
    assert.equal(refunded, 1_000n, 'the fee is kept and the rest of the attached cycles refunded');
    assert.ok(secp256k1.verify(signature, HASH, bytes(key.public_key), { prehash: false, lowS: true }));
    const [again] = await signEcdsa(ic, canisterId, 'dfx_test_key', HASH, FEE);
    assert.equal(hex(ok(again)), hex(signature), 'RFC 6979 nonces: the same request gets the same signature');
  });

  test('each key name and each derivation path is a different key', async () => {
    const { ic, canisterId } = await deploy();
    const keys = [ok(await ecdsaKey(ic, canisterId, 'key_1')), ok(await ecdsaKey(ic, canisterId, 'test_key_1')), ok(await ecdsaKey(ic, canisterId, 'key_1', []))];
    assert.equal(new Set(keys.map((key) => hex(key.public_key))).size, 3);
  });

  test('too few cycles, an unknown key and a hash not of 32 bytes are rejected with the replica text, keeping no cycle', async () => {
    const { ic, canisterId } = await deploy();
    const before = await ic.getCycleBalance(canisterId);
    const [poor] = await signEcdsa(ic, canisterId, 'key_1', HASH, FEE - 1n);
    assert.deepEqual(poor, { err: `#canister_reject sign_with_ecdsa request sent with ${FEE - 1n} cycles, but ${FEE} cycles are required.` });
    const [unknown] = await signEcdsa(ic, canisterId, 'nope', HASH, FEE);
    assert.ok('err' in unknown);
    assert.match(
      unknown.err,
      /^#destination_invalid Unable to route management canister request sign_with_ecdsa: ChainKeyError\("Requested unknown or disabled threshold key: ecdsa:Secp256k1:nope, existing enabled keys: \[ecdsa:Secp256k1:dfx_test_key, ecdsa:Secp256k1:key_1, /,
    );
    const [short] = await signEcdsa(ic, canisterId, 'key_1', HASH.subarray(1), FEE);
    assert.ok('err' in short && short.err.includes('invalid length 31, expected a byte array of length 32'), JSON.stringify(short));
    const spent = before - (await ic.getCycleBalance(canisterId));
    assert.ok(spent < FEE / 100n, `three rejected requests cost only their execution, not the fee: ${spent}`);
    const publicUnknown = await ecdsaKey(ic, canisterId, 'nope');
    assert.ok('err' in publicUnknown && publicUnknown.err.includes('Requested unknown threshold key: ecdsa:Secp256k1:nope, existing keys: [ecdsa:Secp256k1:dfx_test_key'));
  });

  test('a derivation path of more than 255 elements is refused as the replica decodes it', async () => {
    const { ic, canisterId } = await deploy();
    const long = await ecdsaKey(ic, canisterId, 'key_1', Array.from({ length: 256 }, () => new Uint8Array(0)));
    assert.ok('err' in long && long.err.includes('The number of elements exceeds maximum allowed 255'), JSON.stringify(long));
    ok(await ecdsaKey(ic, canisterId, 'key_1', Array.from({ length: 255 }, () => new Uint8Array(0))));
  });

  test('ingress may not call the signing or public key methods', async () => {
    const { ic, canisterId } = await deploy();
    const arg = candid.encodeManagementArg('sign_with_ecdsa', { message_hash: HASH, derivation_path: [], key_id: { curve: { secp256k1: null }, name: 'key_1' } });
    await assert.rejects(ic.callManagement('sign_with_ecdsa', arg), (error: CallError) => error.message.includes('Only canisters can call the management canister method sign_with_ecdsa'));
    const keyArg = candid.encodeManagementArg('ecdsa_public_key', { canister_id: [canisterId], derivation_path: [], key_id: { curve: { secp256k1: null }, name: 'key_1' } });
    await assert.rejects(ic.callManagement('ecdsa_public_key', keyArg), CallError);
  });

  test('a signing request with an empty argument is refused before decoding, refunding its cycles', async () => {
    const ic = await Capsule.create();
    const replica = replicaOf(ic);
    const sender = await ic.createCanister();
    const origin = { kind: 'canister', caller: sender, callbackId: 1, deadline: 0n } as const;
    for (const method of ['sign_with_ecdsa', 'sign_with_schnorr']) {
      const round = { env: replica.env(), outbox: [], ingressResults: [] };
      const outcome = handleManagementCall({ state: replica.state, round }, { sender, method, arg: new Uint8Array(0), cycles: FEE, origin });
      assert.deepEqual(outcome.kind === 'reject' && [outcome.error.rejectCode, outcome.error.message, outcome.refund], [4, 'An empty message cannot be signed', FEE]);
    }
  });

  test('on a free cost schedule signing takes no cycles', async () => {
    const { ic, canisterId } = await deploy({ costSchedule: 'free' });
    const [signed, refunded] = await signEcdsa(ic, canisterId, 'key_1', HASH, 0n);
    assert.equal(bytes(ok(signed)).length, 64);
    assert.equal(refunded, 0n);
  });
});

describe('threshold master keys', () => {
  test('every key a canister gets is the one @dfinity/ic-pub-key derives from PocketIC\'s master key, for each scheme and key name', async () => {
    const { ic, canisterId } = await deploy();
    for (const name of ['dfx_test_key', 'key_1', 'test_key_1']) {
      const ecdsa = icSecp256k1.PublicKeyWithChainCode.forPocketIcKey(name);
      assertSameKey(ok(await ecdsaKey(ic, canisterId, name)), ecdsa.deriveSubkeyWithChainCode(icSecp256k1.DerivationPath.withCanisterPrefix(canisterId, PATH)));
      const bip340 = icBip340.PublicKeyWithChainCode.forPocketIcKey(name);
      assertSameKey(ok(await schnorrKey(ic, canisterId, 'bip340secp256k1', name)), bip340.deriveSubkeyWithChainCode(icBip340.DerivationPath.withCanisterPrefix(canisterId, PATH)));
      const ed = icEd25519.PublicKeyWithChainCode.forPocketIcKey(name);
      assertSameKey(ok(await schnorrKey(ic, canisterId, 'ed25519', name)), ed.deriveSubkeyWithChainCode(icEd25519.DerivationPath.withCanisterPrefix(canisterId, PATH)));
    }
  });

  test('are the same on every Capsule whatever its seed, as on PocketIC: the same keys and signatures', async () => {
    const first = await deploy({ seed: new Uint8Array(32).fill(5) });
    const other = await deploy({ seed: new Uint8Array(32).fill(6) });
    assert.notEqual(hex(first.ic.rootKey), hex(other.ic.rootKey), 'two networks');
    const keys = await Promise.all([first, other].map(({ ic, canisterId }) => schnorrKey(ic, canisterId, 'bip340secp256k1', 'key_1')));
    assert.equal(hex(ok(keys[0]!).public_key), hex(ok(keys[1]!).public_key));
    const [one] = await signSchnorr(first.ic, first.canisterId, 'bip340secp256k1');
    const [two] = await signSchnorr(other.ic, other.canisterId, 'bip340secp256k1');
    assert.equal(hex(ok(one)), hex(ok(two)));
  });
});

/** BIP341's output key for an internal key and a script tree root (empty: no scripts). */
function taprootOutputKey(internal: Uint8Array, merkleRoot: Uint8Array): Uint8Array {
  const xOnly = internal.subarray(1);
  const tweak = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', xOnly, merkleRoot));
  return schnorr.utils.lift_x(bytesToNumberBE(xOnly)).add(schnorr.Point.BASE.multiply(tweak)).toBytes(true).subarray(1);
}

describe('threshold Schnorr', () => {
  test('BIP340: signatures verify against the canister\'s key, tweaked by a taproot root or not', async () => {
    const { ic, canisterId } = await deploy();
    const key = ok(await schnorrKey(ic, canisterId, 'bip340secp256k1', 'test_key_1'));

    const [signed, refunded] = await signSchnorr(ic, canisterId, 'bip340secp256k1', { name: 'test_key_1', cycles: FEE + 7n });
    const signature = bytes(ok(signed));
    assert.equal(refunded, 7n);
    assert.ok(schnorr.verify(signature, MESSAGE, bytes(key.public_key).subarray(1)));
    const [again] = await signSchnorr(ic, canisterId, 'bip340secp256k1', { name: 'test_key_1' });
    assert.equal(hex(ok(again)), hex(signature), 'the auxiliary randomness is a hash of the inputs');

    for (const merkleRoot of [new Uint8Array(0), new Uint8Array(32).fill(0xab)]) {
      const [tweaked] = await signSchnorr(ic, canisterId, 'bip340secp256k1', { name: 'test_key_1', merkleRoot });
      assert.ok(schnorr.verify(bytes(ok(tweaked)), MESSAGE, taprootOutputKey(bytes(key.public_key), merkleRoot)));
    }
    const [badRoot] = await signSchnorr(ic, canisterId, 'bip340secp256k1', { merkleRoot: new Uint8Array(31) });
    assert.deepEqual(badRoot, { err: '#canister_reject Invalid aux field for Bip340Secp256k1' });
  });

  test('Ed25519: signatures verify as RFC 8032 against the canister\'s key', async () => {
    const { ic, canisterId } = await deploy();
    const key = ok(await schnorrKey(ic, canisterId, 'ed25519', 'key_1'));

    const [signed, refunded] = await signSchnorr(ic, canisterId, 'ed25519', { cycles: FEE });
    const signature = bytes(ok(signed));
    assert.equal(refunded, 0n);
    assert.ok(ed25519.verify(signature, MESSAGE, bytes(key.public_key)));
    assert.equal(hex(ok((await signSchnorr(ic, canisterId, 'ed25519'))[0])), hex(signature), 'Ed25519 signatures are deterministic');

    const [withAux] = await signSchnorr(ic, canisterId, 'ed25519', { merkleRoot: new Uint8Array(32) });
    assert.deepEqual(withAux, { err: '#canister_reject Schnorr algorithm Ed25519 does not support aux input' });
    const [poor] = await signSchnorr(ic, canisterId, 'ed25519', { cycles: 0n });
    assert.deepEqual(poor, { err: `#canister_reject sign_with_schnorr request sent with 0 cycles, but ${FEE} cycles are required.` });
  });
});
