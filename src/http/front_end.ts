// A front end served on the same port as the HTTP interface (the HTTP gateway): it gets every request
// outside `/api/` and answers those addressed to it; the others keep the interface's 404.
export interface FrontEndRequest {
  readonly method: string;
  /** Origin-form: the path and the query. */
  readonly url: string;
  /** Names as the client sent them; a repeated header appears once per value. */
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

export interface FrontEndResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
  /** A response that stays open after `body` (server-sent events): sent without a length, until either side ends it. */
  readonly stream?: FrontEndStream;
}

export interface FrontEndStream {
  /** Called once `body` is sent: `write` sends more, `end` finishes; returns what to do when the client goes away. */
  open(write: (chunk: Uint8Array) => void, end: () => void): () => void;
}

export interface FrontEnd {
  /** The response, or undefined when the request is not for this front end. */
  handle(request: FrontEndRequest): Promise<FrontEndResponse | undefined>;
}
