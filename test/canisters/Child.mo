// Child actor class created by factory.mo. Accepts the cycles sent with its
// creation (they become its initial balance) and with later calls.
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";

persistent actor class Child(name : Text, start : Nat) = this {
  var value : Nat = start;

  public func add(n : Nat) : async Nat {
    value += n;
    value;
  };

  public query func get() : async Nat {
    value;
  };

  public query func describe() : async Text {
    name # "=" # debug_show (value);
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };

  public query func id() : async Principal {
    Principal.fromActor(this);
  };

  // Accept whatever cycles are attached to this call.
  public func deposit() : async Nat {
    Cycles.accept<system>(Cycles.available());
  };
};
