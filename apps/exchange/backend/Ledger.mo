// An ICRC-1/ICRC-2 token ledger (https://github.com/dfinity/ICRC-1, standards ICRC-1 and ICRC-2).
// One source installed once per token; the init argument names the token. Fees are burnt: they leave the
// payer's balance and the total supply. `mint` is a faucet for test tokens, open to anyone, capped per call.
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import Icrc "Icrc";
import Int "mo:core/Int";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Nat64 "mo:core/Nat64";
import Nat8 "mo:core/Nat8";
import Principal "mo:core/Principal";
import Queue "mo:core/Queue";
import Time "mo:core/Time";

persistent actor class Ledger(init : {
  name : Text;
  symbol : Text;
  decimals : Nat8;
  fee : Nat;
  minting_account : { owner : Principal; subaccount : ?Blob };
  initial_balances : [({ owner : Principal; subaccount : ?Blob }, Nat)];
  faucet_limit : Nat;
}) {
  public type Subaccount = Icrc.Subaccount;
  public type Account = Icrc.Account;
  public type Value = Icrc.Value;
  public type TransferArg = Icrc.TransferArg;
  public type TransferError = Icrc.TransferError;
  public type ApproveArgs = Icrc.ApproveArgs;
  public type ApproveError = Icrc.ApproveError;
  public type TransferFromArgs = Icrc.TransferFromArgs;
  public type TransferFromError = Icrc.TransferFromError;
  public type Allowance = Icrc.Allowance;
  public type MintError = Icrc.MintError;

  // The deduplication window and the clock drift the ledger tolerates (ICRC-1, 'Transaction deduplication').
  let TX_WINDOW : Nat64 = 24 * 60 * 60 * 1_000_000_000;
  let PERMITTED_DRIFT : Nat64 = 2 * 60 * 1_000_000_000;
  let MAX_MEMO_BYTES = 32;

  let balances = Map.empty<Blob, Nat>();
  let allowances = Map.empty<Blob, Allowance>();
  // Transactions with a created_at_time, by content, for the window; the queue drops them in time order.
  let recent = Map.empty<Blob, Nat>();
  let recentByTime = Queue.empty<(Nat64, Blob)>();
  var totalSupply = 0;
  var transactions = 0;

  /// A prefix-free key: the owner's length, its bytes, then the 32-byte subaccount (zeros by default).
  func key(account : Account) : Blob {
    let owner = Blob.toArray(Principal.toBlob(account.owner));
    let sub = switch (account.subaccount) { case (?s) Blob.toArray(s); case null Array.repeat<Nat8>(0, 32) };
    Blob.fromArray(Array.flatten([[Nat8.fromNat(owner.size())], owner, sub]));
  };

  func sameAccount(a : Account, b : Account) : Bool = key(a) == key(b);

  func now() : Nat64 = Nat64.fromNat(Int.abs(Time.now()));

  func balanceOf(account : Account) : Nat = switch (Map.get(balances, Blob.compare, key(account))) {
    case (?b) b;
    case null 0;
  };

  func setBalance(account : Account, amount : Nat) {
    if (amount == 0) Map.remove(balances, Blob.compare, key(account)) else Map.add(balances, Blob.compare, key(account), amount);
  };

  func credit(account : Account, amount : Nat) = setBalance(account, balanceOf(account) + amount);

  func validSubaccount(sub : ?Blob) : Bool = switch (sub) { case (?s) s.size() == 32; case null true };

  func validMemo(memo : ?Blob) : Bool = switch (memo) { case (?m) m.size() <= MAX_MEMO_BYTES; case null true };

  func generic(message : Text) : { error_code : Nat; message : Text } = { error_code = 0; message };

  /// The time checks and deduplication shared by every kind of transaction.
  func checkTime(created : ?Nat64, content : Blob) : { #ok; #TooOld; #CreatedInFuture : { ledger_time : Nat64 }; #Duplicate : { duplicate_of : Nat } } {
    let time = switch (created) { case (?t) t; case null return #ok };
    let ledgerTime = now();
    if (time + TX_WINDOW + PERMITTED_DRIFT < ledgerTime) return #TooOld;
    if (time > ledgerTime + PERMITTED_DRIFT) return #CreatedInFuture { ledger_time = ledgerTime };
    prune(ledgerTime);
    switch (Map.get(recent, Blob.compare, content)) {
      case (?index) #Duplicate { duplicate_of = index };
      case null #ok;
    };
  };

  func prune(ledgerTime : Nat64) {
    label dropping loop {
      switch (Queue.peekFront(recentByTime)) {
        case (?(time, content)) {
          if (time + TX_WINDOW + PERMITTED_DRIFT >= ledgerTime) break dropping;
          ignore Queue.popFront(recentByTime);
          Map.remove(recent, Blob.compare, content);
        };
        case null break dropping;
      };
    };
  };

  /// Gives the transaction its index and remembers it for deduplication when it carries a time.
  func record(created : ?Nat64, content : Blob) : Nat {
    let index = transactions;
    transactions += 1;
    switch (created) {
      case (?time) {
        Map.add(recent, Blob.compare, content, index);
        Queue.pushBack(recentByTime, (time, content));
      };
      case null {};
    };
    index;
  };

  func allowanceKey(owner : Account, spender : Account) : Blob = Blob.fromArray(Array.concat(Blob.toArray(key(owner)), Blob.toArray(key(spender))));

  func liveAllowance(owner : Account, spender : Account) : Allowance {
    switch (Map.get(allowances, Blob.compare, allowanceKey(owner, spender))) {
      case (?a) {
        switch (a.expires_at) {
          case (?expiry) if (expiry <= now()) return { allowance = 0; expires_at = null };
          case null {};
        };
        a;
      };
      case null { { allowance = 0; expires_at = null } };
    };
  };

  // The actor's body runs again on every upgrade; the flag persists, so the initial balances are credited once.
  var initialized = false;
  if (not initialized) {
    for ((account, amount) in init.initial_balances.vals()) {
      credit(account, amount);
      totalSupply += amount;
    };
    initialized := true;
  };

  public query func icrc1_name() : async Text = async init.name;
  public query func icrc1_symbol() : async Text = async init.symbol;
  public query func icrc1_decimals() : async Nat8 = async init.decimals;
  public query func icrc1_fee() : async Nat = async init.fee;
  public query func icrc1_total_supply() : async Nat = async totalSupply;
  public query func icrc1_minting_account() : async ?Account = async ?init.minting_account;
  public query func icrc1_balance_of(account : Account) : async Nat = async balanceOf(account);

  public query func icrc1_metadata() : async [(Text, Value)] = async [
    ("icrc1:name", #Text(init.name)),
    ("icrc1:symbol", #Text(init.symbol)),
    ("icrc1:decimals", #Nat(Nat8.toNat(init.decimals))),
    ("icrc1:fee", #Nat(init.fee)),
    ("icrc1:max_memo_length", #Nat(MAX_MEMO_BYTES)),
  ];

  public query func icrc1_supported_standards() : async [{ name : Text; url : Text }] = async [
    { name = "ICRC-1"; url = "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-1" },
    { name = "ICRC-2"; url = "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-2" },
  ];

  public shared ({ caller }) func icrc1_transfer(arg : TransferArg) : async { #Ok : Nat; #Err : TransferError } {
    let from = { owner = caller; subaccount = arg.from_subaccount };
    if (not validSubaccount(arg.from_subaccount) or not validSubaccount(arg.to.subaccount)) return #Err(#GenericError(generic("a subaccount has 32 bytes")));
    if (not validMemo(arg.memo)) return #Err(#GenericError(generic("the memo is longer than 32 bytes")));
    let content = to_candid (caller, "transfer", arg);
    switch (checkTime(arg.created_at_time, content)) {
      case (#ok) {};
      case (#TooOld) return #Err(#TooOld);
      case (#CreatedInFuture t) return #Err(#CreatedInFuture t);
      case (#Duplicate d) return #Err(#Duplicate d);
    };
    let minting = init.minting_account;
    if (sameAccount(from, minting)) {
      // A mint: free, and the only way tokens come into being apart from the faucet.
      switch (arg.fee) { case (?f) if (f != 0) return #Err(#BadFee { expected_fee = 0 }); case null {} };
      credit(arg.to, arg.amount);
      totalSupply += arg.amount;
      return #Ok(record(arg.created_at_time, content));
    };
    if (sameAccount(arg.to, minting)) {
      // A burn: free, but at least one fee's worth.
      switch (arg.fee) { case (?f) if (f != 0) return #Err(#BadFee { expected_fee = 0 }); case null {} };
      if (arg.amount < init.fee) return #Err(#BadBurn { min_burn_amount = init.fee });
      let balance = balanceOf(from);
      if (balance < arg.amount) return #Err(#InsufficientFunds { balance });
      setBalance(from, balance - arg.amount);
      totalSupply -= arg.amount;
      return #Ok(record(arg.created_at_time, content));
    };
    switch (arg.fee) { case (?f) if (f != init.fee) return #Err(#BadFee { expected_fee = init.fee }); case null {} };
    let balance = balanceOf(from);
    if (balance < arg.amount + init.fee) return #Err(#InsufficientFunds { balance });
    setBalance(from, balance - arg.amount - init.fee);
    credit(arg.to, arg.amount);
    totalSupply -= init.fee;
    #Ok(record(arg.created_at_time, content));
  };

  public shared ({ caller }) func icrc2_approve(arg : ApproveArgs) : async { #Ok : Nat; #Err : ApproveError } {
    let from = { owner = caller; subaccount = arg.from_subaccount };
    if (not validSubaccount(arg.from_subaccount) or not validSubaccount(arg.spender.subaccount)) return #Err(#GenericError(generic("a subaccount has 32 bytes")));
    if (not validMemo(arg.memo)) return #Err(#GenericError(generic("the memo is longer than 32 bytes")));
    if (arg.spender.owner == caller) return #Err(#GenericError(generic("an account cannot approve its own owner")));
    let content = to_candid (caller, "approve", arg);
    switch (checkTime(arg.created_at_time, content)) {
      case (#ok) {};
      case (#TooOld) return #Err(#TooOld);
      case (#CreatedInFuture t) return #Err(#CreatedInFuture t);
      case (#Duplicate d) return #Err(#Duplicate d);
    };
    switch (arg.fee) { case (?f) if (f != init.fee) return #Err(#BadFee { expected_fee = init.fee }); case null {} };
    switch (arg.expires_at) { case (?t) if (t <= now()) return #Err(#Expired { ledger_time = now() }); case null {} };
    let current = liveAllowance(from, arg.spender).allowance;
    switch (arg.expected_allowance) {
      case (?expected) if (expected != current) return #Err(#AllowanceChanged { current_allowance = current });
      case null {};
    };
    let balance = balanceOf(from);
    if (balance < init.fee) return #Err(#InsufficientFunds { balance });
    setBalance(from, balance - init.fee);
    totalSupply -= init.fee;
    let k = allowanceKey(from, arg.spender);
    if (arg.amount == 0) Map.remove(allowances, Blob.compare, k) else Map.add(allowances, Blob.compare, k, { allowance = arg.amount; expires_at = arg.expires_at });
    #Ok(record(arg.created_at_time, content));
  };

  public query func icrc2_allowance(arg : { account : Account; spender : Account }) : async Allowance = async liveAllowance(arg.account, arg.spender);

  public shared ({ caller }) func icrc2_transfer_from(arg : TransferFromArgs) : async { #Ok : Nat; #Err : TransferFromError } {
    let spender = { owner = caller; subaccount = arg.spender_subaccount };
    if (not validSubaccount(arg.spender_subaccount) or not validSubaccount(arg.from.subaccount) or not validSubaccount(arg.to.subaccount)) return #Err(#GenericError(generic("a subaccount has 32 bytes")));
    if (not validMemo(arg.memo)) return #Err(#GenericError(generic("the memo is longer than 32 bytes")));
    if (sameAccount(arg.from, init.minting_account) or sameAccount(arg.to, init.minting_account)) return #Err(#GenericError(generic("transfer_from neither mints nor burns")));
    let content = to_candid (caller, "transfer_from", arg);
    switch (checkTime(arg.created_at_time, content)) {
      case (#ok) {};
      case (#TooOld) return #Err(#TooOld);
      case (#CreatedInFuture t) return #Err(#CreatedInFuture t);
      case (#Duplicate d) return #Err(#Duplicate d);
    };
    switch (arg.fee) { case (?f) if (f != init.fee) return #Err(#BadFee { expected_fee = init.fee }); case null {} };
    let debit = arg.amount + init.fee;
    // The owner moving its own tokens needs no allowance (ICRC-2, 'icrc2_transfer_from').
    let needsAllowance = not sameAccount(spender, arg.from);
    let allowance = liveAllowance(arg.from, spender);
    if (needsAllowance and allowance.allowance < debit) return #Err(#InsufficientAllowance { allowance = allowance.allowance });
    let balance = balanceOf(arg.from);
    if (balance < debit) return #Err(#InsufficientFunds { balance });
    setBalance(arg.from, balance - debit);
    credit(arg.to, arg.amount);
    totalSupply -= init.fee;
    if (needsAllowance) {
      let k = allowanceKey(arg.from, spender);
      let left : Nat = allowance.allowance - debit;
      if (left == 0) Map.remove(allowances, Blob.compare, k) else Map.add(allowances, Blob.compare, k, { allowance = left; expires_at = allowance.expires_at });
    };
    #Ok(record(arg.created_at_time, content));
  };

  /// The faucet: anyone may mint up to `faucet_limit` base units per call (test tokens only).
  public func mint(arg : { to : Account; amount : Nat }) : async { #Ok : Nat; #Err : MintError } {
    if (arg.amount == 0 or arg.amount > init.faucet_limit) return #Err(#InvalidAmount { max_amount = init.faucet_limit });
    if (not validSubaccount(arg.to.subaccount)) return #Err(#GenericError(generic("a subaccount has 32 bytes")));
    credit(arg.to, arg.amount);
    totalSupply += arg.amount;
    #Ok(record(null, ""));
  };
};
