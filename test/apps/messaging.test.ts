// The messaging application's backend (apps/messaging/backend/main.mo) in-process: who may read and post,
// history pages, unread counts, upgrades, and that the canister's memory holds ciphertext and never the
// plaintext the members exchanged (the encryption is the frontend's own module, WebCrypto in Node).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Principal } from '@icp-sdk/core/principal';
import { Capsule, Principal as ReplicaPrincipal } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import {
  decryptMessage,
  encryptMessage,
  type EncryptionKeys,
  generateEncryptionKeys,
  generateRoomKey,
  unwrapRoomKey,
  wrapRoomKey,
} from '../../apps/messaging/frontend/src/crypto.ts';
import { type MessagingService, unwrap } from '../../apps/messaging/frontend/src/interface.ts';
import { messagingAs, messagingWasm, userPrincipal } from './_messaging.ts';

let wasm: Uint8Array;
before(async () => {
  wasm = await messagingWasm();
});

interface User {
  readonly id: Principal;
  readonly api: MessagingService;
  readonly keys: EncryptionKeys;
}

async function setUp(): Promise<{ ic: Capsule; canisterId: Principal; user: (seed: number, name: string) => Promise<User> }> {
  const ic = await Capsule.create();
  const canisterId = Principal.fromText((await ic.createCanister()).toText());
  await ic.installCode({ canisterId, wasm });
  const user = async (seed: number, name: string): Promise<User> => {
    const id = userPrincipal(seed);
    const api = messagingAs(ic, canisterId, id);
    const keys = await generateEncryptionKeys();
    unwrap(await api.register(name, keys.publicKey));
    return { id, api, keys };
  };
  return { ic, canisterId, user };
}

/** `owner` creates a room and adds `others`, wrapping a fresh room key for each. */
async function roomOf(owner: User, others: User[]): Promise<{ id: bigint; key: CryptoKey }> {
  const key = await generateRoomKey();
  const room = unwrap(await owner.api.create_room('general', await wrapRoomKey(key, owner.keys, owner.keys.publicKey)));
  for (const other of others) {
    const profile = unwrap(await owner.api.profile(other.id));
    unwrap(await owner.api.add_member(room.id, other.id, await wrapRoomKey(key, owner.keys, profile.public_key)));
  }
  return { id: room.id, key };
}

async function post(user: User, room: { id: bigint; key: CryptoKey }, text: string): Promise<bigint> {
  const sealed = await encryptMessage(room.key, text);
  return unwrap(await user.api.post(room.id, sealed.ciphertext, sealed.nonce));
}

