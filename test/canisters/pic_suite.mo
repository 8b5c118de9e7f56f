// The canister of the PocketIC drop-in tests: a stable value, the time, logs, the caller, cycles,
// a one-shot timer, a blob kept in a stable-memory region (for get/set stable memory) and certified
// data with its certificate (for canister signatures).
import CertifiedData "mo:core/CertifiedData";
import Cycles "mo:core/Cycles";
import Debug "mo:core/Debug";
import Nat64 "mo:core/Nat64";
import Principal "mo:core/Principal";
import Region "mo:core/Region";
import Time "mo:core/Time";
import Timer "mo:core/Timer";

persistent actor PicSuite {
  var value : Text = "";
  var fired : Nat = 0;
  let region = Region.new();
  let _grown = Region.grow(region, 1);

  public func set(v : Text) : async () {
    value := v;
  };

  public query func get() : async Text {
    value;
  };

  public query func now() : async Int {
    Time.now();
  };

  public func log(message : Text) : async () {
    Debug.print(message);
  };

  public query ({ caller }) func whoami() : async Principal {
    caller;
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };

  public func after(seconds : Nat) : async () {
    ignore Timer.setTimer<system>(#seconds seconds, func() : async () { fired += 1 });
  };

  public query func timersFired() : async Nat {
    fired;
  };

  public func storeBlob(blob : Blob) : async () {
    Region.storeNat64(region, 0, Nat64.fromNat(blob.size()));
    Region.storeBlob(region, 8, blob);
  };

  public query func loadBlob() : async Blob {
    let size = Nat64.toNat(Region.loadNat64(region, 0));
    Region.loadBlob(region, 8, size);
  };

  public func certify(data : Blob) : async () {
    CertifiedData.set(data);
  };

  public query func certificate() : async ?Blob {
    CertifiedData.getCertificate();
  };

  public query func self() : async Principal {
    Principal.fromActor(PicSuite);
  };
};
