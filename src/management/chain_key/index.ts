// Threshold ECDSA and Schnorr signatures for canisters, with master keys derived from the subnet's seed.
export type { ThresholdKey, ThresholdScheme } from './key_ids.ts';
export { ecdsaPublicKey, emptySigningRequest, masterPublicKey, schnorrPublicKey, signatureFee, signWithEcdsa, signWithSchnorr } from './methods.ts';
