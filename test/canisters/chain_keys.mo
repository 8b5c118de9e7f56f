// A canister that asks the management canister for its chain keys and answers with what it got.
//  - threshold signatures (ECDSA on secp256k1, BIP340 Schnorr with an optional taproot root, Ed25519):
//    public keys and signatures, each answered as the reply or the reject ("#<code> <message>"),
//    signatures with the cycles refunded;
//  - vetKD: public keys and encrypted keys, answered as the key (and the cycles refunded to it) or the
//    reject's code and message.
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";

persistent actor ChainKeys {
  public type Algorithm = { #bip340secp256k1; #ed25519 };
  public type Aux = { #bip341 : { merkle_root_hash : Blob } };
  public type PublicKey = { public_key : Blob; chain_code : Blob };
  public type KeyResult = { #ok : PublicKey; #err : Text };
  public type SignResult = { #ok : Blob; #err : Text };
  public type Answer = { #ok : { key : Blob; refunded : Nat }; #reject : Text };
  type EcdsaKeyId = { curve : { #secp256k1 }; name : Text };
  type SchnorrKeyId = { algorithm : Algorithm; name : Text };
  type VetKdKeyId = { curve : { #bls12_381_g2 }; name : Text };

  transient let ic = actor "aaaaa-aa" : actor {
    ecdsa_public_key : { canister_id : ?Principal; derivation_path : [Blob]; key_id : EcdsaKeyId } -> async PublicKey;
    sign_with_ecdsa : { message_hash : Blob; derivation_path : [Blob]; key_id : EcdsaKeyId } -> async { signature : Blob };
    schnorr_public_key : { canister_id : ?Principal; derivation_path : [Blob]; key_id : SchnorrKeyId } -> async PublicKey;
    sign_with_schnorr : { message : Blob; derivation_path : [Blob]; key_id : SchnorrKeyId; aux : ?Aux } -> async { signature : Blob };
    vetkd_public_key : ({ canister_id : ?Principal; context : Blob; key_id : VetKdKeyId }) -> async { public_key : Blob };
    vetkd_derive_key : ({ input : Blob; context : Blob; transport_public_key : Blob; key_id : VetKdKeyId }) -> async {
      encrypted_key : Blob;
    };
  };

  func rejected(error : Error) : Text = debug_show (Error.code(error)) # " " # Error.message(error);

  // ---- threshold ECDSA and Schnorr

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

  // ---- vetKD

  func vetKdKeyId(name : Text) : VetKdKeyId = { curve = #bls12_381_g2; name };

  public func publicKey(canisterId : ?Principal, context : Blob, keyName : Text) : async Answer {
    try {
      let reply = await ic.vetkd_public_key({ canister_id = canisterId; context; key_id = vetKdKeyId(keyName) });
      #ok({ key = reply.public_key; refunded = 0 });
    } catch (error) { #reject(rejected(error)) };
  };

  /// Derives with `cycles` attached.
  public func deriveKey(input : Blob, context : Blob, transportPublicKey : Blob, keyName : Text, cycles : Nat) : async Answer {
    try {
      let reply = await (with cycles) ic.vetkd_derive_key({
        input;
        context;
        transport_public_key = transportPublicKey;
        key_id = vetKdKeyId(keyName);
      });
      #ok({ key = reply.encrypted_key; refunded = Cycles.refunded() });
    } catch (error) { #reject(rejected(error)) };
  };
};
