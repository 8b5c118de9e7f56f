// Actor class factory: creates child canisters (Child.mo) with cycles through
// the management canister and calls them. Compile with sources
// { 'factory.mo': <this>, 'Child.mo': <Child.mo> } and main 'factory.mo'.
import Array "mo:core/Array";
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";
import Child "Child";

persistent actor Factory {
  var children : [Child.Child] = [];

  // Creates `n` children, each with `cyclesPerChild` cycles, then calls
  // `add(i)` on each; returns the children's ids and add() results.
  public func spawn(n : Nat, cyclesPerChild : Nat) : async [(Principal, Nat)] {
    var out : [(Principal, Nat)] = [];
    var i = 0;
    while (i < n) {
      let c = await (with cycles = cyclesPerChild) Child.Child("child" # debug_show (children.size()), i * 10);
      children := Array.concat(children, [c]);
      let r = await c.add(i);
      out := Array.concat(out, [(Principal.fromActor(c), r)]);
      i += 1;
    };
    out;
  };

  // Creates one child with the default 1T cycles.
  public func spawnOne() : async Principal {
    let c = await (with cycles = 1_000_000_000_000) Child.Child("one", 0);
    children := Array.concat(children, [c]);
    Principal.fromActor(c);
  };

  public query func childIds() : async [Principal] {
    Array.map<Child.Child, Principal>(children, func(c) = Principal.fromActor(c));
  };

  // Asks every child for its balance (inter-canister query-method calls).
  public func childBalances() : async [(Principal, Nat)] {
    var out : [(Principal, Nat)] = [];
    for (c in children.vals()) {
      let b = await c.balance();
      out := Array.concat(out, [(Principal.fromActor(c), b)]);
    };
    out;
  };

  // Calls describe() on every child.
  public func describeAll() : async [Text] {
    var out : [Text] = [];
    for (c in children.vals()) {
      out := Array.concat(out, [await c.describe()]);
    };
    out;
  };

  // Sends `amount` cycles to child `index` (it accepts them all).
  public func topUp(index : Nat, amount : Nat) : async Nat {
    await (with cycles = amount) children[index].deposit();
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };
};
