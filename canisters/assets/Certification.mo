// Response certification v1 (`http_assets`) and v2 (`http_expr`, response-only expressions),
// as the HTTP Gateway Protocol specification describes them.
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import Base64 "mo:core/Base64";
import Iter "mo:core/Iter";
import List "mo:core/List";
import Nat "mo:core/Nat";
import Nat8 "mo:core/Nat8";
import Text "mo:core/Text";
import HashTree "HashTree";
import Sha256 "Sha256";

module {
  public type Value = { #text : Text; #number : Nat };

  /// One certifiable response: what the canister sends and, hashed once, what the tree commits to.
  public type Response = {
    status : Nat;
    headers : [(Text, Text)]; // certified headers, names lower-case
    expression : Text;
    expressionHash : Blob;
    hash : Blob;
  };

  public func notFoundBody() : Blob = Text.encodeUtf8("not found");

  func utf8(text : Text) : Blob = Text.encodeUtf8(text);

  func leb128(value : Nat) : [Nat8] {
    let out = List.empty<Nat8>();
    var rest = value;
    loop {
      let low = rest % 128;
      rest /= 128;
      if (rest == 0) {
        List.add(out, Nat8.fromNat(low));
        return List.toArray(out);
      };
      List.add(out, Nat8.fromNat(low + 128));
    };
  };

  /// The representation-independent hash of a list of pairs (keys may repeat).
  public func representationIndependentHash(pairs : [(Text, Value)]) : Blob {
    let hashed = Array.map<(Text, Value), Blob>(pairs, func((key, value)) {
      let valueHash = switch value {
        case (#text t) Sha256.hash(utf8(t));
        case (#number n) Sha256.hashBytes(leb128(n));
      };
      Blob.fromArray(Array.concat(Blob.toArray(Sha256.hash(utf8(key))), Blob.toArray(valueHash)));
    });
    let digest = Sha256.Digest();
    for (pair in Array.sort(hashed, Blob.compare).vals()) digest.write(pair);
    digest.sum();
  };

  /// The CEL expression certifying the response's status, body and the named headers.
  public func expression(headerNames : [Text]) : Text {
    let quoted = Array.map<Text, Text>(headerNames, func name = "\"" # name # "\"");
    "default_certification(ValidationArgs{certification:Certification{no_request_certification:Empty{},response_certification:ResponseCertification{certified_response_headers:ResponseHeaderList{headers:[" # Text.join(quoted.vals(), ",") # "]}}}})";
  };

  public func response(status : Nat, headers : [(Text, Text)], bodySha256 : Blob) : Response {
    let names = Array.map<(Text, Text), Text>(headers, func((name, _)) = name);
    let cel = expression(names);
    let pairs = List.empty<(Text, Value)>();
    for ((name, value) in headers.vals()) List.add(pairs, (name, #text value));
    List.add(pairs, ("ic-certificateexpression", #text cel));
    List.add(pairs, (":ic-cert-status", #number status));
    let digest = Sha256.Digest();
    digest.write(representationIndependentHash(List.toArray(pairs)));
    digest.write(bodySha256);
    { status; headers; expression = cel; expressionHash = Sha256.hash(utf8(cel)); hash = digest.sum() };
  };

  /// Path segments of a decoded URL path: "/" is [""], "/a/b/" is ["a", "b", ""].
  public func segments(path : Text) : [Text] {
    let pieces = Iter.toArray(Text.split(Text.trimStart(path, #char '/'), #char '/'));
    if (pieces.size() == 0) return [""];
    let last = pieces.size() - 1 : Nat;
    let kept = List.empty<Text>();
    for (i in pieces.keys()) if (pieces[i] != "" or i == last) List.add(kept, pieces[i]);
    List.toArray(kept);
  };

  func labels(texts : [Text]) : [Blob] = Array.map<Text, Blob>(texts, utf8);

  func exprPrefix(path : Text) : [Blob] = labels(Array.concat(["http_expr"], segments(path)));

  /// The v2 tree entry of `r` served at exact `path`, or at the catch-all when `path` is null.
  public func v2Entry(path : ?Text, r : Response) : (HashTree.Path, Blob) {
    let prefix = switch path {
      case (?p) Array.concat(exprPrefix(p), [utf8("<$>")]);
      case null [utf8("http_expr"), utf8("<*>")];
    };
    (Array.concat(prefix, [r.expressionHash, Blob.fromArray([]), r.hash]), Blob.fromArray([]));
  };

  public func v1Entry(path : Text, bodySha256 : Blob) : (HashTree.Path, Blob) = ([utf8("http_assets"), utf8(path)], bodySha256);

  /// Witness paths for a v2 response: the exact entry, or the catch-all plus the absence
  /// proofs a verifier demands (the exact path and every more specific wildcard).
  public func v2Witness(requestPath : Text, exact : Bool, r : Response) : [HashTree.Path] {
    let entry = v2Entry(if exact ?requestPath else null, r).0;
    if (exact) return [entry];
    let segs = segments(requestPath);
    let paths = List.fromArray<HashTree.Path>([entry, Array.concat(exprPrefix(requestPath), [utf8("<$>")])]);
    // Verifiers also consider each directory prefix with a trailing slash ("/", "/a/", ...).
    for (i in Nat.range(0, segs.size() + 1)) {
      let prefix = labels(Array.concat(["http_expr"], Array.sliceToArray(segs, 0, i)));
      if (i > 0) List.add(paths, Array.concat(prefix, [utf8("<*>")]));
      List.add(paths, Array.concat(prefix, [utf8(""), utf8("<*>")]));
    };
    List.toArray(paths);
  };

  public func exprPath(requestPath : Text, exact : Bool) : [Text] {
    if (exact) Array.concat(Array.concat(["http_expr"], segments(requestPath)), ["<$>"]) else ["http_expr", "<*>"];
  };

  /// The IC-Certificate header value of a v2 response.
  public func v2Header(certificate : Blob, witness : Blob, exprPathCbor : Blob) : Text {
    "certificate=:" # Base64.encode(certificate) # ":, tree=:" # Base64.encode(witness) # ":, expr_path=:" # Base64.encode(exprPathCbor) # ":, version=2";
  };

  public func v1Header(certificate : Blob, witness : Blob) : Text {
    "certificate=:" # Base64.encode(certificate) # ":, tree=:" # Base64.encode(witness) # ":";
  };
};
