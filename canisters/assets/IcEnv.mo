// The `ic_env` cookie that HTML answers carry: the root key and the canister's PUBLIC_ environment
// variables, which `@icp-sdk/core` reads in the page with `getCanisterEnv()`.
import Array "mo:core/Array";
import Nat8 "mo:core/Nat8";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Prim "mo:⛔";

module {
  let hexDigits : [Char] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'];
  let upperHexDigits : [Char] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'];

  func hex(bytes : Blob) : Text {
    var out = "";
    for (byte in bytes.vals()) {
      let n = Nat8.toNat(byte);
      out #= Text.fromChar(hexDigits[n / 16]) # Text.fromChar(hexDigits[n % 16]);
    };
    out;
  };

  // What JavaScript's encodeURIComponent leaves as it is; the page decodes with decodeURIComponent.
  func unreserved(c : Char) : Bool {
    (c >= 'A' and c <= 'Z') or (c >= 'a' and c <= 'z') or (c >= '0' and c <= '9') or Text.contains("-_.!~*'()", #char c);
  };

  func urlEncode(text : Text) : Text {
    var out = "";
    for (c in text.chars()) {
      if (unreserved(c)) out #= Text.fromChar(c) else for (byte in Text.encodeUtf8(Text.fromChar(c)).vals()) {
        let n = Nat8.toNat(byte);
        out #= "%" # Text.fromChar(upperHexDigits[n / 16]) # Text.fromChar(upperHexDigits[n % 16]);
      };
    };
    out;
  };

  /// The `set-cookie` value, read from the System API: call it whenever the variables may have changed.
  public func cookie<system>() : Text {
    let publicNames = Array.filter<Text>(Runtime.envVarNames<system>(), func name = Text.startsWith(name, #text "PUBLIC_"));
    var entries = "ic_root_key=" # hex(Prim.rootKey());
    for (name in publicNames.vals()) {
      switch (Runtime.envVar<system>(name)) {
        case (?value) entries #= "&" # name # "=" # value;
        case null {};
      };
    };
    "ic_env=" # urlEncode(entries) # "; SameSite=Lax";
  };
};
