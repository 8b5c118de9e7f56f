// Canister signatures (interface spec, "Canister signatures"; OID 1.3.6.1.4.1.56387.1.2).
// Public key (BIT STRING of the DER key): `len(canister_id) ‖ canister_id ‖ seed`.
// Signature: tag-55799 CBOR map {certificate: blob, tree: HashTree}. Valid if the certificate
// verifies with the root key (and, when delegated, its subnet covers the canister), the
// certificate reveals `/canister/<cid>/certified_data = reconstruct(tree)`, and `tree` contains
// `/sig/<SHA-256(seed)>/<SHA-256(message)>` with an empty leaf.
import { bytesEqual, sha256, toHex } from './_bytes.ts';
import { decodeCbor } from './cbor_decode.ts';
import { isCborMap } from './cbor_value.ts';
import { verifyCertificate } from './certificate.ts';
import { hashTreeFromCbor, reconstruct, type HashTree } from './hash_tree.ts';
import { lookupPath } from './hash_tree_lookup.ts';

export interface CanisterPublicKey {
  readonly canisterId: Uint8Array;
  readonly seed: Uint8Array;
}

/** Split the key bits of a canister-signature public key. */
export function parseCanisterPublicKey(bits: Uint8Array): CanisterPublicKey | string {
  const n = bits[0];
  if (n === undefined || n > 29 || bits.length < 1 + n) return 'malformed canister signature public key';
  return { canisterId: bits.slice(1, 1 + n), seed: bits.slice(1 + n) };
}

/**
 * Signatures that verified lately, by a hash of all the verdict depends on (key, signature, message, root key; no
 * time): a session's delegation, signed once by a canister such as Internet Identity, comes with every request of the
 * session, and checking it costs BLS pairings (tens of milliseconds).
 */
const verifiedLately = new Set<string>();
const VERIFIED_LATELY_SIZE = 1024;

/**
 * Verify a canister signature on `message` (the full signed bytes, separator included).
 * @returns true, or a message saying why not. Never throws.
 */
export function verifyCanisterSignature(
  keyBits: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
  rootKeyDer: Uint8Array | undefined,
): true | string {
  if (rootKeyDer === undefined) return 'canister signatures need the root key';
  const id = verdictId(keyBits, signature, message, rootKeyDer);
  if (verifiedLately.has(id)) return true;
  const verdict = verify(keyBits, signature, message, rootKeyDer);
  if (verdict === true) {
    // Oldest first out: a Set iterates in insertion order.
    if (verifiedLately.size >= VERIFIED_LATELY_SIZE) verifiedLately.delete(verifiedLately.values().next().value!);
    verifiedLately.add(id);
  }
  return verdict;
}

/** The hash of the parts, each preceded by its length so that no two inputs run together alike. */
function verdictId(...parts: Uint8Array[]): string {
  const lengths = new Uint8Array(4 * parts.length);
  const view = new DataView(lengths.buffer);
  for (const [i, part] of parts.entries()) view.setUint32(4 * i, part.length);
  return toHex(sha256(lengths, ...parts));
}

function verify(keyBits: Uint8Array, signature: Uint8Array, message: Uint8Array, rootKeyDer: Uint8Array): true | string {
  const key = parseCanisterPublicKey(keyBits);
  if (typeof key === 'string') return key;
  let certificateBytes: Uint8Array;
  let tree: HashTree;
  try {
    const sig = decodeCbor(signature);
    const cert = isCborMap(sig) ? sig.get('certificate') : undefined;
    if (!isCborMap(sig) || !(cert instanceof Uint8Array)) return 'canister signature is not a {certificate, tree} map';
    certificateBytes = cert;
    tree = hashTreeFromCbor(sig.get('tree'));
  } catch (e) {
    return `malformed canister signature: ${(e as Error).message}`;
  }
  const verified = verifyCertificate(certificateBytes, rootKeyDer, { canisterId: key.canisterId });
  if (!verified.ok) return `canister signature certificate: ${verified.message}`;
  const certified = lookupPath(['canister', key.canisterId, 'certified_data'], verified.certificate.tree);
  if (certified.status !== 'found' || !bytesEqual(certified.value, reconstruct(tree))) {
    return "canister signature tree does not match the canister's certified data";
  }
  const entry = lookupPath(['sig', sha256(key.seed), sha256(message)], tree);
  if (entry.status !== 'found' || entry.value.length !== 0) return 'canister signature tree does not contain the message';
  return true;
}
