// Timers from mo:core/Timer.
//  - after(s): one-shot timer that increments `fired` after s seconds.
//  - every(s): recurring timer that increments `ticks` every s seconds.
//  - cancel(id): cancels a timer.
//  - counters(): (fired, ticks).
import Timer "mo:core/Timer";

persistent actor {
  var fired : Nat = 0;
  var ticks : Nat = 0;

  public func after(seconds : Nat) : async Nat {
    Timer.setTimer<system>(#seconds seconds, func() : async () { fired += 1 });
  };

  public func every(seconds : Nat) : async Nat {
    Timer.recurringTimer<system>(#seconds seconds, func() : async () { ticks += 1 });
  };

  public func cancel(id : Nat) : async () {
    Timer.cancelTimer(id);
  };

  public query func counters() : async (Nat, Nat) {
    (fired, ticks);
  };

  public query func get() : async Nat {
    fired;
  };
};
