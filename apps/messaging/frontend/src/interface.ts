// The messaging canister's Candid interface (backend/main.mo) for @icp-sdk/core's Actor, and its types.
import type { ActorSubclass } from '@icp-sdk/core/agent';
import type { IDL as Idl } from '@icp-sdk/core/candid';
import type { Principal } from '@icp-sdk/core/principal';

export interface Profile {
  name: string;
  public_key: Uint8Array;
}

/** A room key encrypted for one member (see crypto.ts). */
export interface WrappedKey {
  wrapped: Uint8Array;
  nonce: Uint8Array;
  sender_public_key: Uint8Array;
}

export interface Message {
  id: bigint;
  sender: Principal;
  time: bigint;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
}

export interface Member {
  id: Principal;
  name: string;
  public_key: Uint8Array;
}

export interface RoomSummary {
  id: bigint;
  name: string;
  creator: Principal;
  members: bigint;
  messages: bigint;
  unread: bigint;
  key: WrappedKey;
}

export type MessagingError =
  | { anonymous: null }
  | { not_registered: null }
  | { unknown_user: Principal }
  | { not_a_member: null }
  | { not_the_creator: null }
  | { already_a_member: Principal }
  | { public_key_changed: null }
  | { invalid: { field: string; reason: string } }
  | { limit_reached: { what: string; limit: bigint } };

export type Result<T> = { ok: T } | { err: MessagingError };

export interface MessagingService {
  register(name: string, publicKey: Uint8Array): Promise<Result<Profile>>;
  profile(user: Principal): Promise<Result<Profile>>;
  create_room(name: string, key: WrappedKey): Promise<Result<RoomSummary>>;
  add_member(room: bigint, member: Principal, key: WrappedKey): Promise<Result<null>>;
  my_rooms(): Promise<Result<RoomSummary[]>>;
  members(room: bigint): Promise<Result<Member[]>>;
  post(room: bigint, ciphertext: Uint8Array, nonce: Uint8Array): Promise<Result<bigint>>;
  messages(room: bigint, before: [] | [bigint], limit: bigint): Promise<Result<Message[]>>;
  mark_read(room: bigint, upTo: bigint): Promise<Result<bigint>>;
}

export type MessagingActor = ActorSubclass<MessagingService>;

export const idlFactory: Idl.InterfaceFactory = ({ IDL }) => {
  const Profile = IDL.Record({ name: IDL.Text, public_key: IDL.Vec(IDL.Nat8) });
  const WrappedKey = IDL.Record({ wrapped: IDL.Vec(IDL.Nat8), nonce: IDL.Vec(IDL.Nat8), sender_public_key: IDL.Vec(IDL.Nat8) });
  const Message = IDL.Record({ id: IDL.Nat, sender: IDL.Principal, time: IDL.Int, ciphertext: IDL.Vec(IDL.Nat8), nonce: IDL.Vec(IDL.Nat8) });
  const Member = IDL.Record({ id: IDL.Principal, name: IDL.Text, public_key: IDL.Vec(IDL.Nat8) });
  const RoomSummary = IDL.Record({
    id: IDL.Nat,
    name: IDL.Text,
    creator: IDL.Principal,
    members: IDL.Nat,
    messages: IDL.Nat,
    unread: IDL.Nat,
    key: WrappedKey,
  });
  const Failure = IDL.Variant({
    anonymous: IDL.Null,
    not_registered: IDL.Null,
    unknown_user: IDL.Principal,
    not_a_member: IDL.Null,
    not_the_creator: IDL.Null,
    already_a_member: IDL.Principal,
    public_key_changed: IDL.Null,
    invalid: IDL.Record({ field: IDL.Text, reason: IDL.Text }),
    limit_reached: IDL.Record({ what: IDL.Text, limit: IDL.Nat }),
  });
  const Result = (ok: Idl.Type) => IDL.Variant({ ok, err: Failure });
  return IDL.Service({
    register: IDL.Func([IDL.Text, IDL.Vec(IDL.Nat8)], [Result(Profile)], []),
    profile: IDL.Func([IDL.Principal], [Result(Profile)], ['query']),
    create_room: IDL.Func([IDL.Text, WrappedKey], [Result(RoomSummary)], []),
    add_member: IDL.Func([IDL.Nat, IDL.Principal, WrappedKey], [Result(IDL.Null)], []),
    my_rooms: IDL.Func([], [Result(IDL.Vec(RoomSummary))], ['query']),
    members: IDL.Func([IDL.Nat], [Result(IDL.Vec(Member))], ['query']),
    post: IDL.Func([IDL.Nat, IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Nat8)], [Result(IDL.Nat)], []),
    messages: IDL.Func([IDL.Nat, IDL.Opt(IDL.Nat), IDL.Nat], [Result(IDL.Vec(Message))], ['query']),
    mark_read: IDL.Func([IDL.Nat, IDL.Nat], [Result(IDL.Nat)], []),
  });
};

/** The error as a sentence for the page. */
export function describeError(error: MessagingError): string {
  if ('anonymous' in error) return 'The anonymous identity cannot use messaging.';
  if ('not_registered' in error) return 'Register a name first.';
  if ('unknown_user' in error) return `${error.unknown_user.toText()} has not registered.`;
  if ('not_a_member' in error) return 'You are not a member of this room.';
  if ('not_the_creator' in error) return "Only the room's creator adds members.";
  if ('already_a_member' in error) return `${error.already_a_member.toText()} is already a member.`;
  if ('public_key_changed' in error) return 'This identity is registered with another encryption key.';
  if ('invalid' in error) return `Invalid ${error.invalid.field}: ${error.invalid.reason}.`;
  return `Limit reached: at most ${error.limit_reached.limit} ${error.limit_reached.what}.`;
}

/** The result's value; throws the canister's error as a sentence the page can show. */
export function unwrap<T>(result: Result<T>): T {
  if ('ok' in result) return result.ok;
  throw new Error(describeError(result.err));
}
