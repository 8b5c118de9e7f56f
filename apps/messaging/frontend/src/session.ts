// The signed-in user's view of the messaging canister: calls as this browser's identity, room keys
// unwrapped once and cached, members' names, and messages decrypted for display.
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { Principal } from '@icp-sdk/core/principal';
import { decryptMessage, encryptMessage, generateRoomKey, unwrapRoomKey, wrapRoomKey } from './crypto.ts';
import { idlFactory, type Message, type MessagingActor, type MessagingService, type Profile, type RoomSummary, unwrap } from './interface.ts';
import type { Keys } from './keystore.ts';

const PAGE_SIZE = 20n;

export interface ShownMessage {
  readonly id: bigint;
  readonly sender: string;
  readonly mine: boolean;
  readonly time: Date;
  readonly text: string;
}

export class Session {
  readonly keys: Keys;
  readonly principal: Principal;
  readonly #backend: MessagingActor;
  readonly #roomKeys = new Map<bigint, Promise<CryptoKey>>();
  readonly #names = new Map<string, string>();

  constructor(keys: Keys, backend: MessagingActor) {
    this.keys = keys;
    this.principal = keys.identity.getPrincipal();
    this.#backend = backend;
  }

  /** Connects to the canister `canisterId` through this origin's HTTP interface, signing as `keys.identity`. */
  static async connect(keys: Keys, canisterId: string, rootKey: Uint8Array | undefined): Promise<Session> {
    // Without the asset canister's `ic_env` cookie, a local network's root key comes from /api/v2/status.
    const agent = await HttpAgent.create({ host: location.origin, identity: keys.identity, rootKey, shouldFetchRootKey: !rootKey });
    return new Session(keys, Actor.createActor<MessagingService>(idlFactory, { agent, canisterId }));
  }

  /** The caller's profile, or undefined before registration. */
  async profile(): Promise<Profile | undefined> {
    const result = await this.#backend.profile(this.principal);
    if ('err' in result && 'not_registered' in result.err) return undefined;
    return unwrap(result);
  }

  async register(name: string): Promise<Profile> {
    return unwrap(await this.#backend.register(name, this.keys.encryption.publicKey));
  }

  async rooms(): Promise<RoomSummary[]> {
    const rooms = unwrap(await this.#backend.my_rooms());
    for (const room of rooms) if (!this.#roomKeys.has(room.id)) this.#roomKeys.set(room.id, unwrapRoomKey(room.key, this.keys.encryption));
    return rooms;
  }

  async createRoom(name: string): Promise<RoomSummary> {
    const key = await generateRoomKey();
    const room = unwrap(await this.#backend.create_room(name, await wrapRoomKey(key, this.keys.encryption, this.keys.encryption.publicKey)));
    this.#roomKeys.set(room.id, Promise.resolve(key));
    return room;
  }

  /** Wraps the room key for the new member's registered public key, then adds them. Returns their name. */
  async addMember(room: bigint, member: string): Promise<string> {
    const id = Principal.fromText(member);
    const profile = unwrap(await this.#backend.profile(id));
    const wrapped = await wrapRoomKey(await this.#roomKey(room), this.keys.encryption, profile.public_key);
    unwrap(await this.#backend.add_member(room, id, wrapped));
    this.#names.set(id.toText(), profile.name);
    return profile.name;
  }

  /** The room's members' names, remembered for labelling messages. */
  async members(room: bigint): Promise<string[]> {
    const members = unwrap(await this.#backend.members(room));
    for (const member of members) this.#names.set(member.id.toText(), member.name);
    return members.map((member) => member.name);
  }

  async post(room: bigint, text: string): Promise<bigint> {
    const sealed = await encryptMessage(await this.#roomKey(room), text);
    return unwrap(await this.#backend.post(room, sealed.ciphertext, sealed.nonce));
  }

  /** A page of history before message `before` (the newest page when undefined), decrypted, oldest first. */
  async messages(room: bigint, before?: bigint): Promise<ShownMessage[]> {
    const page = unwrap(await this.#backend.messages(room, before === undefined ? [] : [before], PAGE_SIZE));
    if (page.some((message) => !this.#names.has(message.sender.toText()))) await this.members(room);
    const key = await this.#roomKey(room);
    return Promise.all(page.map((message) => this.#show(key, message)));
  }

  async markRead(room: bigint, upTo: bigint): Promise<void> {
    unwrap(await this.#backend.mark_read(room, upTo));
  }

  async #show(key: CryptoKey, message: Message): Promise<ShownMessage> {
    const sender = message.sender.toText();
    let text: string;
    try {
      text = await decryptMessage(key, message);
    } catch {
      text = '(this message cannot be decrypted with the room key)';
    }
    const mine = sender === this.principal.toText();
    return { id: message.id, sender: this.#names.get(sender) ?? sender, mine, time: new Date(Number(message.time / 1_000_000n)), text };
  }

  #roomKey(room: bigint): Promise<CryptoKey> {
    const key = this.#roomKeys.get(room);
    if (!key) throw new Error('The room key is not known yet: reload the room list.');
    return key;
  }
}
