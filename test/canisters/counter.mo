// Minimal persistent counter. Compiles in both persistence modes.
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";

persistent actor Counter {
  var count : Nat = 0;

  public func inc() : async Nat {
    count += 1;
    count;
  };

  public func add(n : Nat) : async Nat {
    count += n;
    count;
  };

  public func reset() : async () {
    count := 0;
  };

  public query func get() : async Nat {
    count;
  };

  public query ({ caller }) func whoami() : async Principal {
    caller;
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };

  public query func self() : async Principal {
    Principal.fromActor(Counter);
  };
};
