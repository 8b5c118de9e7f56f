// Update calls (interface spec, "Request: Call"):
// * v2: 202 once the message is queued; 200 with a CBOR reject if the replica refuses it up front
//   (inspect_message, missing canister, management ingress rules).
// * v4 subnet (`/api/v4/subnet/<esid>/call`): synchronous like v4, for canister creation only.
// * v3/v4: synchronous — the round driver runs rounds until the request is terminal and the answer
//   is `{status: "replied", certificate}` whose tree holds `/request_status/<id>` (the status says
//   replied/rejected); `{status: "non_replicated_rejection", …}` for refused messages; 202 when the
//   call is still running after the timeout (the client then polls read_state).
// A request id already in the ingress history is not executed again (replay protection).
import { targetsAllow, toHex } from '../certification/index.ts';
import type { UserError } from '../execution/index.ts';
import { UncertifiedStateError } from '../replica/index.ts';
import { Principal } from '../state/index.ts';
import { authenticate, callerInfoOf } from './authenticate.ts';
import type { HttpContext } from './context.ts';
import { checkEffectiveCanisterId, checkEffectiveSubnetId } from './effective_id.ts';
import { parseCallEnvelope } from './envelope.ts';
import { accepted, cborResponse, HttpError, textResponse } from './errors.ts';
import type { Handler, HttpRequest, HttpResponse } from './router.ts';

export type CallVersion = 2 | 3 | 4;
/** `/canister/<ecid>/call` or the subnet-scoped `/subnet/<esid>/call` (v4 only). */
export type CallScope = 'canister' | 'subnet';

export function callHandler(context: HttpContext, version: CallVersion, scope: CallScope = 'canister'): Handler {
  return (request) => handleCall(context, version, scope, request);
}

async function handleCall(context: HttpContext, version: CallVersion, scope: CallScope, request: HttpRequest): Promise<HttpResponse> {
  const submitted = await submitCall(context, scope, request);
  if (submitted instanceof HttpError) return textResponse(submitted);
  if ('refused' in submitted) return refusal(version, submitted.refused);
  if (version === 2) return accepted();
  const outcome = await context.rounds.waitFor(submitted.messageId, context.limits.syncCallTimeoutMs);
  if (outcome === 'failed') return textResponse(unavailable(context) ?? new HttpError(503, 'The round could not be made durable; retry the call'));
  if (outcome === 'timeout') return accepted();
  const certificate = await context.certificateInBackground([['request_status', submitted.requestId]]).catch((error: unknown) => {
    // A later round failed to be made durable while this answer waited for its signature.
    if (error instanceof UncertifiedStateError) return unavailable(context) ?? new HttpError(503, error.message);
    throw error;
  });
  if (certificate instanceof HttpError) return textResponse(certificate);
  return cborResponse(200, { status: 'replied', certificate });
}

type Submitted = { messageId: string; requestId: Uint8Array } | { refused: UserError };

/** 503 while the replica cannot make rounds durable (e.g. a full disk): nothing new is accepted. */
function unavailable(context: HttpContext): HttpError | undefined {
  const failure = context.replica.durabilityFailure(true);
  return failure === undefined ? undefined : new HttpError(503, `The replica cannot store new rounds and accepts no calls until it can: ${failure}`);
}

/** Validate the envelope and queue its message (unless it is already known). */
async function submitCall(context: HttpContext, scope: CallScope, request: HttpRequest): Promise<Submitted | HttpError> {
  const refused = unavailable(context);
  if (refused) return refused;
  const envelope = parseCallEnvelope(request.body, 'call');
  if (envelope instanceof HttpError) return envelope;
  const auth = await authenticate(context, envelope);
  if (auth instanceof HttpError) return auth;
  // Again once the signature is checked: the store may have failed meanwhile.
  const failed = unavailable(context);
  if (failed) return failed;
  const content = envelope.content;
  const config = context.replica.state.config;
  const effective =
    scope === 'subnet'
      ? checkEffectiveSubnetId(config, request.params.esid ?? '', content, 'call')
      : checkEffectiveCanisterId(config, request.params.ecid ?? '', content);
  if (effective instanceof HttpError) return effective;
  if (!targetsAllow(auth.targets, content.canisterId)) {
    return new HttpError(403, `Canister ${Principal.fromUint8Array(content.canisterId).toText()} is not one of the delegation targets`);
  }
  const size = content.arg.length + content.methodName.length;
  if (size > context.limits.maxIngressBytes) {
    return new HttpError(413, `Request 0x${toHex(envelope.requestId)} is too large: ${size} bytes > ${context.limits.maxIngressBytes}`);
  }
  const messageId = toHex(envelope.requestId);
  if (context.replica.ingressStatus(messageId) === undefined) {
    const result = context.replica.submit({
      sender: Principal.fromUint8Array(auth.sender),
      receiver: Principal.fromUint8Array(content.canisterId),
      method: content.methodName,
      arg: content.arg,
      messageId,
      bytes: request.body.length,
      ...callerInfoOf(auth),
    });
    if (typeof result !== 'string') return { refused: result };
    context.rounds.kick();
  }
  return { messageId, requestId: envelope.requestId };
}

function refusal(version: CallVersion, error: UserError): HttpResponse {
  const reject = { reject_code: BigInt(error.rejectCode), reject_message: error.message, error_code: error.errorCode };
  return cborResponse(200, version === 2 ? reject : { status: 'non_replicated_rejection', ...reject });
}
