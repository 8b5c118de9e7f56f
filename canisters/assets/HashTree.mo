// The certified tree: a labeled trie whose root hash is the canister's certified data,
// its pruned witnesses, and their CBOR encoding (interface spec, section 'Certification').
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import List "mo:core/List";
import Nat8 "mo:core/Nat8";
import Nat "mo:core/Nat";
import Text "mo:core/Text";
import VarArray "mo:core/VarArray";
import Sha256 "Sha256";

module {
  public type Path = [Blob];

  /// A node's children are sorted by name, so that witnesses can prove absence.
  public type Node = {
    hash : Blob;
    kind : { #leaf : Blob; #children : [(Blob, Node)] };
  };

  public type Witness = {
    #empty;
    #fork : (Witness, Witness);
    #labeled : (Blob, Witness);
    #leaf : Blob;
    #pruned : Blob;
  };

  func separated(tag : Text, parts : [Blob]) : Blob {
    let digest = Sha256.Digest();
    let name = Text.encodeUtf8(tag);
    digest.writeBytes([Nat8.fromNat(name.size())]);
    digest.write(name);
    for (part in parts.vals()) digest.write(part);
    digest.sum();
  };

  func emptyHash() : Blob = separated("ic-hashtree-empty", []);
  func leafHash(value : Blob) : Blob = separated("ic-hashtree-leaf", [value]);
  func labeledHash(name : Blob, child : Blob) : Blob = separated("ic-hashtree-labeled", [name, child]);
  func forkHash(left : Blob, right : Blob) : Blob = separated("ic-hashtree-fork", [left, right]);

  /// Children are laid out as a balanced fork tree over the sorted range [low, high).
  func rangeHash(children : [(Blob, Node)], low : Nat, high : Nat) : Blob {
    if (high == low) return emptyHash();
    if (high == low + 1) return labeledHash(children[low].0, children[low].1.hash);
    let middle = (low + high) / 2;
    forkHash(rangeHash(children, low, middle), rangeHash(children, middle, high));
  };

  public func leaf(value : Blob) : Node = { hash = leafHash(value); kind = #leaf value };

  public func branch(children : [(Blob, Node)]) : Node {
    let sorted = Array.sort<(Blob, Node)>(children, func(a, b) = Blob.compare(a.0, b.0));
    { hash = rangeHash(sorted, 0, sorted.size()); kind = #children sorted };
  };

  /// Builds the trie holding every (path, leaf value) entry; the first of duplicate paths wins.
  public func build(entries : [(Path, Blob)]) : Node = buildAt(entries, 0);

  func buildAt(entries : [(Path, Blob)], depth : Nat) : Node {
    for ((path, value) in entries.vals()) {
      if (path.size() == depth) return leaf(value);
    };
    let sorted = Array.sort<(Path, Blob)>(entries, func(a, b) = Blob.compare(a.0[depth], b.0[depth]));
    let children = List.empty<(Blob, Node)>();
    var start = 0;
    while (start < sorted.size()) {
      let name = sorted[start].0[depth];
      var end = start + 1;
      while (end < sorted.size() and sorted[end].0[depth] == name) end += 1;
      let group = Array.sliceToArray(sorted, start, end);
      List.add(children, (name, buildAt(group, depth + 1)));
      start := end;
    };
    branch(List.toArray(children));
  };

  /// Binary search: #found index, or #absent with the insertion point.
  func find(children : [(Blob, Node)], name : Blob) : { #found : Nat; #absent : Nat } {
    var low = 0;
    var high = children.size();
    while (low < high) {
      let middle = (low + high) / 2;
      switch (Blob.compare(children[middle].0, name)) {
        case (#less) low := middle + 1;
        case (#greater) high := middle;
        case (#equal) return #found middle;
      };
    };
    #absent low;
  };

  /// A witness revealing each path (to its leaf) or proving its absence; all else pruned.
  public func witness(node : Node, paths : [Path]) : Witness = witnessAt(node, paths, 0);

  func witnessAt(node : Node, paths : [Path], depth : Nat) : Witness {
    switch (node.kind) {
      case (#leaf value) #leaf value;
      case (#children children) {
        if (paths.size() == 0) return #pruned(node.hash);
        let n = children.size();
        // needed[i]: the paths continuing below child i (a neighbour proving absence gets none)
        let needed = Array.tabulate<List.List<Path>>(n, func _ = List.empty<Path>());
        let shown = VarArray.repeat<Bool>(false, n);
        var wholeNode = false;
        for (path in paths.vals()) {
          if (path.size() <= depth) wholeNode := true
          else switch (find(children, path[depth])) {
            case (#found i) {
              shown[i] := true;
              List.add(needed[i], path);
            };
            case (#absent i) {
              if (i > 0) shown[i - 1] := true;
              if (i < n) shown[i] := true;
            };
          };
        };
        if (wholeNode) return reveal(node);
        if (n == 0) return #empty;
        rangeWitness(children, shown, needed, 0, n, depth);
      };
    };
  };

  func rangeWitness(children : [(Blob, Node)], shown : [var Bool], needed : [List.List<Path>], low : Nat, high : Nat, depth : Nat) : Witness {
    var any = false;
    for (i in Nat.range(low, high)) if (shown[i]) any := true;
    if (not any) return #pruned(rangeHash(children, low, high));
    if (high == low + 1) {
      let (name, child) = children[low];
      let below = List.toArray(needed[low]);
      return #labeled(name, if (below.size() == 0) #pruned(child.hash) else witnessAt(child, below, depth + 1));
    };
    let middle = (low + high) / 2;
    #fork(rangeWitness(children, shown, needed, low, middle, depth), rangeWitness(children, shown, needed, middle, high, depth));
  };

  func reveal(node : Node) : Witness {
    switch (node.kind) {
      case (#leaf value) #leaf value;
      case (#children children) revealRange(children, 0, children.size());
    };
  };

  func revealRange(children : [(Blob, Node)], low : Nat, high : Nat) : Witness {
    if (high == low) return #empty;
    if (high == low + 1) return #labeled(children[low].0, reveal(children[low].1));
    let middle = (low + high) / 2;
    #fork(revealRange(children, low, middle), revealRange(children, middle, high));
  };

  // ------------------------------------------------------------------ CBOR

  func head(out : List.List<Nat8>, major : Nat8, value : Nat) {
    let m = major << 5;
    if (value < 24) { List.add(out, m | Nat8.fromNat(value)); return };
    var bytes = 1;
    if (value >= 0x100) bytes := 2;
    if (value >= 0x10000) bytes := 4;
    if (value >= 0x100000000) bytes := 8;
    let info : Nat8 = if (bytes == 1) 24 else if (bytes == 2) 25 else if (bytes == 4) 26 else 27;
    List.add(out, m | info);
    var i = bytes;
    while (i > 0) {
      i -= 1;
      List.add(out, Nat8.fromNat((value / (256 ** i)) % 256));
    };
  };

  func bytes(out : List.List<Nat8>, data : Blob) {
    head(out, 2, data.size());
    for (byte in data.vals()) List.add(out, byte);
  };

  func encodeInto(out : List.List<Nat8>, tree : Witness) {
    switch (tree) {
      case (#empty) { head(out, 4, 1); head(out, 0, 0) };
      case (#fork(left, right)) { head(out, 4, 3); head(out, 0, 1); encodeInto(out, left); encodeInto(out, right) };
      case (#labeled(name, child)) { head(out, 4, 3); head(out, 0, 2); bytes(out, name); encodeInto(out, child) };
      case (#leaf value) { head(out, 4, 2); head(out, 0, 3); bytes(out, value) };
      case (#pruned hash) { head(out, 4, 2); head(out, 0, 4); bytes(out, hash) };
    };
  };

  func selfDescribing() : List.List<Nat8> {
    let out = List.empty<Nat8>();
    List.add<Nat8>(out, 0xd9);
    List.add<Nat8>(out, 0xd9);
    List.add<Nat8>(out, 0xf7);
    out;
  };

  /// Self-describing CBOR of a witness, as the IC-Certificate header carries it.
  public func encode(tree : Witness) : Blob {
    let out = selfDescribing();
    encodeInto(out, tree);
    Blob.fromArray(List.toArray(out));
  };

  /// Self-describing CBOR array of text: the header's expr_path.
  public func encodeTextArray(items : [Text]) : Blob {
    let out = selfDescribing();
    head(out, 4, items.size());
    for (item in items.vals()) {
      let utf8 = Text.encodeUtf8(item);
      head(out, 3, utf8.size());
      for (byte in utf8.vals()) List.add(out, byte);
    };
    Blob.fromArray(List.toArray(out));
  };
};
