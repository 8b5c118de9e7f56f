// Who signs certificates. Today one BLS key (a single-replica subnet signing with the root
// key); later a threshold-BLS group of replicas behind the same interface.
import { blsSignStateRootInBackground } from './background_signer.ts';
import { blsSignStateRoot, type BlsKeyPair } from './bls.ts';

export interface CertificateSigner {
  /** The DER BLS key that verifies this signer's signatures (the root key when undelegated). */
  readonly publicKeyDer: Uint8Array;
  /** The signature over `\x0Dic-state-root ‖ rootHash`. */
  signStateRoot(rootHash: Uint8Array): Uint8Array;
  /** The same signature, computed off this thread (absent: signers that are cheap or cannot). */
  signStateRootInBackground?(rootHash: Uint8Array): Promise<Uint8Array>;
}

/** A signer holding one BLS key pair. */
export function blsCertificateSigner(key: BlsKeyPair): CertificateSigner {
  const secretKey = Uint8Array.from(key.secretKey);
  return {
    publicKeyDer: key.publicKeyDer,
    signStateRoot: (rootHash) => blsSignStateRoot(secretKey, rootHash),
    signStateRootInBackground: (rootHash) => blsSignStateRootInBackground(secretKey, rootHash),
  };
}
