// The general-purpose test actor: one source, so the suite compiles it once per persistence mode.
//  - a counter: inc, add(n), reset, query get; query whoami (the caller), balance, self.
//  - traps, rejects and rollback: boom() traps; rejectMe() rejects; callBoom(target) / callReject(target) /
//    callSelfBoom() call them and catch the reject as (reject code as Nat, message) — a trap in the callee
//    gives #canister_error = 5; incThenTrap() rolls back; incAwaitThenTrap() keeps the +1 made before its
//    await, rolls back the +100 after; query queryWrite() writes, and the write vanishes.
//  - the replica's wording and limits: index(i) traps on an out-of-bounds index, caught() catches that from
//    a call to itself; flood() sends oneway calls until sending fails; take() (oneway) accepts the cycles sent
//    with it, give(to, amount) sends them; composite query outer() awaits query inner(); refunded() reads its
//    balance after a call whose cycles the callee did not accept.
//  - Motoko's instruction counters: emptyFunction, getEmptyFuncGCInstructions, runInstructions and
//    checkInstructions (asserts the relations Motoko's own test suite expects of the replica).
import Prim "mo:⛔";
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";
import Nat32 "mo:core/Nat32";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";

persistent actor General {
  var count : Nat = 0;
  var emptyFuncGCInstructions = 0;

  // ---- a counter

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
    Principal.fromActor(General);
  };

  // ---- traps, rejects and rollback

  type Callee = actor { boom : () -> async (); rejectMe : () -> async () };

  func codeToNat(c : Error.ErrorCode) : Nat {
    switch c {
      case (#system_fatal) 1;
      case (#system_transient) 2;
      case (#destination_invalid) 3;
      case (#canister_reject) 4;
      case (#canister_error) 5;
      case (#system_unknown) 6;
      case (#future n) 1000 + Nat32.toNat(n);
      case (#call_error { err_code }) 2000 + Nat32.toNat(err_code);
    };
  };

  public func boom() : async () {
    Runtime.trap("boom: deliberate trap");
  };

  public func rejectMe() : async () {
    throw Error.reject("rejected on purpose");
  };

  public func callBoom(target : Principal) : async (Nat, Text) {
    let callee : Callee = actor (Principal.toText(target));
    try {
      await callee.boom();
      (0, "no error");
    } catch (e) {
      (codeToNat(Error.code(e)), Error.message(e));
    };
  };

  public func callReject(target : Principal) : async (Nat, Text) {
    let callee : Callee = actor (Principal.toText(target));
    try {
      await callee.rejectMe();
      (0, "no error");
    } catch (e) {
      (codeToNat(Error.code(e)), Error.message(e));
    };
  };

  public func callSelfBoom() : async (Nat, Text) {
    try {
      await boom();
      (0, "no error");
    } catch (e) {
      (codeToNat(Error.code(e)), Error.message(e));
    };
  };

  public func incThenTrap() : async () {
    count += 1;
    Runtime.trap("trap after increment");
  };

  public func incAwaitThenTrap() : async () {
    count += 1;
    await async {};
    count += 100;
    Runtime.trap("trap after await");
  };

  public query func queryWrite() : async Nat {
    count += 1000;
    count;
  };

  // ---- the replica's wording and limits

  public func index(i : Nat) : async Nat { let a = [1, 2]; a[i] };

  public func caught() : async Text {
    try { ignore await General.index(5); "" } catch e { Error.message(e) };
  };

  public func ping() : async () {};

  public func flood() : async (Nat, Text, Text) {
    var sent = 0;
    try {
      loop { ignore General.ping(); sent += 1 };
    } catch e {
      let kind = debug_show (Error.code(e));
      return (sent, kind, Error.message(e));
    };
  };

  public func take() : () { ignore Cycles.accept<system>(Cycles.available()) };

  public func give(to : Principal, amount : Nat) : async () {
    let other = actor (Principal.toText(to)) : actor { take : () -> () };
    (with cycles = amount) other.take();
  };

  public query func inner() : async Nat { 7 };

  public composite query func outer() : async Nat { (await General.inner()) + 1 };

  public func keep() : async () {};

  public func refunded() : async Nat {
    await (with cycles = 1_000_000) General.keep();
    Cycles.balance();
  };

  // ---- Motoko's instruction counters

  public func emptyFunction() : async () {};

  public func getEmptyFuncGCInstructions() : async () {
    emptyFuncGCInstructions := Prim.rts_collector_instructions();
  };

  public func runInstructions() : async () {
    var n = 2000;
    while (n > 0) { n := n - 1 };
    count += 1;
  };

  public func checkInstructions() : async () {
    let prevFuncInstr = Prim.rts_mutator_instructions();
    let prevFuncGCInstr = Prim.rts_collector_instructions();
    let lifetimeInstr = Prim.rts_lifetime_instructions();
    assert lifetimeInstr >= prevFuncInstr + prevFuncGCInstr;
    assert lifetimeInstr >= 3 * emptyFuncGCInstructions + prevFuncInstr;
  };
};