function errorOf(result: object): string {
  assert.ok('err' in result, `expected an error, got ${JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return Object.keys(result.err as object)[0]!;
}

test('a member decrypts what another posted with the room key unwrapped from its own copy; the canister holds the ciphertext, never the plaintext', async () => {
  const { ic, canisterId, user } = await setUp();
  const alice = await user(1, 'Alice');
  const bob = await user(2, 'Bob');
  const room = await roomOf(alice, [bob]);
  const plaintext = 'The eagle lands at midnight by the old mill';
  const sealed = await encryptMessage(room.key, plaintext);
  unwrap(await alice.api.post(room.id, sealed.ciphertext, sealed.nonce));

  const [bobsRoom] = unwrap(await bob.api.my_rooms());
  const bobsKey = await unwrapRoomKey(bobsRoom!.key, bob.keys);
  const [message] = unwrap(await bob.api.messages(room.id, [], 10n));
  assert.equal(message!.sender.toText(), alice.id.toText());
  assert.equal(await decryptMessage(bobsKey, message!), plaintext);

  const canister = replicaOf(ic).canister(ReplicaPrincipal.fromText(canisterId.toText()))!;
  const memory = Buffer.concat([canister.wasm!.heap(), stableBytes(canister.stable)]);
  assert.equal(memory.indexOf(Buffer.from(plaintext)), -1, 'the plaintext is nowhere in heap or stable memory');
  assert.equal(memory.indexOf(Buffer.from(plaintext.slice(0, 12))), -1, 'nor any 12-byte piece of its start');
  assert.ok(memory.indexOf(Buffer.from(sealed.ciphertext)) >= 0, 'the ciphertext is in the heap');
  await ic.close();
});

function stableBytes(stable: { byteLength: bigint; read(offset: number, target: Uint8Array, targetOffset: number, length: number): void }): Uint8Array {
  const bytes = new Uint8Array(Number(stable.byteLength));
  stable.read(0, bytes, 0, bytes.length);
  return bytes;
}

test('a non-member can neither read, post, list members nor add anyone; the anonymous principal is refused everywhere', async () => {
  const { ic, canisterId, user } = await setUp();
  const alice = await user(1, 'Alice');
  const bob = await user(2, 'Bob');
  const eve = await user(3, 'Eve');
  const room = await roomOf(alice, [bob]);
  await post(alice, room, 'members only');
  const sealed = await encryptMessage(room.key, 'let me in');

  assert.equal(errorOf(await eve.api.messages(room.id, [], 10n)), 'not_a_member');
  assert.equal(errorOf(await eve.api.post(room.id, sealed.ciphertext, sealed.nonce)), 'not_a_member');
  assert.equal(errorOf(await eve.api.members(room.id)), 'not_a_member');
  assert.equal(errorOf(await eve.api.mark_read(room.id, 1n)), 'not_a_member');
  assert.equal(errorOf(await eve.api.add_member(room.id, eve.id, await wrapRoomKey(room.key, eve.keys, eve.keys.publicKey))), 'not_a_member');
  assert.equal(errorOf(await eve.api.messages(99n, [], 10n)), 'not_a_member', 'an unknown room looks like a room one is not in');
  assert.deepEqual(unwrap(await eve.api.my_rooms()), []);
  assert.equal(errorOf(await bob.api.add_member(room.id, eve.id, await wrapRoomKey(room.key, bob.keys, eve.keys.publicKey))), 'not_the_creator');

  const anonymous = messagingAs(ic, canisterId, Principal.anonymous());
  assert.equal(errorOf(await anonymous.register('Anon', eve.keys.publicKey)), 'anonymous');
  assert.equal(errorOf(await anonymous.my_rooms()), 'anonymous');
  assert.equal(errorOf(await anonymous.messages(room.id, [], 10n)), 'anonymous');
  assert.equal(errorOf(await anonymous.post(room.id, sealed.ciphertext, sealed.nonce)), 'anonymous');
  assert.equal(errorOf(await anonymous.profile(alice.id)), 'anonymous');
  const stranger = messagingAs(ic, canisterId, userPrincipal(9));
  assert.equal(errorOf(await stranger.my_rooms()), 'not_registered');
  assert.equal(unwrap(await alice.api.messages(room.id, [], 10n)).length, 1, 'nothing was posted by the refused calls');
  await ic.close();
});

test('history pages go back from the newest message, oldest first within a page, at most 100 at a time', async () => {
  const { ic, user } = await setUp();
  const alice = await user(1, 'Alice');
  const room = await roomOf(alice, []);
  for (let i = 0; i < 25; i++) await post(alice, room, `message ${i}`);
  const ids = (page: { id: bigint }[]) => page.map((message) => Number(message.id));
  const newest = unwrap(await alice.api.messages(room.id, [], 10n));
  assert.deepEqual(ids(newest), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  assert.equal(await decryptMessage(room.key, newest[9]!), 'message 24');
  assert.deepEqual(ids(unwrap(await alice.api.messages(room.id, [15n], 10n))), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.deepEqual(ids(unwrap(await alice.api.messages(room.id, [5n], 10n))), [0, 1, 2, 3, 4]);
  assert.deepEqual(ids(unwrap(await alice.api.messages(room.id, [0n], 10n))), []);
  assert.equal(unwrap(await alice.api.messages(room.id, [1000n], 100n)).length, 25, 'a marker past the end means the end');
  assert.equal(errorOf(await alice.api.messages(room.id, [], 101n)), 'invalid');
  assert.equal(errorOf(await alice.api.messages(room.id, [], 0n)), 'invalid');
  await ic.close();
});

test("unread counts follow each member's last-read marker, which never moves back; posting marks the room read for its sender", async () => {
  const { ic, user } = await setUp();
  const alice = await user(1, 'Alice');
  const bob = await user(2, 'Bob');
  const room = await roomOf(alice, [bob]);
  const unread = async (member: User) => Number(unwrap(await member.api.my_rooms())[0]!.unread);
  for (let i = 0; i < 5; i++) await post(alice, room, `hello ${i}`);
  assert.equal(await unread(bob), 5);
  assert.equal(await unread(alice), 0, 'her own messages are read');
  assert.equal(unwrap(await bob.api.mark_read(room.id, 3n)), 2n);
  assert.equal(await unread(bob), 2);
  assert.equal(unwrap(await bob.api.mark_read(room.id, 1n)), 2n, 'an older marker changes nothing');
  await post(alice, room, 'one more');
  assert.equal(await unread(bob), 3);
  await post(bob, room, 'read it all');
  assert.equal(await unread(bob), 0);
  assert.equal(await unread(alice), 1);
  assert.equal(unwrap(await alice.api.mark_read(room.id, 1000n)), 0n, 'a marker past the end reads to the end');
  await ic.close();
});

test('profiles, rooms, members, messages and read markers survive an upgrade (enhanced orthogonal persistence)', async () => {
  const { ic, canisterId, user } = await setUp();
  const alice = await user(1, 'Alice');
  const bob = await user(2, 'Bob');
  const room = await roomOf(alice, [bob]);
  for (let i = 0; i < 3; i++) await post(alice, room, `before the upgrade ${i}`);
  unwrap(await bob.api.mark_read(room.id, 1n));
  const before = await Promise.all([alice.api.my_rooms(), bob.api.my_rooms(), bob.api.members(room.id), bob.api.messages(room.id, [], 10n)]);

  await ic.installCode({ canisterId, wasm, mode: 'upgrade' });
  const after = await Promise.all([alice.api.my_rooms(), bob.api.my_rooms(), bob.api.members(room.id), bob.api.messages(room.id, [], 10n)]);
  assert.deepEqual(after, before);
  assert.equal(Number(unwrap(after[1])[0]!.unread), 2);
  assert.equal(await decryptMessage(room.key, unwrap(after[3])[2]!), 'before the upgrade 2');
  assert.equal(await post(bob, room, 'after the upgrade'), 3n);
  await ic.close();
});

test('oversized or malformed input is refused with a named error and stores nothing; a user has at most 20 rooms', async () => {
  const { ic, user } = await setUp();
  const alice = await user(1, 'Alice');
  const room = await roomOf(alice, []);
  const nonce = new Uint8Array(12);
  const invalid = (result: object) => {
    assert.equal(errorOf(result), 'invalid');
    return (result as { err: { invalid: { field: string } } }).err.invalid.field;
  };
  assert.equal(invalid(await alice.api.post(room.id, new Uint8Array(4097), nonce)), 'ciphertext');
  assert.equal(invalid(await alice.api.post(room.id, new Uint8Array(0), nonce)), 'ciphertext');
  assert.equal(invalid(await alice.api.post(room.id, new Uint8Array(16), new Uint8Array(8))), 'nonce');
  assert.equal(unwrap(await alice.api.post(room.id, new Uint8Array(4096), nonce)), 0n, 'exactly 4 KiB is accepted');
  assert.equal(invalid(await alice.api.register('x'.repeat(41), alice.keys.publicKey)), 'name');
  assert.equal(invalid(await alice.api.register('', alice.keys.publicKey)), 'name');
  assert.equal(invalid(await alice.api.register('Alice', new Uint8Array(33))), 'public_key');
  assert.equal(errorOf(await alice.api.register('Alice', new Uint8Array(32))), 'public_key_changed');
  assert.equal(unwrap(await alice.api.register('Alice B.', alice.keys.publicKey)).name, 'Alice B.', 'renaming keeps the key');
  const key = await wrapRoomKey(room.key, alice.keys, alice.keys.publicKey);
  assert.equal(invalid(await alice.api.create_room('big', { ...key, wrapped: new Uint8Array(4096) })), 'key.wrapped');
  for (let i = 1; i < 20; i++) unwrap(await alice.api.create_room(`room ${i}`, key));
  assert.deepEqual(await alice.api.create_room('one too many', key), { err: { limit_reached: { what: 'rooms per user', limit: 20n } } });
  assert.equal(unwrap(await alice.api.my_rooms()).length, 20);
  assert.equal(unwrap(await alice.api.messages(room.id, [], 10n)).length, 1);
  await ic.close();
});
