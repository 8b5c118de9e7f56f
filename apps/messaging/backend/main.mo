// Secure messaging: profiles with X25519 public keys, rooms with members, and messages kept as ciphertext.
// The browser encrypts; this canister stores ciphertext, nonces and wrapped room keys only, checks who may
// see what by `msg_caller`, and bounds every size so that no caller can exhaust its memory. The state is
// kept across upgrades by enhanced orthogonal persistence (`persistent actor`).
import List "mo:core/List";
import Map "mo:core/Map";
import Principal "mo:core/Principal";
import Time "mo:core/Time";

persistent actor Messaging {
  /** A user's public profile: a display name and the X25519 public key members wrap room keys for. */
  public type Profile = { name : Text; public_key : Blob };

  public type RoomId = Nat;

  /**
   * The room's AES-256-GCM key, encrypted for one member: an AES-GCM key derived by HKDF from the X25519
   * agreement of the wrapping member's private key and this member's public key encrypts it.
   */
  public type WrappedKey = { wrapped : Blob; nonce : Blob; sender_public_key : Blob };

  /** Ids count from 0 within a room, in the order the messages were posted. */
  public type Message = { id : Nat; sender : Principal; time : Int; ciphertext : Blob; nonce : Blob };

  public type Member = { id : Principal; name : Text; public_key : Blob };

  public type RoomSummary = {
    id : RoomId;
    name : Text;
    creator : Principal;
    members : Nat;
    messages : Nat;
    unread : Nat;
    key : WrappedKey;
  };

  public type Error = {
    #anonymous; // the anonymous principal cannot use the service
    #not_registered; // the caller has no profile yet
    #unknown_user : Principal; // no profile for this principal
    #not_a_member; // no room of this id has the caller as a member
    #not_the_creator; // only a room's creator adds members
    #already_a_member : Principal;
    #public_key_changed; // a registered user keeps the key their rooms' keys are wrapped for
    #invalid : { field : Text; reason : Text };
    #limit_reached : { what : Text; limit : Nat };
  };

  public type Result<T> = { #ok : T; #err : Error };

  // Bounds: what one caller can make the canister store.
  let NAME_CHARS = 40;
  let KEY_BYTES = 32; // an X25519 public key
  let NONCE_BYTES = 12; // AES-GCM's nonce
  let WRAPPED_KEY_BYTES = 48; // a 32-byte AES key and the 16-byte GCM tag
  let MESSAGE_BYTES = 4096;
  let PAGE_SIZE = 100;
  let ROOMS_PER_USER = 20;
  let MEMBERS_PER_ROOM = 32;
  let MESSAGES_PER_ROOM = 10_000;

  type Membership = { key : WrappedKey; var read : Nat };
  type Room = {
    id : RoomId;
    name : Text;
    creator : Principal;
    members : Map.Map<Principal, Membership>;
    messages : List.List<Message>;
  };
  type User = { var profile : Profile; rooms : List.List<RoomId> };

  let users = Map.empty<Principal, User>();
  let rooms = List.empty<Room>();

  func checkName(field : Text, name : Text) : ?Error {
    if (name.size() == 0) return ?#invalid({ field; reason = "empty" });
    if (name.size() > NAME_CHARS) return ?#invalid({ field; reason = "longer than 40 characters" });
    null;
  };

  func checkBytes(field : Text, bytes : Blob, min : Nat, max : Nat) : ?Error {
    if (bytes.size() < min or bytes.size() > max) {
      let reason = if (min == max) "not " # debug_show min # " bytes" else "not between " # debug_show min # " and " # debug_show max # " bytes";
      return ?#invalid({ field; reason });
    };
    null;
  };

  func checkWrappedKey(key : WrappedKey) : ?Error {
    switch (checkBytes("key.wrapped", key.wrapped, WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES)) { case (?e) return ?e; case null {} };
    switch (checkBytes("key.nonce", key.nonce, NONCE_BYTES, NONCE_BYTES)) { case (?e) return ?e; case null {} };
    checkBytes("key.sender_public_key", key.sender_public_key, KEY_BYTES, KEY_BYTES);
  };

  /** The caller's user record: refuses the anonymous principal and callers without a profile. */
  func userOf(caller : Principal) : { #ok : User; #err : Error } {
    if (Principal.isAnonymous(caller)) return #err(#anonymous);
    switch (Map.get(users, Principal.compare, caller)) {
      case (?user) #ok(user);
      case null #err(#not_registered);
    };
  };

  /** The room and the caller's membership in it; a non-member learns nothing, not even that the room exists. */
  func memberOf(caller : Principal, id : RoomId) : { #ok : (Room, Membership); #err : Error } {
    switch (userOf(caller)) { case (#err e) return #err(e); case (#ok _) {} };
    let ?room = List.get(rooms, id) else return #err(#not_a_member);
    switch (Map.get(room.members, Principal.compare, caller)) {
      case (?membership) #ok(room, membership);
      case null #err(#not_a_member);
    };
  };

  func summary(room : Room, membership : Membership) : RoomSummary {
    let messages = List.size(room.messages);
    {
      id = room.id;
      name = room.name;
      creator = room.creator;
      members = Map.size(room.members);
      messages;
      unread = messages - membership.read;
      key = membership.key;
    };
  };

  /** Creates the caller's profile, or renames it; the public key of a registered user cannot change. */
  public shared ({ caller }) func register(name : Text, public_key : Blob) : async Result<Profile> {
    if (Principal.isAnonymous(caller)) return #err(#anonymous);
    switch (checkName("name", name)) { case (?e) return #err(e); case null {} };
    switch (checkBytes("public_key", public_key, KEY_BYTES, KEY_BYTES)) { case (?e) return #err(e); case null {} };
    let profile = { name; public_key };
    switch (Map.get(users, Principal.compare, caller)) {
      case (?user) {
        if (user.profile.public_key != public_key) return #err(#public_key_changed);
        user.profile := profile;
      };
      case null Map.add(users, Principal.compare, caller, { var profile; rooms = List.empty<RoomId>() });
    };
    #ok(profile);
  };

  /** A registered user's profile: the public key to wrap a room key for before adding them. */
  public shared query ({ caller }) func profile(user : Principal) : async Result<Profile> {
    switch (userOf(caller)) { case (#err e) return #err(e); case (#ok _) {} };
    switch (Map.get(users, Principal.compare, user)) {
      case (?found) #ok(found.profile);
      case null #err(#unknown_user(user));
    };
  };

  /** Creates a room whose only member is the caller, with the room key wrapped for the caller. */
  public shared ({ caller }) func create_room(name : Text, key : WrappedKey) : async Result<RoomSummary> {
    let user = switch (userOf(caller)) { case (#err e) return #err(e); case (#ok u) u };
    switch (checkName("name", name)) { case (?e) return #err(e); case null {} };
    switch (checkWrappedKey(key)) { case (?e) return #err(e); case null {} };
    if (List.size(user.rooms) >= ROOMS_PER_USER) return #err(#limit_reached({ what = "rooms per user"; limit = ROOMS_PER_USER }));
    let membership = { key; var read = 0 };
    let room = {
      id = List.size(rooms);
      name;
      creator = caller;
      members = Map.singleton<Principal, Membership>(caller, membership);
      messages = List.empty<Message>();
    };
    List.add(rooms, room);
    List.add(user.rooms, room.id);
    #ok(summary(room, membership));
  };

  /** The room's creator adds a registered user, with the room key wrapped for the new member's public key. */
  public shared ({ caller }) func add_member(room : RoomId, member : Principal, key : WrappedKey) : async Result<()> {
    let (chat, _) = switch (memberOf(caller, room)) { case (#err e) return #err(e); case (#ok found) found };
    if (chat.creator != caller) return #err(#not_the_creator);
    let ?user = Map.get(users, Principal.compare, member) else return #err(#unknown_user(member));
    if (Map.containsKey(chat.members, Principal.compare, member)) return #err(#already_a_member(member));
    switch (checkWrappedKey(key)) { case (?e) return #err(e); case null {} };
    if (Map.size(chat.members) >= MEMBERS_PER_ROOM) return #err(#limit_reached({ what = "members per room"; limit = MEMBERS_PER_ROOM }));
    if (List.size(user.rooms) >= ROOMS_PER_USER) return #err(#limit_reached({ what = "rooms per user"; limit = ROOMS_PER_USER }));
    Map.add(chat.members, Principal.compare, member, { key; var read = 0 });
    List.add(user.rooms, room);
    #ok(());
  };

  /** The caller's rooms, in the order they joined them, with their unread counts and wrapped keys. */
  public shared query ({ caller }) func my_rooms() : async Result<[RoomSummary]> {
    let user = switch (userOf(caller)) { case (#err e) return #err(e); case (#ok u) u };
    let summaries = List.empty<RoomSummary>();
    for (id in List.values(user.rooms)) {
      let room = List.at(rooms, id);
      switch (Map.get(room.members, Principal.compare, caller)) {
        case (?membership) List.add(summaries, summary(room, membership));
        case null {};
      };
    };
    #ok(List.toArray(summaries));
  };

  /** The room's members with their profiles. */
  public shared query ({ caller }) func members(room : RoomId) : async Result<[Member]> {
    let (chat, _) = switch (memberOf(caller, room)) { case (#err e) return #err(e); case (#ok found) found };
    let found = List.empty<Member>();
    for (member in Map.keys(chat.members)) {
      switch (Map.get(users, Principal.compare, member)) {
        case (?user) List.add(found, { id = member; name = user.profile.name; public_key = user.profile.public_key });
        case null {};
      };
    };
    #ok(List.toArray(found));
  };

  /** Posts a ciphertext to the room; posting also marks the room read for its sender. Returns the message's id. */
  public shared ({ caller }) func post(room : RoomId, ciphertext : Blob, nonce : Blob) : async Result<Nat> {
    let (chat, membership) = switch (memberOf(caller, room)) { case (#err e) return #err(e); case (#ok found) found };
    switch (checkBytes("ciphertext", ciphertext, 1, MESSAGE_BYTES)) { case (?e) return #err(e); case null {} };
    switch (checkBytes("nonce", nonce, NONCE_BYTES, NONCE_BYTES)) { case (?e) return #err(e); case null {} };
    let messageId = List.size(chat.messages);
    if (messageId >= MESSAGES_PER_ROOM) return #err(#limit_reached({ what = "messages per room"; limit = MESSAGES_PER_ROOM }));
    List.add(chat.messages, { id = messageId; sender = caller; time = Time.now(); ciphertext; nonce });
    membership.read := messageId + 1;
    #ok(messageId);
  };

  /**
   * One page of the room's history, oldest first: the last `limit` messages (at most 100) before the
   * message `before`, or before the end when `before` is null.
   */
  public shared query ({ caller }) func messages(room : RoomId, before : ?Nat, limit : Nat) : async Result<[Message]> {
    let (chat, _) = switch (memberOf(caller, room)) { case (#err e) return #err(e); case (#ok found) found };
    if (limit == 0 or limit > PAGE_SIZE) return #err(#invalid({ field = "limit"; reason = "not between 1 and 100" }));
    let total = List.size(chat.messages);
    let end = switch (before) { case (?b) if (b < total) b else total; case null total };
    let start = if (end > limit) end - limit else 0;
    #ok(List.sliceToArray(chat.messages, start, end));
  };

  /** Marks the room's messages before `up_to` as read by the caller; the marker never moves back. */
  public shared ({ caller }) func mark_read(room : RoomId, up_to : Nat) : async Result<Nat> {
    let (chat, membership) = switch (memberOf(caller, room)) { case (#err e) return #err(e); case (#ok found) found };
    let total = List.size(chat.messages);
    let marker = if (up_to > total) total else up_to;
    if (marker > membership.read) membership.read := marker;
    #ok(total - membership.read);
  };
};
