// The backend the page calls: a greeting (a query) and a visit counter (an update).
persistent actor {
  var visits : Nat = 0;

  public query func greet(name : Text) : async Text {
    "Hello, " # name # ", from a Motoko canister!";
  };

  public func visit() : async Nat {
    visits += 1;
    visits;
  };
};
