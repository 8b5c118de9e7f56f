// HTTP response certification (version 2, and the legacy version 1) for a canister serving fixed
// responses: a labeled tree of the certified paths, its root hash for `CertifiedData.set`, and the
// `IC-Certificate` header with a witness for one path (interface spec, "Certification" and
// "Encoding of certificates"; HTTP Gateway Protocol, "Response Verification").
import Array "mo:core/Array";
import Base64 "mo:core/Base64";
import Blob "mo:core/Blob";
import List "mo:core/List";
import Nat8 "mo:core/Nat8";
import Text "mo:core/Text";
import Sha256 "Sha256";

module {
  /// A hash tree as the interface spec defines it.
  public type HashTree = {
    #empty;
    #fork : (HashTree, HashTree);
    #labeled : (Blob, HashTree);
    #leaf : Blob;
    #pruned : Blob;
  };

  /// What is certified: a trie of labels whose children are kept sorted, so witnesses can prove absence.
  public type Node = { #leaf : Blob; #branch : [(Blob, Node)] };

  public let emptyNode : Node = #branch([]);

  /// The node with `value` at `path`.
  public func insert(node : Node, path : [Blob], value : Blob) : Node = put(node, path, 0, value);

  func put(node : Node, path : [Blob], i : Nat, value : Blob) : Node {
    if (i == path.size()) return #leaf(value);
    let children = switch node { case (#branch(cs)) cs; case (#leaf(_)) [] };
    let label_ = path[i];
    switch (Array.findIndex<(Blob, Node)>(children, func(c) = c.0 == label_)) {
      case (?at) Array.tabulate<(Blob, Node)>(children.size(), func(j) = if (j == at) (label_, put(children[j].1, path, i + 1, value)) else children[j]) |> #branch(_);
      case null {
        let added = Array.concat(children, [(label_, put(emptyNode, path, i + 1, value))]);
        #branch(Array.sort<(Blob, Node)>(added, func(a, b) = Blob.compare(a.0, b.0)));
      };
    };
  };

  /// The whole tree of a node.
  public func full(node : Node) : HashTree {
    switch node {
      case (#leaf(value)) #leaf(value);
      case (#branch(children)) forks(Array.map<(Blob, Node), HashTree>(children, func(c) = #labeled(c.0, full(c.1))));
    };
  };

  /// The tree with everything outside `path` pruned; everything below `path` is revealed.
  public func witness(node : Node, path : [Blob]) : HashTree = reveal(node, path, 0);

  func reveal(node : Node, path : [Blob], i : Nat) : HashTree {
    switch node {
      case (#leaf(value)) #leaf(value);
      case (#branch(children)) {
        if (i == path.size()) return full(node);
        forks(
          Array.map<(Blob, Node), HashTree>(
            children,
            func(c) = if (c.0 == path[i]) #labeled(c.0, reveal(c.1, path, i + 1)) else #pruned(digest(#labeled(c.0, full(c.1)))),
          )
        );
      };
    };
  };

  /// Children as a balanced binary tree of forks, in label order.
  func forks(trees : [HashTree]) : HashTree {
    func range(from : Nat, to : Nat) : HashTree {
      if (to == from) return #empty;
      if (to == from + 1) return trees[from];
      let middle = (from + to) / 2;
      #fork(range(from, middle), range(middle, to));
    };
    range(0, trees.size());
  };

  public func digest(tree : HashTree) : Blob {
    switch tree {
      case (#empty) Sha256.hash(separated("ic-hashtree-empty", []));
      case (#fork(left, right)) Sha256.hash(separated("ic-hashtree-fork", [digest(left), digest(right)]));
      case (#labeled(label_, subtree)) Sha256.hash(separated("ic-hashtree-labeled", [label_, digest(subtree)]));
      case (#leaf(value)) Sha256.hash(separated("ic-hashtree-leaf", [value]));
      case (#pruned(hash)) hash;
    };
  };

  /// A domain separator (its length, then its bytes) followed by the parts.
  func separated(domain : Text, parts : [Blob]) : Blob {
    let bytes = List.empty<Nat8>();
    let name = Text.encodeUtf8(domain);
    List.add(bytes, Nat8.fromNat(name.size()));
    for (b in name.vals()) List.add(bytes, b);
    for (part in parts.vals()) for (b in part.vals()) List.add(bytes, b);
    Blob.fromArray(List.toArray(bytes));
  };

  // ---- CBOR (self-describing), enough for hash trees and text arrays

  func cborHead(out : List.List<Nat8>, major : Nat8, length : Nat) {
    let kind = major << 5;
    if (length < 24) { List.add(out, kind | Nat8.fromNat(length)); return };
    let size = if (length < 256) 1 else if (length < 65536) 2 else 4;
    List.add(out, kind | (if (size == 1) 24 else if (size == 2) 25 else 26));
    var shift = size;
    while (shift > 0) {
      shift -= 1;
      List.add(out, Nat8.fromNat((length / (256 ** shift)) % 256));
    };
  };

  func cborBytes(out : List.List<Nat8>, bytes : Blob) {
    cborHead(out, 2, bytes.size());
    for (b in bytes.vals()) List.add(out, b);
  };

  func cborTree(out : List.List<Nat8>, tree : HashTree) {
    switch tree {
      case (#empty) { cborHead(out, 4, 1); cborHead(out, 0, 0) };
      case (#fork(left, right)) { cborHead(out, 4, 3); cborHead(out, 0, 1); cborTree(out, left); cborTree(out, right) };
      case (#labeled(label_, subtree)) { cborHead(out, 4, 3); cborHead(out, 0, 2); cborBytes(out, label_); cborTree(out, subtree) };
      case (#leaf(value)) { cborHead(out, 4, 2); cborHead(out, 0, 3); cborBytes(out, value) };
      case (#pruned(hash)) { cborHead(out, 4, 2); cborHead(out, 0, 4); cborBytes(out, hash) };
    };
  };

  func selfDescribing() : List.List<Nat8> = List.fromArray<Nat8>([0xd9, 0xd9, 0xf7]);

  public func encodeTree(tree : HashTree) : Blob {
    let out = selfDescribing();
    cborTree(out, tree);
    Blob.fromArray(List.toArray(out));
  };

  public func encodeTextArray(items : [Text]) : Blob {
    let out = selfDescribing();
    cborHead(out, 4, items.size());
    for (item in items.vals()) {
      let bytes = Text.encodeUtf8(item);
      cborHead(out, 3, bytes.size());
      for (b in bytes.vals()) List.add(out, b);
    };
    Blob.fromArray(List.toArray(out));
  };

  // ---- version 2: expressions and response hashes

  /// A response-only certification of the status, the body and the named response headers.
  public func responseOnly(headers : [Text]) : Text {
    let names = Text.join(Array.map<Text, Text>(headers, func(h) = "\"" # h # "\"").vals(), ",");
    "default_certification(ValidationArgs{certification:Certification{no_request_certification:Empty{},response_certification:ResponseCertification{certified_response_headers:ResponseHeaderList{headers:[" # names # "]}}}})";
  };

  /// The expression path of an exact URL path: "http_expr", its segments, "<$>".
  public func exprPath(path : Text) : [Text] {
    let segments = List.fromArray<Text>(["http_expr"]);
    for (segment in Text.split(path, #char '/')) List.add(segments, segment);
    // Splitting "/a" gives "", "a": the leading empty piece is not a segment ("/" keeps one "").
    let all = List.toArray(segments);
    let trimmed = if (all.size() > 2) Array.concat([all[0]], Array.sliceToArray(all, 2, all.size())) else all;
    Array.concat(trimmed, ["<$>"]);
  };

  /// The certified response hash (headers are lower-case name, value; the expression header is added).
  public func responseHash(status : Nat, headers : [(Text, Text)], expression : Text, body : Blob) : Blob {
    let pairs = List.empty<Blob>();
    for ((name, value) in Array.concat(headers, [("ic-certificateexpression", expression)]).vals()) {
      List.add(pairs, Blob.fromArray(Array.concat(Blob.toArray(Sha256.hash(Text.encodeUtf8(name))), Blob.toArray(Sha256.hash(Text.encodeUtf8(value))))));
    };
    List.add(pairs, Blob.fromArray(Array.concat(Blob.toArray(Sha256.hash(":ic-cert-status")), Blob.toArray(Sha256.hash(leb128(status))))));
    // Representation-independent hash: the pairs' hashes sorted, concatenated, hashed.
    let sorted = Array.sort<Blob>(List.toArray(pairs), Blob.compare);
    let headerHash = Sha256.hash(Blob.fromArray(Array.flatten(Array.map<Blob, [Nat8]>(sorted, Blob.toArray))));
    Sha256.hash(Blob.fromArray(Array.concat(Blob.toArray(headerHash), Blob.toArray(Sha256.hash(body)))));
  };

  func leb128(n : Nat) : Blob {
    let out = List.empty<Nat8>();
    var rest = n;
    while (rest >= 128) {
      List.add(out, Nat8.fromNat(rest % 128 + 128));
      rest /= 128;
    };
    List.add(out, Nat8.fromNat(rest));
    Blob.fromArray(List.toArray(out));
  };

  /// The tree path certifying one response under an exact path: expression hash, "" (no request
  /// certification), response hash.
  public func v2Path(path : Text, expression : Text, responseHash : Blob) : [Blob] {
    let labels = Array.map<Text, Blob>(exprPath(path), Text.encodeUtf8);
    Array.concat(labels, [Sha256.hash(Text.encodeUtf8(expression)), "" : Blob, responseHash]);
  };

  /// The witness part of a version 2 `IC-Certificate` header for an exact path. It changes only with
  /// the tree, so a canister computes it once per path and tree, not once per request.
  public func v2Witness(tree : Node, path : Text) : Text {
    let expr = exprPath(path);
    let witnessTree = witness(tree, Array.map<Text, Blob>(expr, Text.encodeUtf8));
    "tree=:" # Base64.encode(encodeTree(witnessTree)) # ":, expr_path=:" # Base64.encode(encodeTextArray(expr)) # ":, version=2";
  };

  /// The `IC-Certificate` header: the certificate of this query and a witness from `v2Witness` or `v1Witness`.
  public func header(certificate : Blob, witnessPart : Text) : Text {
    "certificate=:" # Base64.encode(certificate) # ":, " # witnessPart;
  };

  // ---- version 1: the `http_assets` tree of body hashes

  public func v1Path(path : Text) : [Blob] = ["http_assets", Text.encodeUtf8(path)];

  public func v1Witness(tree : Node, path : Text) : Text {
    "tree=:" # Base64.encode(encodeTree(witness(tree, v1Path(path)))) # ":";
  };
};
