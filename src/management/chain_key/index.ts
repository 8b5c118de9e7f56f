// Chain-key methods of the management canister: threshold ECDSA and Schnorr signatures and vetKD,
// with PocketIC's master keys, one list of the keys held and one fee.
export { masterPublicKeyBytes as vetkdMasterPublicKey } from './bls12_381.ts';
export { chainKeyFee } from './fee.ts';
export type { ChainKey, ChainKeyScheme } from './key_ids.ts';
export { ecdsaPublicKey, emptySigningRequest, schnorrPublicKey, signWithEcdsa, signWithSchnorr, thresholdMasterPublicKey } from './threshold.ts';
export { vetkdDeriveKey, vetkdPublicKey } from './vetkd.ts';
