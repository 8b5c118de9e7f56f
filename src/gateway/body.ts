// The whole body of a canister's HTTP response: the first chunk, then every chunk its streaming
// callback gives, asked of the same canister with the token it handed out. The whole body is
// buffered so that it is verified before any of it is served.
import type { Principal } from '../state/index.ts';
import { type CanisterHttpResponse, decodeCallbackResponse, encodeToken } from './candid.ts';
import type { CanisterCalls } from './canister_calls.ts';

/** At most this many callbacks per response (the reference gateway's limit). */
export const MAX_STREAMING_CALLBACKS = 1_000;

/** A request the gateway answers itself, with the status and reason. */
export class GatewayError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
  }
}

export async function completeBody(calls: CanisterCalls, canisterId: Principal, response: CanisterHttpResponse): Promise<Uint8Array> {
  const callback = response.streaming;
  if (!callback) return response.body;
  if (callback.canisterId.toText() !== canisterId.toText()) {
    throw new GatewayError(502, `The streaming callback belongs to ${callback.canisterId.toText()}, not to ${canisterId.toText()}`);
  }
  const chunks = [response.body];
  let token = callback.token;
  for (let count = 0; ; count++) {
    if (count >= MAX_STREAMING_CALLBACKS) throw new GatewayError(502, `The body did not end within ${MAX_STREAMING_CALLBACKS} streaming callbacks`);
    const result = await calls.query(canisterId, callback.method, encodeToken(token));
    if (result.kind === 'reject') throw new GatewayError(502, `The streaming callback was rejected (reject code ${result.code}): ${result.message}`);
    const next = callbackResponseOf(result.payload);
    chunks.push(next.body);
    if (!next.token) break;
    token = next.token;
  }
  return Buffer.concat(chunks);
}

function callbackResponseOf(reply: Uint8Array): ReturnType<typeof decodeCallbackResponse> {
  try {
    return decodeCallbackResponse(reply);
  } catch (error) {
    throw new GatewayError(502, `The streaming callback's reply is not a StreamingCallbackHttpResponse: ${error instanceof Error ? error.message : String(error)}`);
  }
}
