// A canister that asks the management canister for vetKD public keys and encrypted keys, and answers
// with what it got: the key (and the cycles refunded to it), or the reject's code and message.
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";

persistent actor VetKd {
  type KeyId = { curve : { #bls12_381_g2 }; name : Text };
  public type Answer = { #ok : { key : Blob; refunded : Nat }; #reject : Text };

  transient let ic = actor "aaaaa-aa" : actor {
    vetkd_public_key : ({ canister_id : ?Principal; context : Blob; key_id : KeyId }) -> async { public_key : Blob };
    vetkd_derive_key : ({ input : Blob; context : Blob; transport_public_key : Blob; key_id : KeyId }) -> async {
      encrypted_key : Blob;
    };
  };

  func keyId(name : Text) : KeyId = { curve = #bls12_381_g2; name };

  func rejected(error : Error) : Answer = #reject(debug_show (Error.code(error)) # " " # Error.message(error));

  public func publicKey(canisterId : ?Principal, context : Blob, keyName : Text) : async Answer {
    try {
      let reply = await ic.vetkd_public_key({ canister_id = canisterId; context; key_id = keyId(keyName) });
      #ok({ key = reply.public_key; refunded = 0 });
    } catch (error) { rejected(error) };
  };

  /// Derives with `cycles` attached.
  public func deriveKey(input : Blob, context : Blob, transportPublicKey : Blob, keyName : Text, cycles : Nat) : async Answer {
    try {
      let reply = await (with cycles) ic.vetkd_derive_key({
        input;
        context;
        transport_public_key = transportPublicKey;
        key_id = keyId(keyName);
      });
      #ok({ key = reply.encrypted_key; refunded = Cycles.refunded() });
    } catch (error) { rejected(error) };
  };
};
