// Who sent a request and whether it is still valid (interface spec, "Authentication" and
// "Request expiry"): the ingress expiry must lie in [now, now + 5 min + drift], except
// for anonymous queries and read_state requests, which are accepted with any expiry; the signature
// and delegation chain are checked by the certification layer's verifyRequestAuth, on a crypto thread.
import { isAnonymous, type SenderInfo, type VerifiedCallerInfo, verifyRequestAuthInBackground } from '../certification/index.ts';
import { type CallerInfo, Principal } from '../state/index.ts';
import type { HttpContext } from './context.ts';
import type { Envelope } from './envelope.ts';
import { badRequest, type HttpError } from './errors.ts';

const MINUTE_NS = 60_000_000_000n;
/** The replica's MAX_INGRESS_TTL. */
export const MAX_INGRESS_TTL_NS = 5n * MINUTE_NS;
/** Clock drift the replica tolerates on top of the TTL. */
export const PERMITTED_DRIFT_NS = 30_000_000_000n;

export interface Authenticated {
  readonly sender: Uint8Array;
  /** Canisters a delegation chain restricts the request to; null = unrestricted. */
  readonly targets: readonly Uint8Array[] | null;
  /** The verified `sender_info`, for ic0.msg_caller_info_*. */
  readonly callerInfo?: VerifiedCallerInfo;
}

interface CommonContent {
  readonly sender: Uint8Array;
  readonly ingressExpiry: bigint;
  readonly senderInfo?: SenderInfo;
}

export async function authenticate(context: HttpContext, envelope: Envelope<CommonContent>): Promise<Authenticated | HttpError> {
  const now = context.now();
  const { sender, ingressExpiry } = envelope.content;
  const anyExpiry = envelope.requestType !== 'call' && isAnonymous(sender);
  if (!anyExpiry) {
    const expiryProblem = checkExpiry(ingressExpiry, now);
    if (expiryProblem) return expiryProblem;
  }
  const result = await verifyRequestAuthInBackground({
    requestType: envelope.requestType,
    sender,
    requestId: envelope.requestId,
    senderPubkey: envelope.senderPubkey,
    senderSig: envelope.senderSig,
    senderDelegation: envelope.senderDelegation,
    now,
    rootKeyDer: context.replica.state.config.rootKeyDer,
    ...(envelope.content.senderInfo ? { senderInfo: envelope.content.senderInfo } : {}),
  });
  if (!result.ok) return badRequest(`Failed to authenticate request 0x${hex(envelope.requestId)}: ${result.message}`);
  return { sender: result.sender, targets: result.targets, ...(result.callerInfo ? { callerInfo: result.callerInfo } : {}) };
}

/** The verified `sender_info` as the replica hands it to the canister. */
export function callerInfoOf(auth: Authenticated): { callerInfo?: CallerInfo } {
  return auth.callerInfo ? { callerInfo: { data: auth.callerInfo.data, signer: Principal.fromUint8Array(auth.callerInfo.signer) } } : {};
}

/**
 * The replica's wording matters: agent-js recognises the prefix "Invalid request expiry: " and then
 * syncs its clock with the replica's `/time` and retries.
 */
function checkExpiry(expiry: bigint, now: bigint): HttpError | undefined {
  const max = now + MAX_INGRESS_TTL_NS + PERMITTED_DRIFT_NS;
  if (expiry >= now && expiry <= max) return undefined;
  return badRequest(
    `Invalid request expiry: Specified ingress_expiry not within expected range: Minimum allowed expiry: ${now}, Maximum allowed expiry: ${max}, Provided expiry: ${expiry}`,
  );
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
