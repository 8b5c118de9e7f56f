// Request parsing: percent-decoding of the path, Accept-Encoding, alias candidates.
import Blob "mo:core/Blob";
import List "mo:core/List";
import Nat8 "mo:core/Nat8";
import Text "mo:core/Text";

module {
  func hexValue(byte : Nat8) : ?Nat8 {
    if (byte >= 0x30 and byte <= 0x39) return ?(byte - 0x30);
    if (byte >= 0x41 and byte <= 0x46) return ?(byte - 0x41 + 10);
    if (byte >= 0x61 and byte <= 0x66) return ?(byte - 0x61 + 10);
    null;
  };

  /// The URL's path without its query, percent-decoded; null when it is not valid UTF-8.
  public func path(url : Text) : ?Text {
    let raw = switch (Text.split(url, #char '?').next()) { case (?p) p; case null "" };
    let bytes = Blob.toArray(Text.encodeUtf8(raw));
    let out = List.empty<Nat8>();
    var i = 0;
    while (i < bytes.size()) {
      let decoded = if (bytes[i] == 0x25 and i + 2 < bytes.size()) {
        switch (hexValue(bytes[i + 1]), hexValue(bytes[i + 2])) {
          case (?high, ?low) ?(high * 16 + low);
          case _ null;
        };
      } else null;
      switch decoded {
        case (?byte) { List.add(out, byte); i += 3 };
        case null { List.add(out, bytes[i]); i += 1 };
      };
    };
    Text.decodeUtf8(Blob.fromArray(List.toArray(out)));
  };

  /// The value of the first header with this (lower-case) name.
  public func header(headers : [(Text, Text)], name : Text) : ?Text {
    for ((key, value) in headers.vals()) if (Text.toLower(key) == name) return ?value;
    null;
  };

  /// Accept-Encoding's codings in the client's order, without parameters; identity is always acceptable.
  public func acceptedEncodings(headers : [(Text, Text)]) : [Text] {
    let out = List.empty<Text>();
    switch (header(headers, "accept-encoding")) {
      case null {};
      case (?value) {
        for (item in Text.split(value, #char ',')) {
          let coding = switch (Text.split(item, #char ';').next()) { case (?c) c; case null "" };
          let trimmed = Text.toLower(Text.trim(coding, #char ' '));
          if (trimmed != "") List.add(out, trimmed);
        };
      };
    };
    List.add(out, "identity");
    List.toArray(out);
  };

  /// Keys a request path may be an alias of, in order: /dir/ and /dir are /dir/index.html, /page is /page.html.
  public func aliasTargets(requestPath : Text) : [Text] {
    if (Text.endsWith(requestPath, #char '/')) return [requestPath # "index.html"];
    [requestPath # ".html", requestPath # "/index.html"];
  };

  /// The alias paths a key is also served at.
  public func aliasesOf(key : Text) : [Text] {
    switch (Text.stripEnd(key, #text "/index.html")) {
      case (?"") return ["/", "/index"];
      case (?dir) return [dir # "/", dir, dir # "/index"];
      case null {};
    };
    switch (Text.stripEnd(key, #text ".html")) {
      case (?page) if (page != "") [page] else [];
      case null [];
    };
  };
};
