// Certificates (interface spec, "Certificate" and "Delegation"): a tag-55799 CBOR map
// {tree, signature, delegation?}. `buildCertificate` signs an (already pruned) tree;
// `verifyCertificate` checks one against a root key, following at most one delegation.
import { compareBytes } from './_bytes.ts';
import { blsPublicKeyFromDer, blsVerifyStateRoot } from './bls.ts';
import { decodeCbor } from './cbor_decode.ts';
import { encodeCbor } from './cbor_encode.ts';
import { delegationCbor } from './delegation.ts';
import { CborError, isCborMap, type CborValue } from './cbor_value.ts';
import { hashTreeFromCbor, hashTreeToCbor, reconstruct, type HashTree } from './hash_tree.ts';
import { labeledChildren, lookupPath, lookupSubtree } from './hash_tree_lookup.ts';
import { decodeUleb128 } from './leb128.ts';
import type { CertificateSigner } from './signer.ts';

export interface CertificateDelegation {
  readonly subnetId: Uint8Array;
  /** An encoded certificate from the root subnet revealing `/subnet/<subnetId>/public_key`. */
  readonly certificate: Uint8Array;
}

export interface Certificate {
  readonly tree: HashTree;
  readonly signature: Uint8Array;
  readonly delegation?: CertificateDelegation;
}

export interface BuildCertificateOptions {
  readonly tree: HashTree;
  readonly signer: CertificateSigner;
  readonly delegation?: CertificateDelegation;
}

/** Sign `tree`'s root hash and encode the certificate. */
export function buildCertificate({ tree, signer, delegation }: BuildCertificateOptions): Uint8Array {
  const signature = signer.signStateRoot(reconstruct(tree));
  return encodeCbor(
    {
      tree: hashTreeToCbor(tree),
      signature,
      delegation: delegationCbor(delegation),
    },
    { selfDescribe: true },
  );
}

/** Parse an encoded certificate (no signature check). @throws CborError */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  const value = decodeCbor(bytes);
  if (!isCborMap(value)) throw new CborError('unsupported', 'certificate is not a map');
  const signature = value.get('signature');
  if (!(signature instanceof Uint8Array)) throw new CborError('unsupported', 'certificate signature is not a byte string');
  const tree = hashTreeFromCbor(value.get('tree'));
  const d = value.get('delegation');
  if (d === undefined) return { tree, signature };
  const subnetId = isCborMap(d) ? d.get('subnet_id') : undefined;
  const certificate = isCborMap(d) ? d.get('certificate') : undefined;
  if (!(subnetId instanceof Uint8Array) || !(certificate instanceof Uint8Array)) {
    throw new CborError('unsupported', 'certificate delegation needs subnet_id and certificate byte strings');
  }
  return { tree, signature, delegation: { subnetId, certificate } };
}

export interface VerifyCertificateOptions {
  /** With a delegation: the canister the certificate must be authoritative for. */
  readonly canisterId?: Uint8Array;
  /** Current time (ns since epoch) and the allowed skew of `/time` in both directions. */
  readonly now?: bigint;
  readonly maxSkewNs?: bigint;
}

export type VerifyCertificateResult =
  | { readonly ok: true; readonly certificate: Certificate }
  | { readonly ok: false; readonly message: string };

/** Verify an encoded certificate against a DER BLS root key. Never throws. */
export function verifyCertificate(
  bytes: Uint8Array,
  rootKeyDer: Uint8Array,
  options: VerifyCertificateOptions = {},
): VerifyCertificateResult {
  let certificate: Certificate;
  let rootKey: Uint8Array;
  try {
    certificate = decodeCertificate(bytes);
    rootKey = blsPublicKeyFromDer(rootKeyDer);
  } catch (e) {
    return fail(`invalid certificate: ${(e as Error).message}`);
  }
  const key = certificate.delegation === undefined ? rootKey : delegatedKey(certificate.delegation, rootKey, options);
  if (typeof key === 'string') return fail(key);
  if (!blsVerifyStateRoot(certificate.signature, reconstruct(certificate.tree), key)) {
    return fail('certificate signature does not verify');
  }
  const timeProblem = checkTime(certificate.tree, options);
  if (timeProblem !== undefined) return fail(timeProblem);
  return { ok: true, certificate };
}

function fail(message: string): VerifyCertificateResult {
  return { ok: false, message };
}

/** The subnet's raw BLS key vouched for by a delegation, or what is wrong. */
function delegatedKey(d: CertificateDelegation, rootKey: Uint8Array, options: VerifyCertificateOptions): Uint8Array | string {
  let inner: Certificate;
  try {
    inner = decodeCertificate(d.certificate);
  } catch (e) {
    return `invalid delegation certificate: ${(e as Error).message}`;
  }
  if (inner.delegation !== undefined) return 'delegation certificate has a delegation itself';
  if (!blsVerifyStateRoot(inner.signature, reconstruct(inner.tree), rootKey)) {
    return 'delegation certificate signature does not verify';
  }
  const found = lookupPath(['subnet', d.subnetId, 'public_key'], inner.tree);
  if (found.status !== 'found') return `delegation does not reveal the subnet public key (${found.status})`;
  if (options.canisterId !== undefined && !subnetCovers(inner.tree, d.subnetId, options.canisterId)) {
    return 'the delegated subnet is not authoritative for the canister';
  }
  try {
    return blsPublicKeyFromDer(found.value);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Whether the subnet's canister ranges contain `canisterId`: `/canister_ranges/<subnet>/…`
 * shards (spec ≥ 0.50) or the older `/subnet/<subnet>/canister_ranges` leaf.
 */
export function subnetCovers(tree: HashTree, subnetId: Uint8Array, canisterId: Uint8Array): boolean {
  const ranges: CborValue[] = [];
  const shards = lookupSubtree(['canister_ranges', subnetId], tree);
  if (shards.status === 'found') {
    for (const [, shard] of labeledChildren(shards.subtree)) if (shard.kind === 'leaf') ranges.push(...decodeRanges(shard.value));
  }
  const legacy = lookupPath(['subnet', subnetId, 'canister_ranges'], tree);
  if (legacy.status === 'found') ranges.push(...decodeRanges(legacy.value));
  return ranges.some((r) => {
    if (!Array.isArray(r) || r.length !== 2) return false;
    const [lo, hi] = r as CborValue[];
    return lo instanceof Uint8Array && hi instanceof Uint8Array && compareBytes(lo, canisterId) <= 0 && compareBytes(canisterId, hi) <= 0;
  });
}

function decodeRanges(bytes: Uint8Array): CborValue[] {
  try {
    const v = decodeCbor(bytes);
    return Array.isArray(v) ? [...v] : [];
  } catch {
    return [];
  }
}

function checkTime(tree: HashTree, options: VerifyCertificateOptions): string | undefined {
  if (options.now === undefined) return undefined;
  const found = lookupPath(['time'], tree);
  if (found.status !== 'found') return 'certificate has no /time';
  let time: bigint;
  try {
    time = decodeUleb128(found.value);
  } catch {
    return 'certificate /time is not a LEB128 number';
  }
  const skew = options.maxSkewNs ?? 5n * 60n * 1_000_000_000n;
  const diff = time > options.now ? time - options.now : options.now - time;
  return diff > skew ? `certificate time ${time} is more than ${skew} ns away from now (${options.now})` : undefined;
}

