// v1: state that must survive an upgrade. Upgrade target: stable_state_v2.mo.
//  - `entries` (a mo:core Map) and `log` (an array) are stable (persistent actor);
//  - `hits` is transient and resets to 0 on every upgrade;
//  - `upgrades` counts post-upgrade runs (survives, since it is stable).
import Array "mo:core/Array";
import Map "mo:core/Map";
import Text "mo:core/Text";

persistent actor {
  let entries = Map.empty<Text, Nat>();
  var log : [Text] = [];
  var upgrades : Nat = 0;
  transient var hits : Nat = 0;

  system func postupgrade() {
    upgrades += 1;
  };

  public func put(key : Text, value : Nat) : async () {
    Map.add(entries, Text.compare, key, value);
    log := Array.concat([key], log);
    hits += 1;
  };

  public query func get(key : Text) : async ?Nat {
    Map.get(entries, Text.compare, key);
  };

  public query func dump() : async [(Text, Nat)] {
    Map.toArray(entries);
  };

  public query func history() : async [Text] {
    log;
  };

  // (transient hits, stable upgrade count)
  public query func counters() : async (Nat, Nat) {
    (hits, upgrades);
  };

  public query func version() : async Nat {
    1;
  };
};
