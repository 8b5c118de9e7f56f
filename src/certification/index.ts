// The certification layer's public surface: CBOR, hash trees, request ids, BLS certificates,
// node keys, principal ids and request authentication. Other layers import only this file.
export {
  CborError,
  CborSimple,
  CborTagged,
  SELF_DESCRIBE_TAG,
  decodeCbor,
  encodeCbor,
  isCborMap,
  type CborEncodable,
  type CborErrorKind,
  type CborMap,
  type CborMapKey,
  type CborValue,
  type DecodeCborOptions,
  type EncodeCborOptions,
} from './cbor.ts';
export {
  decodeHashTree,
  empty,
  encodeHashTree,
  flattenForks,
  fork,
  hashTreeEquals,
  hashTreeFromCbor,
  hashTreeToCbor,
  isWellFormed,
  labeled,
  leaf,
  pruned,
  reconstruct,
  wellFormedError,
  type HashTree,
  type TreePath,
} from './hash_tree.ts';
export {
  findLabel,
  labeledChildren,
  lookupPath,
  lookupSubtree,
  type FindLabelResult,
  type LookupResult,
} from './hash_tree_lookup.ts';
export { balancedForks, buildHashTree, labeledLeaf, labeledNode, type LabeledTree } from './labeled_tree.ts';
export { pruneHashTree } from './hash_tree_prune.ts';
export { decodeUleb128, sleb128, uleb128 } from './leb128.ts';
export { hashOfMap, hashOfValue, requestIdOf, type HashableMap, type HashableValue } from './request_id.ts';
export * as domainSeparators from './domain_separators.ts';
export {
  BLS_DER_LENGTH,
  BLS_DER_PREFIX,
  BLS_DST,
  blsKeyFromSecret,
  blsKeyFromSeed,
  blsPublicKeyFromDer,
  blsPublicKeyToDer,
  blsSign,
  blsSignStateRoot,
  blsVerify,
  blsVerifyStateRoot,
  type BlsKeyPair,
} from './bls.ts';
export { startBackgroundSigner } from './background_signer.ts';
export { signQueryResponseInBackground, startCryptoThreads, verifyRequestAuthInBackground } from './crypto_threads.ts';
export { blsCertificateSigner, type CertificateSigner } from './signer.ts';
export {
  buildCertificate,
  decodeCertificate,
  subnetCovers,
  verifyCertificate,
  type BuildCertificateOptions,
  type Certificate,
  type CertificateDelegation,
  type VerifyCertificateOptions,
  type VerifyCertificateResult,
} from './certificate.ts';
export { delegationPaths } from './delegation.ts';
export {
  ED25519_DER_PREFIX,
  ed25519PublicKeyFromDer,
  ed25519PublicKeyToDer,
  nodeKeyFromSeed,
  signQueryResponse,
  verifyQueryResponse,
  type NodeKey,
} from './ed25519_node_key.ts';
export {
  ANONYMOUS_ID,
  MANAGEMENT_CANISTER_ID,
  canisterIdFromIndex,
  canisterIndexOf,
  isAnonymous,
  isSelfAuthenticating,
  selfAuthenticatingId,
} from './principal_ids.ts';
export { DerError, OID, encodeSubjectPublicKeyInfo, parseSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from './der.ts';
export { verifyPublicKeySignature, type SignatureContext } from './public_key_signatures.ts';
export { parseCanisterPublicKey, verifyCanisterSignature, type CanisterPublicKey } from './canister_signature.ts';
export { parseSenderInfo, verifySenderInfo, type SenderInfo, type VerifiedCallerInfo } from './sender_info.ts';
export {
  MAX_DELEGATIONS,
  MAX_DELEGATION_TARGETS,
  targetsAllow,
  verifyRequestAuth,
  type RequestAuthInput,
  type RequestAuthResult,
  type RequestType,
} from './signatures.ts';
export { fromHex, toHex } from './_bytes.ts';
export {
  StateTreeBuilder,
  requestStatusLabel,
  type PeerSubnet,
  type StateTreeOptions,
  type SubnetNode,
  type SubnetType,
} from './state_tree.ts';
export {
  StateCertifier,
  type CertifiedState,
  type CertifierStats,
  type StateCertifierOptions,
} from './state_certifier.ts';
