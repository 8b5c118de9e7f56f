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
}

export interface FrontEnd {
  /** The response, or undefined when the request is not for this front end. */
  handle(request: FrontEndRequest): Promise<FrontEndResponse | undefined>;
}
