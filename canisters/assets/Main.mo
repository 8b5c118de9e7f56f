// Capsule's certified asset canister: the ic-certified-assets interface that icp-cli's asset
// sync and @dfinity/assets use, serving every response with v2 (and legacy v1) certification.
import Array "mo:core/Array";
import CertifiedData "mo:core/CertifiedData";
import Iter "mo:core/Iter";
import List "mo:core/List";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Time "mo:core/Time";
import Certification "Certification";
import HashTree "HashTree";
import Http "Http";
import IcEnv "IcEnv";
import Sha256 "Sha256";
import Store "Store";
import T "Types";

shared ({ caller = installer }) persistent actor class Assets() = this {
  // Uploaders may pause this long between chunks before their batch is dropped.
  let batchExpiryNanos : Int = 300_000_000_000;

  let assets : Store.Assets = Map.empty<Text, T.Asset>();
  let chunks = Map.empty<Nat, T.Chunk>();
  let batches = Map.empty<Nat, T.Batch>();
  var nextChunkId = 1;
  var nextBatchId = 1;
  // The installer may upload, as with the DFINITY asset canister.
  var commitPrincipals : [Principal] = [installer];
  var preparePrincipals : [Principal] = [];
  var managePrincipals : [Principal] = [];

  transient var tree : HashTree.Node = HashTree.branch([]);
  transient var responses : Store.Responses = Map.empty<Text, Certification.Response>();
  // Read again on every change, so a batch committed after update_settings serves the new variables.
  transient var icEnv = "";

  func recertify<system>() {
    icEnv := IcEnv.cookie<system>();
    let (entries, certified) = Store.certify(assets, icEnv);
    tree := HashTree.build(entries);
    responses := certified;
    CertifiedData.set(tree.hash);
  };
  recertify<system>();

  system func postupgrade() { recertify<system>() };

  // ------------------------------------------------------------ permissions

  func principalsOf(permission : T.Permission) : [Principal] {
    switch permission {
      case (#Commit) commitPrincipals;
      case (#Prepare) preparePrincipals;
      case (#ManagePermissions) managePrincipals;
    };
  };

  func setPrincipals(permission : T.Permission, list : [Principal]) {
    switch permission {
      case (#Commit) commitPrincipals := list;
      case (#Prepare) preparePrincipals := list;
      case (#ManagePermissions) managePrincipals := list;
    };
  };

  func has(permission : T.Permission, caller : Principal) : Bool {
    Array.find<Principal>(principalsOf(permission), func p = p == caller) != null;
  };

  func permissionName(permission : T.Permission) : Text {
    switch permission { case (#Commit) "Commit"; case (#Prepare) "Prepare"; case (#ManagePermissions) "ManagePermissions" };
  };

  func require(permission : T.Permission, caller : Principal) {
    if (Principal.isController(caller) or has(permission, caller)) return;
    if (permission == #Prepare and has(#Commit, caller)) return;
    Runtime.trap("Caller does not have " # permissionName(permission) # " permission");
  };

  func grant(permission : T.Permission, principal : Principal) {
    if (not has(permission, principal)) setPrincipals(permission, Array.concat(principalsOf(permission), [principal]));
  };

  func revoke(permission : T.Permission, principal : Principal) {
    setPrincipals(permission, Array.filter<Principal>(principalsOf(permission), func p = p != principal));
  };

  public shared ({ caller }) func authorize(other : Principal) : async () {
    require(#ManagePermissions, caller);
    grant(#Commit, other);
  };

  public shared ({ caller }) func deauthorize(other : Principal) : async () {
    if (caller != other) require(#ManagePermissions, caller);
    revoke(#Commit, other);
  };

  public shared ({ caller }) func grant_permission(args : { to_principal : Principal; permission : T.Permission }) : async () {
    require(#ManagePermissions, caller);
    grant(args.permission, args.to_principal);
  };

  public shared ({ caller }) func revoke_permission(args : { of_principal : Principal; permission : T.Permission }) : async () {
    if (caller != args.of_principal) require(#ManagePermissions, caller);
    revoke(args.permission, args.of_principal);
  };

  public query func list_permitted(args : { permission : T.Permission }) : async [Principal] {
    principalsOf(args.permission);
  };

  public query func list_authorized() : async [Principal] { commitPrincipals };

  public shared ({ caller }) func take_ownership() : async () {
    if (not Principal.isController(caller)) Runtime.trap("Caller is not a controller");
    commitPrincipals := [caller];
    preparePrincipals := [];
    managePrincipals := [];
  };

  // ---------------------------------------------------------------- uploads

  public query func api_version() : async Nat16 { 2 };

  public shared ({ caller }) func store(args : T.StoreArguments) : async () {
    require(#Commit, caller);
    Store.create(assets, { key = args.key; content_type = args.content_type; max_age = null; headers = null; enable_aliasing = null; allow_raw_access = null });
    Store.setContent(assets, args.key, args.content_encoding, [args.content], args.sha256, Time.now());
    recertify<system>();
  };

  func dropExpiredBatches() {
    let now = Time.now();
    // Collected first: the map must not change while it is iterated.
    let expired = Iter.toArray(Iter.filter<(Nat, T.Batch)>(Map.entries(batches), func((_, batch)) = batch.expiresAt < now and batch.proposed == null));
    for ((id, _) in expired.vals()) removeBatch(id);
  };

  func removeBatch(id : Nat) {
    ignore Map.delete(batches, Nat.compare, id);
    let owned = Iter.toArray(Iter.filter<(Nat, T.Chunk)>(Map.entries(chunks), func((_, chunk)) = chunk.batchId == id));
    for ((chunkId, _) in owned.vals()) ignore Map.delete(chunks, Nat.compare, chunkId);
  };

  public shared ({ caller }) func create_batch(_ : {}) : async { batch_id : T.BatchId } {
    require(#Prepare, caller);
    dropExpiredBatches();
    let id = nextBatchId;
    nextBatchId += 1;
    let batch : T.Batch = { var expiresAt = Time.now() + batchExpiryNanos; var proposed = null };
    Map.add(batches, Nat.compare, id, batch);
    { batch_id = id };
  };

  func addChunk(batchId : Nat, content : Blob) : Nat {
    let batch = switch (Map.get(batches, Nat.compare, batchId)) {
      case (?b) b;
      case null Runtime.trap("batch not found: " # Nat.toText(batchId));
    };
    if (batch.proposed != null) Runtime.trap("batch has been proposed");
    batch.expiresAt := Time.now() + batchExpiryNanos;
    let id = nextChunkId;
    nextChunkId += 1;
    Map.add(chunks, Nat.compare, id, { batchId; content });
    id;
  };

  public shared ({ caller }) func create_chunk(args : { batch_id : T.BatchId; content : Blob }) : async { chunk_id : T.ChunkId } {
    require(#Prepare, caller);
    { chunk_id = addChunk(args.batch_id, args.content) };
  };

  public shared ({ caller }) func create_chunks(args : { batch_id : T.BatchId; content : [Blob] }) : async { chunk_ids : [T.ChunkId] } {
    require(#Prepare, caller);
    { chunk_ids = Array.map<Blob, Nat>(args.content, func content = addChunk(args.batch_id, content)) };
  };

  func takeChunks(ids : [T.ChunkId], last : ?Blob) : [Blob] {
    let contents = Array.map<Nat, Blob>(ids, func id {
      switch (Map.take(chunks, Nat.compare, id)) {
        case (?chunk) chunk.content;
        case null Runtime.trap("chunk not found: " # Nat.toText(id));
      };
    });
    switch last { case (?blob) Array.concat(contents, [blob]); case null contents };
  };

  // A trap anywhere rolls the whole batch back: the operations apply all or not at all.
  func apply(operation : T.BatchOperationKind) {
    switch operation {
      case (#CreateAsset args) Store.create(assets, args);
      case (#SetAssetContent args) Store.setContent(assets, args.key, args.content_encoding, takeChunks(args.chunk_ids, args.last_chunk), args.sha256, Time.now());
      case (#SetAssetProperties args) Store.setProperties(assets, args);
      case (#UnsetAssetContent args) Store.unsetContent(assets, args.key, args.content_encoding);
      case (#DeleteAsset args) Store.delete(assets, args.key);
      case (#Clear _) Map.clear(assets);
    };
  };

  func commit<system>(args : T.CommitBatchArguments) {
    for (operation in args.operations.vals()) apply(operation);
    if (Map.containsKey(batches, Nat.compare, args.batch_id)) removeBatch(args.batch_id);
    recertify<system>();
  };

  public shared ({ caller }) func commit_batch(args : T.CommitBatchArguments) : async () {
    require(#Commit, caller);
    commit<system>(args);
  };

  public shared ({ caller }) func propose_commit_batch(args : T.CommitBatchArguments) : async () {
    require(#Prepare, caller);
    switch (Map.get(batches, Nat.compare, args.batch_id)) {
      case (?batch) if (batch.proposed == null) batch.proposed := ?args else Runtime.trap("batch already proposed");
      case null Runtime.trap("batch not found: " # Nat.toText(args.batch_id));
    };
  };

  // Our evidence is the SHA-256 of the proposal's Candid encoding (computed in one call).
  func proposalOf(batchId : Nat) : T.CommitBatchArguments {
    let proposed = switch (Map.get(batches, Nat.compare, batchId)) { case (?batch) batch.proposed; case null null };
    switch proposed {
      case (?args) args;
      case null Runtime.trap("no proposed batch " # Nat.toText(batchId));
    };
  };

  func evidenceOf(batchId : Nat) : Blob = Sha256.hash(to_candid (proposalOf(batchId)));

  public shared ({ caller }) func compute_evidence(args : { batch_id : T.BatchId; max_iterations : ?Nat16 }) : async ?Blob {
    require(#Prepare, caller);
    ?evidenceOf(args.batch_id);
  };

  public shared ({ caller }) func commit_proposed_batch(args : { batch_id : T.BatchId; evidence : Blob }) : async () {
    require(#Commit, caller);
    if (evidenceOf(args.batch_id) != args.evidence) Runtime.trap("batch evidence does not match");
    commit<system>(proposalOf(args.batch_id));
  };

  public shared ({ caller }) func delete_batch(args : { batch_id : T.BatchId }) : async () {
    require(#Prepare, caller);
    removeBatch(args.batch_id);
  };

  public shared ({ caller }) func create_asset(args : T.CreateAssetArguments) : async () {
    require(#Commit, caller);
    Store.create(assets, args);
    recertify<system>();
  };

  public shared ({ caller }) func set_asset_content(args : T.SetAssetContentArguments) : async () {
    require(#Commit, caller);
    apply(#SetAssetContent args);
    recertify<system>();
  };

  public shared ({ caller }) func unset_asset_content(args : T.UnsetAssetContentArguments) : async () {
    require(#Commit, caller);
    Store.unsetContent(assets, args.key, args.content_encoding);
    recertify<system>();
  };

  public shared ({ caller }) func set_asset_properties(args : T.SetAssetPropertiesArguments) : async () {
    require(#Commit, caller);
    Store.setProperties(assets, args);
    recertify<system>();
  };

  public shared ({ caller }) func delete_asset(args : T.DeleteAssetArguments) : async () {
    require(#Commit, caller);
    Store.delete(assets, args.key);
    recertify<system>();
  };

  public shared ({ caller }) func clear(_ : T.ClearArguments) : async () {
    require(#Commit, caller);
    Map.clear(assets);
    recertify<system>();
  };

  // ------------------------------------------------------------------ reads

  // Paging arguments are optional, so callers passing `record {}` get every asset.
  public query func list(page : { start : ?Nat; length : ?Nat }) : async [{
    key : T.Key;
    content_type : Text;
    encodings : [{ content_encoding : Text; sha256 : ?Blob; length : Nat; modified : Int }];
  }] {
    let start = switch (page.start) { case (?n) n; case null 0 };
    let length = switch (page.length) { case (?n) n; case null Map.size(assets) };
    let entries = Iter.take(Iter.drop(Map.entries(assets), start), length);
    Iter.toArray(Iter.map<(Text, T.Asset), { key : T.Key; content_type : Text; encodings : [{ content_encoding : Text; sha256 : ?Blob; length : Nat; modified : Int }] }>(entries, func((key, asset)) {
      {
        key;
        content_type = asset.contentType;
        encodings = Iter.toArray(Iter.map<(Text, T.Encoding), { content_encoding : Text; sha256 : ?Blob; length : Nat; modified : Int }>(Map.entries(asset.encodings), func((name, e)) = { content_encoding = name; sha256 = ?e.sha256; length = e.totalLength; modified = e.modified }));
      };
    }));
  };

  public query func get_asset_properties(key : T.Key) : async { max_age : ?Nat64; headers : ?[T.HeaderField]; allow_raw_access : ?Bool; is_aliased : ?Bool } {
    let asset = Store.get(assets, key);
    { max_age = asset.maxAge; headers = asset.headers; allow_raw_access = asset.allowRawAccess; is_aliased = asset.isAliased };
  };

  public query func get(args : { key : T.Key; accept_encodings : [Text] }) : async {
    content : Blob;
    content_type : Text;
    content_encoding : Text;
    sha256 : ?Blob;
    total_length : Nat;
  } {
    let asset = Store.get(assets, args.key);
    for (name in args.accept_encodings.vals()) {
      switch (Map.get(asset.encodings, Text.compare, name)) {
        case (?e) return { content = e.chunks[0]; content_type = asset.contentType; content_encoding = name; sha256 = ?e.sha256; total_length = e.totalLength };
        case null {};
      };
    };
    Runtime.trap("no such encoding");
  };

  func chunkOf(key : Text, encoding : Text, index : Nat, sha256 : ?Blob) : Blob {
    let e = switch (Map.get(Store.get(assets, key).encodings, Text.compare, encoding)) {
      case (?e) e;
      case null Runtime.trap("no such encoding");
    };
    if (sha256 != ?e.sha256) Runtime.trap("sha256 mismatch");
    if (index >= e.chunks.size()) Runtime.trap("chunk index out of range");
    e.chunks[index];
  };

  public query func get_chunk(args : { key : T.Key; content_encoding : Text; index : Nat; sha256 : ?Blob }) : async { content : Blob } {
    { content = chunkOf(args.key, args.content_encoding, args.index, args.sha256) };
  };

  public query func certified_tree(_ : {}) : async { certificate : Blob; tree : Blob } {
    { certificate = certificate(); tree = HashTree.encode(HashTree.witness(tree, [[]])) };
  };

  // ------------------------------------------------------------------- HTTP

  func certificate() : Blob {
    switch (CertifiedData.getCertificate()) {
      case (?c) c;
      case null Runtime.trap("no data certificate: call http_request as a query");
    };
  };

  func token(key : Text, encoding : Text, e : T.Encoding, index : Nat) : ?T.StreamingCallbackToken {
    if (index >= e.chunks.size()) null else ?{ key; content_encoding = encoding; index; sha256 = ?e.sha256 };
  };

  public query func http_request_streaming_callback(t : T.StreamingCallbackToken) : async T.StreamingCallbackHttpResponse {
    let e = switch (Map.get(Store.get(assets, t.key).encodings, Text.compare, t.content_encoding)) {
      case (?e) e;
      case null Runtime.trap("no such encoding");
    };
    { body = chunkOf(t.key, t.content_encoding, t.index, t.sha256); token = token(t.key, t.content_encoding, e, t.index + 1) };
  };

  func certificationHeaders(r : Certification.Response, requestPath : Text, exact : Bool, version : ?Nat16, v1Paths : [Text]) : [(Text, Text)] {
    if (version == ?2) {
      let witness = HashTree.encode(HashTree.witness(tree, Certification.v2Witness(requestPath, exact, r)));
      let exprPath = HashTree.encodeTextArray(Certification.exprPath(requestPath, exact));
      return [("ic-certificateexpression", r.expression), ("ic-certificate", Certification.v2Header(certificate(), witness, exprPath))];
    };
    let paths = Array.map<Text, HashTree.Path>(v1Paths, func p = [Text.encodeUtf8("http_assets"), Text.encodeUtf8(p)]);
    [("ic-certificate", Certification.v1Header(certificate(), HashTree.encode(HashTree.witness(tree, paths))))];
  };

  func plain(status : Nat16, message : Text) : T.HttpResponse {
    { status_code = status; headers = [("content-type", "text/plain")]; body = Text.encodeUtf8(message); streaming_strategy = null };
  };

  public query func http_request(request : T.HttpRequest) : async T.HttpResponse {
    let path = switch (Http.path(request.url)) {
      case (?p) p;
      case null return plain(400, "bad request: the path is not valid UTF-8");
    };
    let (found, exact) = switch (Store.lookup(assets, path)) {
      case (?asset) (?asset, true);
      // Single-page apps route on the client: unknown paths get /index.html, certified at <*>.
      case null (Store.lookup(assets, "/index.html"), false);
    };
    let asset = switch found {
      case (?a) a;
      case null {
        let headers = List.fromArray<(Text, Text)>(Store.notFound().headers);
        for (h in certificationHeaders(Store.notFound(), path, false, request.certificate_version, [path, "/index.html"]).vals()) List.add(headers, h);
        return { status_code = 404; headers = List.toArray(headers); body = Certification.notFoundBody(); streaming_strategy = null };
      };
    };
    let (name, e) = switch (Store.chooseEncoding(asset, Http.acceptedEncodings(request.headers))) {
      case (?chosen) chosen;
      case null return plain(500, "asset has no content");
    };
    let key = if (exact) keyOf(path) else "/index.html";
    let r = Store.cachedResponse(responses, key, asset, name, e, icEnv);
    let headers = List.fromArray<(Text, Text)>(r.headers);
    for (h in certificationHeaders(r, path, exact, request.certificate_version, if exact [path] else [path, "/index.html"]).vals()) List.add(headers, h);
    {
      status_code = 200;
      headers = List.toArray(headers);
      body = e.chunks[0];
      streaming_strategy = switch (token(key, name, e, 1)) {
        case (?t) ?#Callback { callback = http_request_streaming_callback; token = t };
        case null null;
      };
    };
  };

  // The stored key a served path resolved to (itself or the target of its alias).
  func keyOf(path : Text) : Text {
    if (Map.containsKey(assets, Text.compare, path)) return path;
    for (target in Http.aliasTargets(path).vals()) if (Map.containsKey(assets, Text.compare, target)) return target;
    path;
  };
};
