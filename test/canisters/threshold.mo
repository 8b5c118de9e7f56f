// A canister that asks the management canister for its threshold public keys and signatures
// (ECDSA on secp256k1, BIP340 Schnorr with an optional taproot root, Ed25519), each answered as
// the reply or the reject ("#<code> <message>"), signatures with the cycles refunded.
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";

persistent actor Threshold {
  public type Algorithm = { #bip340secp256k1; #ed25519 };
  public type Aux = { #bip341 : { merkle_root_hash : Blob } };
  public type PublicKey = { public_key : Blob; chain_code : Blob };
  public type KeyResult = { #ok : PublicKey; #err : Text };
  public type SignResult = { #ok : Blob; #err : Text };
  type EcdsaKeyId = { curve : { #secp256k1 }; name : Text };
  type SchnorrKeyId = { algorithm : Algorithm; name : Text };

  transient let ic = actor "aaaaa-aa" : actor {
    ecdsa_public_key : { canister_id : ?Principal; derivation_path : [Blob]; key_id : EcdsaKeyId } -> async PublicKey;
    sign_with_ecdsa : { message_hash : Blob; derivation_path : [Blob]; key_id : EcdsaKeyId } -> async { signature : Blob };
    schnorr_public_key : { canister_id : ?Principal; derivation_path : [Blob]; key_id : SchnorrKeyId } -> async PublicKey;
    sign_with_schnorr : { message : Blob; derivation_path : [Blob]; key_id : SchnorrKeyId; aux : ?Aux } -> async { signature : Blob };
  };

  func rejected(error : Error) : Text = debug_show (Error.code(error)) # " " # Error.message(error);

  public func ecdsaPublicKey(name : Text, path : [Blob]) : async KeyResult {
    try {
      #ok(await ic.ecdsa_public_key({ canister_id = null; derivation_path = path; key_id = { curve = #secp256k1; name } }));
    } catch (error) { #err(rejected(error)) };
  };

  public func schnorrPublicKey(algorithm : Algorithm, name : Text, path : [Blob]) : async KeyResult {
    try {
      #ok(await ic.schnorr_public_key({ canister_id = null; derivation_path = path; key_id = { algorithm; name } }));
    } catch (error) { #err(rejected(error)) };
  };

  /// Signs `hash` with `cycles` attached; the signature (or reject) and the cycles refunded.
  public func signEcdsa(name : Text, hash : Blob, path : [Blob], cycles : Nat) : async (SignResult, Nat) {
    try {
      let reply = await (with cycles = cycles) ic.sign_with_ecdsa({ message_hash = hash; derivation_path = path; key_id = { curve = #secp256k1; name } });
      (#ok(reply.signature), Cycles.refunded());
    } catch (error) { (#err(rejected(error)), Cycles.refunded()) };
  };

  public func signSchnorr(algorithm : Algorithm, name : Text, message : Blob, path : [Blob], aux : ?Aux, cycles : Nat) : async (SignResult, Nat) {
    try {
      let reply = await (with cycles = cycles) ic.sign_with_schnorr({ message; derivation_path = path; key_id = { algorithm; name }; aux });
      (#ok(reply.signature), Cycles.refunded());
    } catch (error) { (#err(rejected(error)), Cycles.refunded()) };
  };
};
