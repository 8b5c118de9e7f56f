// Authenticating a request (interface spec, "Authentication"): the sender is anonymous, or
// `sender = self-authenticating id of sender_pubkey` and the request id is signed by the last key
// of a delegation chain that starts at `sender_pubkey`. Results are values, not exceptions; the
// HTTP layer answers 400 with `message`.
//
// A `sender_info` is checked last (sender_info.ts).
//
// Chain rules: at most 20 delegations; delegation i is signed (over
// `\x1Aic-request-auth-delegation ‖ hash_of_map(delegation)`) by key i-1; none expired; targets
// intersect along the chain; permissions "queries" anywhere forbids update calls; no key repeats.
import { bytesEqual, concatBytes } from './_bytes.ts';
import { isCborMap, type CborMap, type CborValue } from './cbor_value.ts';
import { IC_REQUEST, IC_REQUEST_AUTH_DELEGATION } from './domain_separators.ts';
import { isAnonymous, selfAuthenticatingId } from './principal_ids.ts';
import { verifyPublicKeySignature } from './public_key_signatures.ts';
import { hashOfMap } from './request_id.ts';
import { type SenderInfo, type VerifiedCallerInfo, verifySenderInfo } from './sender_info.ts';

export const MAX_DELEGATIONS = 20;
export const MAX_DELEGATION_TARGETS = 1000;

export type RequestType = 'call' | 'query' | 'read_state';

export interface RequestAuthInput {
  readonly requestType: RequestType;
  /** `content.sender`. */
  readonly sender: Uint8Array;
  /** The request id (`hash_of_map(content)`). */
  readonly requestId: Uint8Array;
  readonly senderPubkey?: Uint8Array;
  readonly senderSig?: Uint8Array;
  /** `sender_delegation` exactly as decoded from the envelope (validated here). */
  readonly senderDelegation?: CborValue;
  /** Current time, ns since the epoch (delegation expiry). */
  readonly now: bigint;
  /** DER BLS root key, for canister signatures. */
  readonly rootKeyDer?: Uint8Array;
  /** `content.sender_info`, already parsed. */
  readonly senderInfo?: SenderInfo;
}

export type RequestAuthResult =
  | {
      readonly ok: true;
      readonly sender: Uint8Array;
      /** Canisters the request may address; null means unrestricted. */
      readonly targets: readonly Uint8Array[] | null;
      /** The verified `sender_info`, if the request carried one. */
      readonly callerInfo?: VerifiedCallerInfo;
    }
  | { readonly ok: false; readonly message: string };

interface SignedDelegation {
  readonly map: CborMap; // hashed as received
  readonly pubkey: Uint8Array;
  readonly expiration: bigint;
  readonly targets: readonly Uint8Array[] | undefined;
  readonly permissions: 'all' | 'queries';
  readonly signature: Uint8Array;
}

/** Authenticate a request. Never throws. */
export function verifyRequestAuth(input: RequestAuthInput): RequestAuthResult {
  const { sender, senderPubkey, senderSig, senderDelegation } = input;
  if (isAnonymous(sender)) {
    if (senderPubkey !== undefined || senderSig !== undefined || senderDelegation !== undefined || input.senderInfo !== undefined) {
      return fail('anonymous requests must not carry sender_pubkey, sender_sig, sender_delegation or sender_info');
    }
    return { ok: true, sender, targets: null };
  }
  if (senderPubkey === undefined || senderSig === undefined) {
    return fail('sender_pubkey and sender_sig are required for a non-anonymous sender');
  }
  if (!bytesEqual(selfAuthenticatingId(senderPubkey), sender)) {
    return fail('sender is not the self-authenticating id of sender_pubkey');
  }
  const chain = parseDelegations(senderDelegation);
  if (typeof chain === 'string') return fail(chain);
  const checked = checkChain(input, chain);
  if (typeof checked === 'string') return fail(checked);
  const lastKey = chain.length > 0 ? chain[chain.length - 1]!.pubkey : senderPubkey;
  const verdict = verifyPublicKeySignature(lastKey, senderSig, concatBytes(IC_REQUEST, input.requestId), input);
  if (verdict !== true) return fail(`invalid request signature: ${verdict}`);
  if (input.senderInfo === undefined) return { ok: true, sender, targets: checked };
  const callerInfo = verifySenderInfo(senderPubkey, input.senderInfo, input.rootKeyDer);
  if (typeof callerInfo === 'string') return fail(callerInfo);
  return { ok: true, sender, targets: checked, callerInfo };
}

