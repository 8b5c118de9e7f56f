// Certificate delegations (interface spec, section 'Delegation'): a subnet other than the root one
// signs its certificates with its own key, and attaches a certificate of the root subnet vouching for
// that key and for the canister ranges the subnet is authoritative for.
import type { CertificateDelegation } from './certificate.ts';
import type { TreePath } from './hash_tree.ts';

/** What the root subnet's certificate must reveal for `subnetId`: its key and both forms of its ranges. */
export function delegationPaths(subnetId: Uint8Array): TreePath[] {
  return [
    ['subnet', subnetId, 'public_key'],
    ['subnet', subnetId, 'canister_ranges'],
    ['canister_ranges', subnetId],
  ];
}

/** The CBOR form of a delegation inside a certificate. */
export function delegationCbor(delegation: CertificateDelegation | undefined): { subnet_id: Uint8Array; certificate: Uint8Array } | undefined {
  return delegation && { subnet_id: delegation.subnetId, certificate: delegation.certificate };
}
