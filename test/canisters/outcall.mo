// A canister that makes HTTP outcalls through the management canister, with a transform that keeps
// the status and body, drops the headers and appends its context to the body.
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";
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

  public query func transform(args : TransformArgs) : async Response {
    let body = switch (Text.decodeUtf8(args.response.body)) { case (?text) text; case null "" };
    let suffix = switch (Text.decodeUtf8(args.context)) { case (?text) text; case null "" };
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

  public query func balance() : async Nat { Cycles.balance() };
};
