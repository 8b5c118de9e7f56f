// The chain keys a local replica holds: each of these names for every scheme (ECDSA secp256k1, BIP340,
// Ed25519, vetKD BLS12-381 G2), as PocketIC and icp-cli's local networks hold them.
export const CHAIN_KEY_NAMES: readonly string[] = ['dfx_test_key', 'key_1', 'test_key_1'];
