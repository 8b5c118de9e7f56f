// Query calls (interface spec, "Request: Query call"): executed on the latest state,
// answered with `{status, reply | reject…, signatures}` where the node signs
// `\x0Bic-response ‖ hash_of_map({status, reply | reject_code, reject_message, error_code,
// timestamp, request_id})` with the key published at `/subnet/<sid>/node/<nid>/public_key`.
// The replica gives the target canister its data certificate, as it does for every front end.
import { signQueryResponseInBackground, targetsAllow, type NodeKey } from '../certification/index.ts';
import { type CallResult, Principal } from '../state/index.ts';
import { authenticate, callerInfoOf } from './authenticate.ts';
import type { HttpContext } from './context.ts';
import { checkEffectiveCanisterId, checkEffectiveSubnetId } from './effective_id.ts';
import { parseCallEnvelope } from './envelope.ts';
import { cborResponse, HttpError, textResponse } from './errors.ts';
import type { Handler, HttpRequest, HttpResponse } from './router.ts';

/** `/canister/<ecid>/query`, or the subnet-scoped `/api/v3/subnet/<esid>/query` (list_canisters only). */
export function queryHandler(context: HttpContext, scope: 'canister' | 'subnet' = 'canister'): Handler {
  return (request) => handleQuery(context, scope, request);
}

async function handleQuery(context: HttpContext, scope: 'canister' | 'subnet', request: HttpRequest): Promise<HttpResponse> {
  const envelope = parseCallEnvelope(request.body, 'query');
  if (envelope instanceof HttpError) return textResponse(envelope);
  const auth = await authenticate(context, envelope);
  if (auth instanceof HttpError) return textResponse(auth);
  const content = envelope.content;
  const config = context.replica.state.config;
  const effective =
    scope === 'subnet'
      ? checkEffectiveSubnetId(config, request.params.esid ?? '', content, 'query')
      : checkEffectiveCanisterId(config, request.params.ecid ?? '', content);
  if (effective instanceof HttpError) return textResponse(effective);
  const canisterId = Principal.fromUint8Array(content.canisterId);
  if (!targetsAllow(auth.targets, content.canisterId)) {
    return textResponse(new HttpError(403, `Canister ${canisterId.toText()} is not one of the delegation targets`));
  }
  const result = context.replica.query({
    canisterId,
    method: content.methodName,
    arg: content.arg,
    caller: Principal.fromUint8Array(auth.sender),
    ...callerInfoOf(auth),
  });
  return cborResponse(200, await signedResponse(context.replica.nodeKey, result, context.now(), envelope.requestId));
}

/** The answer with its node signature, computed on a crypto thread. */
async function signedResponse(nodeKey: NodeKey, result: CallResult, timestamp: bigint, requestId: Uint8Array) {
  const body =
    result.kind === 'reply'
      ? { status: 'replied', reply: { arg: result.payload } }
      : {
          status: 'rejected',
          reject_code: BigInt(result.code),
          reject_message: result.message,
          error_code: result.errorCode,
        };
  const signature = await signQueryResponseInBackground(nodeKey, { ...body, timestamp, request_id: requestId });
  return { ...body, signatures: [{ timestamp, signature, identity: nodeKey.nodeId }] };
}
