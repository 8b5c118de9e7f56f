// Threshold ECDSA and Schnorr signatures for canisters, with master keys derived from the subnet's seed.
export { KEY_NAMES, type ThresholdKey, type ThresholdScheme } from './key_ids.ts';
export { ecdsaPublicKey, emptySigningRequest, MAX_DERIVATION_PATH_LENGTH, masterPublicKey, schnorrPublicKey, signatureFee, signWithEcdsa, signWithSchnorr } from './methods.ts';
