// A constant-product exchange of two ICRC-2 tokens. Users deposit by approving the exchange and calling
// `deposit` (icrc2_transfer_from), trade and provide liquidity against internal balances, and withdraw by
// icrc1_transfer. Every balance an await could race on is debited before the await and credited back if the
// ledger call fails, so concurrent messages never spend the same tokens twice.
import Error "mo:core/Error";
import Icrc "Icrc";
import Int "mo:core/Int";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Nat64 "mo:core/Nat64";
import Principal "mo:core/Principal";
import Time "mo:core/Time";

// The initial reserves are tokens the ledgers' initial balances gave the exchange's account when the application
// was installed; their shares are locked (owned by no one), so the pool always has a price.
persistent actor class Exchange(init : {
  token_a : Principal;
  token_b : Principal;
  fee_basis_points : Nat;
  initial_reserve_a : Nat;
  initial_reserve_b : Nat;
}) = this {
  type Ledger = actor {
    icrc1_fee : shared query () -> async Nat;
    icrc1_transfer : shared Icrc.TransferArg -> async { #Ok : Nat; #Err : Icrc.TransferError };
    icrc2_transfer_from : shared Icrc.TransferFromArgs -> async { #Ok : Nat; #Err : Icrc.TransferFromError };
  };
  public type Holding = { a : Nat; b : Nat; shares : Nat };
  public type Pool = { token_a : Principal; token_b : Principal; reserve_a : Nat; reserve_b : Nat; total_shares : Nat; fee_basis_points : Nat };
  /// What the exchange's ledger accounts must cover: internal balances, reserves and withdrawals under way.
  public type Accounting = { internal_a : Nat; internal_b : Nat; reserve_a : Nat; reserve_b : Nat; withdrawing_a : Nat; withdrawing_b : Nat };
  public type ExchangeError = {
    #AnonymousCaller;
    #UnknownToken;
    #ZeroAmount;
    #InsufficientBalance : { balance : Nat };
    #AmountBelowFee : { fee : Nat };
    #InsufficientLiquidity;
    #InsufficientShares : { shares : Nat };
    #Slippage : { amount_out : Nat };
    #Expired : { now : Nat64 };
    #TransferFromFailed : Icrc.TransferFromError;
    #TransferFailed : Icrc.TransferError;
    #LedgerUnavailable : { message : Text };
  };
  type Side = { #a; #b };

  let BASIS_POINTS = 10_000;
  let holdings = Map.empty<Principal, Holding>();
  var reserveA = init.initial_reserve_a;
  var reserveB = init.initial_reserve_b;
  var internalA = 0;
  var internalB = 0;
  var withdrawingA = 0;
  var withdrawingB = 0;
  var feeA : ?Nat = null;
  var feeB : ?Nat = null;

  func sideOf(token : Principal) : ?Side {
    if (token == init.token_a) ?#a else if (token == init.token_b) ?#b else null;
  };

  func ledgerOf(side : Side) : Ledger = actor (Principal.toText(switch side { case (#a) init.token_a; case (#b) init.token_b }));

  func holding(owner : Principal) : Holding = switch (Map.get(holdings, Principal.compare, owner)) {
    case (?h) h;
    case null { { a = 0; b = 0; shares = 0 } };
  };

  func balanceOf(owner : Principal, side : Side) : Nat = switch side { case (#a) holding(owner).a; case (#b) holding(owner).b };

  func store(owner : Principal, h : Holding) {
    if (h.a == 0 and h.b == 0 and h.shares == 0) Map.remove(holdings, Principal.compare, owner) else Map.add(holdings, Principal.compare, owner, h);
  };

  /// Sets one internal balance and keeps the running total of internal balances in step.
  func setBalance(owner : Principal, side : Side, amount : Nat) {
    let h = holding(owner);
    switch side {
      case (#a) { internalA := internalA - h.a + amount; store(owner, { h with a = amount }) };
      case (#b) { internalB := internalB - h.b + amount; store(owner, { h with b = amount }) };
    };
  };

  func credit(owner : Principal, side : Side, amount : Nat) = setBalance(owner, side, balanceOf(owner, side) + amount);

  func now() : Nat64 = Nat64.fromNat(Int.abs(Time.now()));

  func sqrt(n : Nat) : Nat {
    if (n < 2) return n;
    var x = n;
    var y = (x + 1) / 2;
    while (y < x) { x := y; y := (x + n / x) / 2 };
    x;
  };

  var totalShares = sqrt(reserveA * reserveB);

  func ceilDiv(n : Nat, d : Nat) : Nat = (n + d - 1 : Nat) / d;

  /// The ledger's fee, asked once per ledger.
  func feeOf(side : Side) : async* Nat {
    switch (switch side { case (#a) feeA; case (#b) feeB }) {
      case (?fee) fee;
      case null {
        let fee = await ledgerOf(side).icrc1_fee();
        switch side { case (#a) feeA := ?fee; case (#b) feeB := ?fee };
        fee;
      };
    };
  };

  /// What `amount_in` buys: the constant-product price after the fee, which stays in the pool.
  func amountOut(side : Side, amountIn : Nat) : Nat {
    let (reserveIn, reserveOut) = switch side { case (#a) (reserveA, reserveB); case (#b) (reserveB, reserveA) };
    if (reserveIn == 0 or reserveOut == 0) return 0;
    let inWithFee = amountIn * (BASIS_POINTS - init.fee_basis_points);
    inWithFee * reserveOut / (reserveIn * BASIS_POINTS + inWithFee);
  };

  /// Moves `amount` of the caller's tokens into the exchange; the caller approved the exchange beforehand.
  public shared ({ caller }) func deposit(token : Principal, amount : Nat) : async { #Ok : Nat; #Err : ExchangeError } {
    if (Principal.isAnonymous(caller)) return #Err(#AnonymousCaller);
    let side = switch (sideOf(token)) { case (?s) s; case null return #Err(#UnknownToken) };
    if (amount == 0) return #Err(#ZeroAmount);
    let arg = {
      spender_subaccount = null;
      from = { owner = caller; subaccount = null };
      to = { owner = Principal.fromActor(this); subaccount = null };
      amount;
      fee = null;
      memo = null;
      created_at_time = null;
    };
    // Credited only once the tokens are ours: nothing to undo if the ledger refuses.
    try {
      switch (await ledgerOf(side).icrc2_transfer_from(arg)) {
        case (#Ok _) { credit(caller, side, amount); #Ok(balanceOf(caller, side)) };
        case (#Err e) #Err(#TransferFromFailed e);
      };
    } catch (e) { #Err(#LedgerUnavailable { message = Error.message(e) }) };
  };

  /// Sends `amount` of the caller's internal balance to its ledger account; the ledger fee comes out of it.
  public shared ({ caller }) func withdraw(token : Principal, amount : Nat) : async { #Ok : Nat; #Err : ExchangeError } {
    if (Principal.isAnonymous(caller)) return #Err(#AnonymousCaller);
    let side = switch (sideOf(token)) { case (?s) s; case null return #Err(#UnknownToken) };
    let fee = try { await* feeOf(side) } catch (e) { return #Err(#LedgerUnavailable { message = Error.message(e) }) };
    if (amount <= fee) return #Err(#AmountBelowFee { fee });
    let balance = balanceOf(caller, side);
    if (balance < amount) return #Err(#InsufficientBalance { balance });
    // Debited before the await: a second withdraw interleaved with this one sees the lower balance.
    setBalance(caller, side, balance - amount);
    switch side { case (#a) withdrawingA += amount; case (#b) withdrawingB += amount };
    let arg = { from_subaccount = null; to = { owner = caller; subaccount = null }; amount = amount - fee : Nat; fee = ?fee; memo = null; created_at_time = null };
    let result : { #Ok : Nat; #Err : ExchangeError } = try {
      switch (await ledgerOf(side).icrc1_transfer(arg)) {
        case (#Ok index) #Ok(index);
        case (#Err e) {
          switch (e) { case (#BadFee _) { switch side { case (#a) feeA := null; case (#b) feeB := null } }; case _ {} };
          #Err(#TransferFailed e);
        };
      };
    } catch (e) { #Err(#LedgerUnavailable { message = Error.message(e) }) };
    switch side { case (#a) withdrawingA -= amount; case (#b) withdrawingB -= amount };
    switch result { case (#Err _) credit(caller, side, amount); case (#Ok _) {} };
    result;
  };

  /// Trades `amount_in` of `token_in` for at least `min_amount_out` of the other token, before `deadline`.
  public shared ({ caller }) func swap(token_in : Principal, amount_in : Nat, min_amount_out : Nat, deadline : Nat64) : async { #Ok : Nat; #Err : ExchangeError } {
    if (Principal.isAnonymous(caller)) return #Err(#AnonymousCaller);
    let side = switch (sideOf(token_in)) { case (?s) s; case null return #Err(#UnknownToken) };
    if (now() > deadline) return #Err(#Expired { now = now() });
    if (amount_in == 0) return #Err(#ZeroAmount);
    let balance = balanceOf(caller, side);
    if (balance < amount_in) return #Err(#InsufficientBalance { balance });
    let out = amountOut(side, amount_in);
    if (out == 0) return #Err(#InsufficientLiquidity);
    if (out < min_amount_out) return #Err(#Slippage { amount_out = out });
    setBalance(caller, side, balance - amount_in);
    switch side {
      case (#a) { reserveA += amount_in; reserveB -= out; credit(caller, #b, out) };
      case (#b) { reserveB += amount_in; reserveA -= out; credit(caller, #a, out) };
    };
    #Ok(out);
  };

  /// Adds both tokens in the pool's ratio (the first provider sets it); returns the shares minted.
  public shared ({ caller }) func add_liquidity(amount_a : Nat, amount_b : Nat, min_shares : Nat) : async { #Ok : Nat; #Err : ExchangeError } {
    if (Principal.isAnonymous(caller)) return #Err(#AnonymousCaller);
    if (amount_a == 0 or amount_b == 0) return #Err(#ZeroAmount);
    let h = holding(caller);
    if (h.a < amount_a) return #Err(#InsufficientBalance { balance = h.a });
    if (h.b < amount_b) return #Err(#InsufficientBalance { balance = h.b });
    // Later providers pay what their shares are worth, rounded up in the pool's favour.
    let (shares, usedA, usedB) = if (totalShares == 0) (sqrt(amount_a * amount_b), amount_a, amount_b) else {
      let shares = Nat.min(amount_a * totalShares / reserveA, amount_b * totalShares / reserveB);
      (shares, ceilDiv(shares * reserveA, totalShares), ceilDiv(shares * reserveB, totalShares));
    };
    if (shares == 0) return #Err(#InsufficientLiquidity);
    if (shares < min_shares) return #Err(#InsufficientShares { shares });
    setBalance(caller, #a, h.a - usedA);
    setBalance(caller, #b, h.b - usedB);
    store(caller, { holding(caller) with shares = h.shares + shares });
    reserveA += usedA;
    reserveB += usedB;
    totalShares += shares;
    #Ok(shares);
  };

  /// Burns `shares` for their part of both reserves, rounded down, credited to the caller's balances.
  public shared ({ caller }) func remove_liquidity(shares : Nat, min_amount_a : Nat, min_amount_b : Nat) : async { #Ok : { amount_a : Nat; amount_b : Nat }; #Err : ExchangeError } {
    if (Principal.isAnonymous(caller)) return #Err(#AnonymousCaller);
    if (shares == 0) return #Err(#ZeroAmount);
    let h = holding(caller);
    if (h.shares < shares) return #Err(#InsufficientShares { shares = h.shares });
    let amountA = shares * reserveA / totalShares;
    let amountB = shares * reserveB / totalShares;
    if (amountA < min_amount_a) return #Err(#Slippage { amount_out = amountA });
    if (amountB < min_amount_b) return #Err(#Slippage { amount_out = amountB });
    store(caller, { h with shares = h.shares - shares : Nat });
    totalShares -= shares;
    reserveA -= amountA;
    reserveB -= amountB;
    credit(caller, #a, amountA);
    credit(caller, #b, amountB);
    #Ok({ amount_a = amountA; amount_b = amountB });
  };

  public query func pool() : async Pool = async ({
    token_a = init.token_a;
    token_b = init.token_b;
    reserve_a = reserveA;
    reserve_b = reserveB;
    total_shares = totalShares;
    fee_basis_points = init.fee_basis_points;
  });

  /// What a swap of `amount_in` would return now.
  public query func quote(token_in : Principal, amount_in : Nat) : async Nat = async switch (sideOf(token_in)) {
    case (?side) amountOut(side, amount_in);
    case null 0;
  };

  public query func balances(owner : Principal) : async Holding = async holding(owner);

  public query func accounting() : async Accounting = async ({
    internal_a = internalA;
    internal_b = internalB;
    reserve_a = reserveA;
    reserve_b = reserveB;
    withdrawing_a = withdrawingA;
    withdrawing_b = withdrawingB;
  });
};
