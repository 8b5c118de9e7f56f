// The assets themselves: batch operations on the key -> asset map, lookup with aliases,
// the choice of encoding, and the certified tree entries of every servable response.
import Array "mo:core/Array";
import List "mo:core/List";
import Map "mo:core/Map";
import Nat64 "mo:core/Nat64";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Certification "Certification";
import HashTree "HashTree";
import Http "Http";
import Sha256 "Sha256";
import T "Types";

module {
  public type Assets = Map.Map<Text, T.Asset>;

  // The order a client that named no stored encoding is served in.
  let fallbackEncodings : [Text] = ["identity", "gzip", "compress", "deflate", "br"];

  public func get(assets : Assets, key : Text) : T.Asset {
    switch (Map.get(assets, Text.compare, key)) {
      case (?asset) asset;
      case null Runtime.trap("asset not found: " # key);
    };
  };

  public func create(assets : Assets, args : T.CreateAssetArguments) {
    switch (Map.get(assets, Text.compare, args.key)) {
      case (?existing) {
        if (existing.contentType != args.content_type) Runtime.trap("create_asset: content type mismatch for " # args.key);
      };
      case null {
        Map.add(assets, Text.compare, args.key, {
          contentType = args.content_type;
          maxAge = args.max_age;
          headers = args.headers;
          allowRawAccess = args.allow_raw_access;
          isAliased = args.enable_aliasing;
          encodings = Map.empty<Text, T.Encoding>();
        });
      };
    };
  };

  /// Stores one encoding; the uploader's sha256 is checked against the content.
  public func setContent(assets : Assets, key : Text, encoding : Text, chunks : [Blob], sha256 : ?Blob, now : Int) {
    let asset = get(assets, key);
    let digest = Sha256.Digest();
    var total = 0;
    for (chunk in chunks.vals()) {
      digest.write(chunk);
      total += chunk.size();
    };
    let actual = digest.sum();
    switch sha256 {
      case (?expected) if (expected != actual) Runtime.trap("sha256 mismatch for " # key # " (" # encoding # ")");
      case null {};
    };
    Map.add(asset.encodings, Text.compare, encoding, { chunks; totalLength = total; sha256 = actual; modified = now });
  };

  public func unsetContent(assets : Assets, key : Text, encoding : Text) {
    ignore Map.delete(get(assets, key).encodings, Text.compare, encoding);
  };

  public func delete(assets : Assets, key : Text) {
    ignore Map.delete(assets, Text.compare, key);
  };

  public func setProperties(assets : Assets, args : T.SetAssetPropertiesArguments) {
    let asset = get(assets, args.key);
    Map.add(assets, Text.compare, args.key, {
      asset with
      maxAge = switch (args.max_age) { case (?value) value; case null asset.maxAge };
      headers = switch (args.headers) { case (?value) value; case null asset.headers };
      allowRawAccess = switch (args.allow_raw_access) { case (?value) value; case null asset.allowRawAccess };
      isAliased = switch (args.is_aliased) { case (?value) value; case null asset.isAliased };
    });
  };

  func aliased(asset : T.Asset) : Bool = asset.isAliased != ?false;

  /// The asset a decoded request path names: the key itself, else an alias of a key.
  public func lookup(assets : Assets, path : Text) : ?T.Asset {
    switch (Map.get(assets, Text.compare, path)) {
      case (?asset) return if (Map.isEmpty(asset.encodings)) null else ?asset;
      case null {};
    };
    for (target in Http.aliasTargets(path).vals()) {
      switch (Map.get(assets, Text.compare, target)) {
        case (?asset) if (aliased(asset) and not Map.isEmpty(asset.encodings)) return ?asset;
        case null {};
      };
    };
    null;
  };

  /// The first accepted encoding the asset has, else its most important one.
  public func chooseEncoding(asset : T.Asset, accepted : [Text]) : ?(Text, T.Encoding) {
    for (name in Array.concat(accepted, fallbackEncodings).vals()) {
      switch (Map.get(asset.encodings, Text.compare, name)) {
        case (?encoding) return ?(name, encoding);
        case null {};
      };
    };
    null;
  };

  /// The certified headers of an asset served in one encoding, names lower-case; HTML keys (and so
  /// their aliases) also set the `ic_env` cookie.
  public func response(key : Text, asset : T.Asset, encodingName : Text, encoding : T.Encoding, icEnv : Text) : Certification.Response {
    let headers = List.fromArray<(Text, Text)>([("content-type", asset.contentType)]);
    if (encodingName != "identity") List.add(headers, ("content-encoding", encodingName));
    switch (asset.maxAge) {
      case (?seconds) List.add(headers, ("cache-control", "max-age=" # Nat64.toText(seconds)));
      case null {};
    };
    for ((name, value) in (switch (asset.headers) { case (?h) h; case null [] }).vals()) {
      let lower = Text.toLower(name);
      if (lower != "content-type" and lower != "content-encoding" and lower != "cache-control") List.add(headers, (lower, value));
    };
    if (Text.endsWith(key, #text ".html")) List.add(headers, ("set-cookie", icEnv));
    Certification.response(200, List.toArray(headers), encoding.sha256);
  };

  public func notFound() : Certification.Response = Certification.response(404, [("content-type", "text/plain")], Sha256.hash(Certification.notFoundBody()));

  /// Each served response of each key and encoding, hashed once per change rather than per request.
  public type Responses = Map.Map<Text, Certification.Response>;

  func responseKey(key : Text, encodingName : Text) : Text = key # "\n" # encodingName;

  public func cachedResponse(responses : Responses, key : Text, asset : T.Asset, encodingName : Text, encoding : T.Encoding, icEnv : Text) : Certification.Response {
    switch (Map.get(responses, Text.compare, responseKey(key, encodingName))) {
      case (?r) r;
      case null response(key, asset, encodingName, encoding, icEnv);
    };
  };

  /// Every (path, leaf) of the certified tree (keys before aliases, so a key wins a clash),
  /// and the responses they certify.
  public func certify(assets : Assets, icEnv : Text) : ([(HashTree.Path, Blob)], Responses) {
    let responses = Map.empty<Text, Certification.Response>();
    let exact = List.empty<(HashTree.Path, Blob)>();
    let aliases = List.empty<(HashTree.Path, Blob)>();
    for ((key, asset) in Map.entries(assets)) {
      let aliasPaths = if (aliased(asset)) Http.aliasesOf(key) else [];
      switch (chooseEncoding(asset, [])) {
        case (?(_, preferred)) {
          List.add(exact, Certification.v1Entry(key, preferred.sha256));
          for (path in aliasPaths.vals()) List.add(aliases, Certification.v1Entry(path, preferred.sha256));
        };
        case null {};
      };
      for ((name, encoding) in Map.entries(asset.encodings)) {
        let r = response(key, asset, name, encoding, icEnv);
        Map.add(responses, Text.compare, responseKey(key, name), r);
        List.add(exact, Certification.v2Entry(?key, r));
        for (path in aliasPaths.vals()) List.add(aliases, Certification.v2Entry(?path, r));
      };
    };
    switch (Map.get(assets, Text.compare, "/index.html")) {
      case (?index) if (not Map.isEmpty(index.encodings)) {
        for ((name, encoding) in Map.entries(index.encodings)) List.add(exact, Certification.v2Entry(null, cachedResponse(responses, "/index.html", index, name, encoding, icEnv)));
      } else List.add(exact, Certification.v2Entry(null, notFound()));
      case null List.add(exact, Certification.v2Entry(null, notFound()));
    };
    (Array.concat(List.toArray(exact), List.toArray(aliases)), responses);
  };
};
