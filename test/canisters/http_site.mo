// A small web site served through `http_request`, certified for verifying HTTP gateways:
//   /, /index.html   a certified page (version 2)
//   /large           a certified 1 MB body (version 2)
//   /streamed        a body in three chunks: the first in the response, the rest by streaming callback
//   /range           a 20-byte text certified as 206 chunks of 8 bytes (`Range: bytes=N-` picks one)
//   /legacy          certified with version 1 (the `http_assets` tree)
//   /forged          certified for one body, served with another
//   /bad-certificate a certificate with its last byte flipped
//   /uncertified     no certificate at all
//   /headers         the request's method, url and headers as text (uncertified)
//   other methods    upgraded to `http_request_update`, which counts them
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import CertifiedData "mo:core/CertifiedData";
import Nat "mo:core/Nat";
import Nat8 "mo:core/Nat8";
import Nat16 "mo:core/Nat16";
import Text "mo:core/Text";
import Cert "HttpCertification";
import Sha256 "Sha256";

persistent actor HttpSite {
  type HeaderField = (Text, Text);
  type HttpRequest = { method : Text; url : Text; headers : [HeaderField]; body : Blob; certificate_version : ?Nat16 };
  type HttpUpdateRequest = { method : Text; url : Text; headers : [HeaderField]; body : Blob };
  type Token = { key : Text; index : Nat };
  type StreamingCallbackResponse = { body : Blob; token : ?Token };
  type StreamingStrategy = { #Callback : { callback : shared query Token -> async StreamingCallbackResponse; token : Token } };
  type HttpResponse = {
    status_code : Nat16;
    headers : [HeaderField];
    body : Blob;
    upgrade : ?Bool;
    streaming_strategy : ?StreamingStrategy;
  };

  /// One certified response: what is served, and what was certified for it.
  type Page = { status : Nat; headers : [HeaderField]; body : Blob; certifiedBody : Blob; expression : Text };

  var updates : Nat = 0;

  func textPage(contentType : Text, body : Blob) : Page {
    { status = 200; headers = [("content-type", contentType)]; body; certifiedBody = body; expression = html };
  };

  func pattern(text : Text, size : Nat) : Blob {
    let bytes = Blob.toArray(Text.encodeUtf8(text));
    Blob.fromArray(Array.tabulate<Nat8>(size, func(i) = bytes[i % bytes.size()]));
  };

  transient let html = Cert.responseOnly(["content-type"]);
  transient let ranged = Cert.responseOnly(["content-type", "content-range"]);
  transient let page : Page = textPage("text/html", "<!doctype html><title>Capsule</title><h1>Hello from a certified canister</h1>");
  transient let large : Page = textPage("application/octet-stream", Blob.fromArray(Array.tabulate<Nat8>(1_000_000, func(i) = Nat8.fromNat(i % 251))));
  transient let chunks : [Blob] = [pattern("first|", 40_000), pattern("second|", 40_000), pattern("third|", 40_000)];
  transient let streamed : Page = textPage("text/plain", Blob.fromArray(Array.flatten(Array.map<Blob, [Nat8]>(chunks, Blob.toArray))));
  transient let rangeText : Blob = "0123456789abcdefghij";
  transient let rangeChunk = 8;
  transient let forged : Page = { textPage("text/plain", "the certified body") with body = "a forged body" : Blob };
  transient let legacyBody : Blob = "certified the old way";

  func rangePage(start : Nat) : Page {
    let end = Nat.min(start + rangeChunk, rangeText.size());
    let body = Blob.fromArray(Array.sliceToArray(Blob.toArray(rangeText), start, end));
    let contentRange = "bytes " # Nat.toText(start) # "-" # Nat.toText(end - 1 : Nat) # "/" # Nat.toText(rangeText.size());
    { status = 206; headers = [("content-type", "text/plain"), ("content-range", contentRange)]; body; certifiedBody = body; expression = ranged };
  };

  transient let rangeStarts : [Nat] = Array.tabulate<Nat>((rangeText.size() + rangeChunk - 1) / rangeChunk, func(i) = i * rangeChunk);

  transient let pages : [(Text, Page)] = [("/", page), ("/index.html", page), ("/large", large), ("/streamed", streamed), ("/forged", forged), ("/bad-certificate", page)];

  func certify(tree : Cert.Node, path : Text, p : Page) : Cert.Node {
    let hash = Cert.responseHash(p.status, p.headers, p.expression, p.certifiedBody);
    Cert.insert(tree, Cert.v2Path(path, p.expression, hash), "");
  };

  transient let tree : Cert.Node = do {
    var t = Cert.emptyNode;
    for ((path, p) in pages.vals()) t := certify(t, path, p);
    for (start in rangeStarts.vals()) t := certify(t, "/range", rangePage(start));
    Cert.insert(t, Cert.v1Path("/legacy"), Sha256.hash(legacyBody));
  };

  // Each path's witness, computed once: only the certificate changes from one request to the next.
  transient let witnesses : [(Text, Text)] = Array.concat(
    Array.map<(Text, Page), (Text, Text)>(pages, func((path, _)) = (path, Cert.v2Witness(tree, path))),
    [("/range", Cert.v2Witness(tree, "/range")), ("/legacy", Cert.v1Witness(tree, "/legacy"))],
  );

  func witnessOf(path : Text) : Text {
    for ((p, w) in witnesses.vals()) if (p == path) return w;
    "";
  };

  // Certified data is not kept across upgrades: set it at every start.
  CertifiedData.set(Cert.digest(Cert.full(tree)));

  func respond(status : Nat, headers : [HeaderField], body : Blob, streaming : ?StreamingStrategy) : HttpResponse {
    { status_code = Nat16.fromNat(status); headers; body; upgrade = null; streaming_strategy = streaming };
  };

  func certified(path : Text, p : Page, certificate : Blob, streaming : ?StreamingStrategy) : HttpResponse {
    let headers = Array.concat(p.headers, [("ic-certificateexpression", p.expression), ("ic-certificate", Cert.header(certificate, witnessOf(path)))]);
    respond(p.status, headers, p.body, streaming);
  };

  func header(request : HttpRequest, name : Text) : ?Text {
    for ((n, v) in request.headers.vals()) if (Text.toLower(n) == name) return ?v;
    null;
  };

  /// The start of `Range: bytes=N-`, 0 without one.
  func rangeStart(request : HttpRequest) : ?Nat {
    switch (header(request, "range")) {
      case null ?0;
      case (?value) switch (Text.stripStart(value, #text "bytes=")) {
        case null null;
        case (?rest) Nat.fromText(Text.trimEnd(rest, #char '-'));
      };
    };
  };

  public query func http_request(request : HttpRequest) : async HttpResponse {
    if (request.method != "GET" and request.method != "HEAD") {
      return { respond(200, [], "", null) with upgrade = ?true };
    };
    let path = switch (Text.split(request.url, #char '?').next()) { case (?p) p; case null "/" };
    let certificate = switch (CertifiedData.getCertificate()) {
      case (?c) c;
      case null return respond(503, [("content-type", "text/plain")], "no data certificate", null);
    };
    if (path == "/headers") {
      let lines = Array.map<HeaderField, Text>(request.headers, func((n, v)) = n # ": " # v);
      return respond(200, [("content-type", "text/plain")], Text.encodeUtf8(request.method # " " # request.url # "\n" # Text.join(lines.vals(), "\n")), null);
    };
    if (path == "/uncertified") return respond(200, [("content-type", "text/plain")], "nobody vouches for this", null);
    if (path == "/legacy") {
      return respond(200, [("content-type", "text/plain"), ("ic-certificate", Cert.header(certificate, witnessOf(path)))], legacyBody, null);
    };
    if (path == "/range") {
      return switch (rangeStart(request)) {
        case (?start) if (Array.indexOf<Nat>(rangeStarts, Nat.equal, start) != null) certified(path, rangePage(start), certificate, null) else respond(416, [], "", null);
        case null respond(416, [], "", null);
      };
    };
    if (path == "/streamed") {
      let token = { key = path; index = 1 };
      return { certified(path, streamed, certificate, ?#Callback { callback = http_request_streaming_callback; token }) with body = chunks[0] };
    };
    if (path == "/bad-certificate") {
      let bytes = Blob.toArray(certificate);
      let flipped = Array.tabulate<Nat8>(bytes.size(), func(i) = if (i + 1 == bytes.size()) bytes[i] ^ 1 else bytes[i]);
      return certified(path, page, Blob.fromArray(flipped), null);
    };
    for ((p, content) in pages.vals()) if (p == path) return certified(path, content, certificate, null);
    respond(404, [("content-type", "text/plain")], "not found", null);
  };

  public query func http_request_streaming_callback(token : Token) : async StreamingCallbackResponse {
    let next = if (token.index + 1 < chunks.size()) ?{ token with index = token.index + 1 } else null;
    { body = chunks[token.index]; token = next };
  };

  public func http_request_update(request : HttpUpdateRequest) : async HttpResponse {
    updates += 1;
    respond(200, [("content-type", "text/plain")], Text.encodeUtf8(request.method # " " # request.url # " update " # Nat.toText(updates)), null);
  };
};
