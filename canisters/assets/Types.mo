// The asset canister's Candid types (the ic-certified-assets interface) and its stored state.
import Map "mo:core/Map";

module {
  public type Key = Text;
  public type BatchId = Nat;
  public type ChunkId = Nat;
  public type HeaderField = (Text, Text);

  public type Encoding = {
    chunks : [Blob];
    totalLength : Nat;
    sha256 : Blob;
    modified : Int;
  };

  public type Asset = {
    contentType : Text;
    maxAge : ?Nat64;
    headers : ?[HeaderField];
    allowRawAccess : ?Bool;
    isAliased : ?Bool;
    encodings : Map.Map<Text, Encoding>;
  };

  public type Chunk = { batchId : BatchId; content : Blob };
  public type Batch = { var expiresAt : Int; var proposed : ?CommitBatchArguments };

  public type Permission = { #Commit; #ManagePermissions; #Prepare };

  public type CreateAssetArguments = {
    key : Key;
    content_type : Text;
    max_age : ?Nat64;
    headers : ?[HeaderField];
    enable_aliasing : ?Bool;
    allow_raw_access : ?Bool;
  };
  public type SetAssetContentArguments = {
    key : Key;
    content_encoding : Text;
    chunk_ids : [ChunkId];
    last_chunk : ?Blob;
    sha256 : ?Blob;
  };
  public type UnsetAssetContentArguments = { key : Key; content_encoding : Text };
  public type DeleteAssetArguments = { key : Key };
  public type ClearArguments = {};
  public type SetAssetPropertiesArguments = {
    key : Key;
    max_age : ??Nat64;
    headers : ??[HeaderField];
    allow_raw_access : ??Bool;
    is_aliased : ??Bool;
  };
  public type BatchOperationKind = {
    #CreateAsset : CreateAssetArguments;
    #SetAssetContent : SetAssetContentArguments;
    #SetAssetProperties : SetAssetPropertiesArguments;
    #UnsetAssetContent : UnsetAssetContentArguments;
    #DeleteAsset : DeleteAssetArguments;
    #Clear : ClearArguments;
  };
  public type CommitBatchArguments = { batch_id : BatchId; operations : [BatchOperationKind] };
  public type StoreArguments = {
    key : Key;
    content_type : Text;
    content_encoding : Text;
    content : Blob;
    sha256 : ?Blob;
  };

  public type HttpRequest = {
    method : Text;
    url : Text;
    headers : [HeaderField];
    body : Blob;
    certificate_version : ?Nat16;
  };
  public type StreamingCallbackToken = {
    key : Key;
    content_encoding : Text;
    index : Nat;
    sha256 : ?Blob;
  };
  public type StreamingCallbackHttpResponse = { body : Blob; token : ?StreamingCallbackToken };
  public type StreamingStrategy = {
    #Callback : {
      // The wire form of the DFINITY asset canister: a plain record, which gateways also accept at `opt`.
      callback : shared query StreamingCallbackToken -> async StreamingCallbackHttpResponse;
      token : StreamingCallbackToken;
    };
  };
  public type HttpResponse = {
    status_code : Nat16;
    headers : [HeaderField];
    body : Blob;
    streaming_strategy : ?StreamingStrategy;
  };
};
