// v2 of stable_state.mo: same stable fields plus a new one (`tag`), a new
// method (`remove`, `size`, `setTag`/`getTag`) and version() = 2.
import Array "mo:core/Array";
import Map "mo:core/Map";
import Text "mo:core/Text";

persistent actor {
  let entries = Map.empty<Text, Nat>();
  var log : [Text] = [];
  var upgrades : Nat = 0;
  var tag : Text = "v2";
  transient var hits : Nat = 0;

  system func postupgrade() {
    upgrades += 1;
  };

  public func put(key : Text, value : Nat) : async () {
    Map.add(entries, Text.compare, key, value);
    log := Array.concat([key], log);
    hits += 1;
  };

  public func remove(key : Text) : async ?Nat {
    hits += 1;
    Map.take(entries, Text.compare, key);
  };

  public func setTag(t : Text) : async () {
    tag := t;
  };

  public query func getTag() : async Text {
    tag;
  };

  public query func get(key : Text) : async ?Nat {
    Map.get(entries, Text.compare, key);
  };

  public query func size() : async Nat {
    Map.size(entries);
  };

  public query func dump() : async [(Text, Nat)] {
    Map.toArray(entries);
  };

  public query func history() : async [Text] {
    log;
  };

  public query func counters() : async (Nat, Nat) {
    (hits, upgrades);
  };

  public query func version() : async Nat {
    2;
  };
};
