// A canister that makes HTTP outcalls through the management canister, with a transform that keeps
// the status and body, drops the headers and appends its context to the body (or traps, or appends
// its caller, for the contexts "trap" and "caller").
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";

persistent actor Outcall {
  public type Header = { name : Text; value : Text };
  public type Response = { status : Nat; headers : [Header]; body : Blob };
  public type TransformArgs = { response : Response; context : Blob };
  type Request = {
    url : Text;
    max_response_bytes : ?Nat64;
    method : { #get; #head; #post };
    headers : [Header];
    body : ?Blob;
    transform : ?{ function : shared query TransformArgs -> async Response; context : Blob };
  };

  transient let ic = actor "aaaaa-aa" : actor { http_request : Request -> async Response };

  /// Appends the context to the body; the context "trap" traps, "caller" appends the caller instead.
  public shared query ({ caller }) func transform(args : TransformArgs) : async Response {
    let body = switch (Text.decodeUtf8(args.response.body)) { case (?text) text; case null "" };
    let suffix = switch (Text.decodeUtf8(args.context)) {
      case (?"trap") Runtime.trap("transform refused");
      case (?"caller") " from " # Principal.toText(caller);
      case (?text) text;
      case null "";
    };
    { status = args.response.status; headers = []; body = Text.encodeUtf8(body # suffix) }
  };

  /// GETs `url` with `cycles` attached; the transformed body as text, or the reject.
  public func fetch(url : Text, cycles : Nat, maxResponseBytes : ?Nat64, transformed : Bool) : async Text {
    let request : Request = {
      url;
      max_response_bytes = maxResponseBytes;
      method = #get;
      headers = [{ name = "x-test"; value = "1" }];
      body = null;
      transform = if transformed ?{ function = transform; context = Text.encodeUtf8("!") } else null;
    };
    try {
      let response = await (with cycles = cycles) ic.http_request(request);
      let body = switch (Text.decodeUtf8(response.body)) { case (?text) text; case null "<binary>" };
      debug_show (response.status) # " " # debug_show (response.headers.size()) # " " # body
    } catch (error) {
      "reject " # debug_show (Error.code(error)) # " " # Error.message(error)
    };
  };

  /// GETs `url` with 30B cycles attached and the transform given `context`.
  public func fetchWith(url : Text, context : Text) : async Text {
    let request : Request = {
      url;
      max_response_bytes = null;
      method = #get;
      headers = [];
      body = null;
      transform = ?{ function = transform; context = Text.encodeUtf8(context) };
    };
    try {
      let response = await (with cycles = 30_000_000_000) ic.http_request(request);
      switch (Text.decodeUtf8(response.body)) { case (?text) text; case null "<binary>" };
    } catch (error) {
      "reject " # debug_show (Error.code(error)) # " " # Error.message(error)
    };
  };

  public query func balance() : async Nat { Cycles.balance() };
};
