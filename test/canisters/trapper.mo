// Traps, rejects and rollback.
//  - boom(): traps (callee side).
//  - callBoom(target) / callSelfBoom(): call boom() and catch the reject,
//    returning (reject code as Nat, message); a trap in the callee gives
//    #canister_error = 5.
//  - incThenTrap(): changes state then traps -> the change must roll back.
//  - incAwaitThenTrap(): changes state, awaits (commit point), then traps ->
//    the first change survives, the second is rolled back.
//  - queryWrite(): a query that writes state -> the write must vanish.
import Error "mo:core/Error";
import Nat32 "mo:core/Nat32";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";

persistent actor Trapper {
  var count : Nat = 0;

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

  public func inc() : async Nat {
    count += 1;
    count;
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

  public query func get() : async Nat {
    count;
  };

  public query func self() : async Principal {
    Principal.fromActor(Trapper);
  };
};