/** Whether a request for `canisterId` is within `targets` (null = unrestricted). */
export function targetsAllow(targets: readonly Uint8Array[] | null, canisterId: Uint8Array): boolean {
  return targets === null || targets.some((t) => bytesEqual(t, canisterId));
}

function fail(message: string): RequestAuthResult {
  return { ok: false, message };
}

/** Signatures, expiry, permissions and key uniqueness; returns the intersected targets. */
function checkChain(input: RequestAuthInput, chain: readonly SignedDelegation[]): readonly Uint8Array[] | null | string {
  const keys: Uint8Array[] = [input.senderPubkey!];
  let targets: readonly Uint8Array[] | null = null;
  for (const [i, d] of chain.entries()) {
    if (keys.some((k) => bytesEqual(k, d.pubkey))) return `delegation ${i} repeats a public key of the chain`;
    const message = concatBytes(IC_REQUEST_AUTH_DELEGATION, hashOfMap(d.map));
    const verdict = verifyPublicKeySignature(keys[keys.length - 1]!, d.signature, message, input);
    if (verdict !== true) return `delegation ${i}: ${verdict}`;
    if (d.expiration < input.now) return `delegation ${i} expired at ${d.expiration} (now ${input.now})`;
    if (d.permissions === 'queries' && input.requestType === 'call') {
      return `delegation ${i} only permits queries, not update calls`;
    }
    if (d.targets !== undefined) {
      const allowed = d.targets;
      targets = targets === null ? allowed : targets.filter((t) => allowed.some((a) => bytesEqual(a, t)));
    }
    keys.push(d.pubkey);
  }
  return targets;
}

/** Validate the shape of `sender_delegation`. */
function parseDelegations(value: CborValue): SignedDelegation[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return 'sender_delegation is not an array';
  if (value.length > MAX_DELEGATIONS) return `more than ${MAX_DELEGATIONS} delegations`;
  const out: SignedDelegation[] = [];
  for (const [i, item] of (value as CborValue[]).entries()) {
    const d = parseDelegation(item);
    if (typeof d === 'string') return `delegation ${i}: ${d}`;
    out.push(d);
  }
  return out;
}

function parseDelegation(item: CborValue): SignedDelegation | string {
  if (!isCborMap(item)) return 'not a map';
  const map = item.get('delegation');
  const signature = item.get('signature');
  if (!isCborMap(map)) return 'missing delegation map';
  if (!(signature instanceof Uint8Array)) return 'signature is not a byte string';
  const pubkey = map.get('pubkey');
  const expiration = map.get('expiration');
  if (!(pubkey instanceof Uint8Array)) return 'pubkey is not a byte string';
  if (typeof expiration !== 'bigint' || expiration < 0n) return 'expiration is not a natural number';
  const targets = parseTargets(map.get('targets'));
  if (typeof targets === 'string') return targets;
  const permissions = map.get('permissions') ?? 'all';
  if (permissions !== 'all' && permissions !== 'queries') return `unknown permissions ${JSON.stringify(String(permissions))}`;
  return { map, pubkey, expiration, targets, permissions, signature };
}

function parseTargets(value: CborValue): Uint8Array[] | undefined | string {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return 'targets is not an array';
  if (value.length > MAX_DELEGATION_TARGETS) return `more than ${MAX_DELEGATION_TARGETS} targets`;
  const out: Uint8Array[] = [];
  for (const t of value as CborValue[]) {
    if (!(t instanceof Uint8Array) || t.length > 29) return 'a target is not a principal';
    out.push(t);
  }
  return out;
}
