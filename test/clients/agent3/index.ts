// @dfinity/agent 3.x and its companions, installed in their own tree: agent 3 wants
// @noble/hashes 1.x as a peer while Capsule itself uses 2.x, so they cannot share the root
// node_modules. Tests import the old client through this file.
export * from '@dfinity/agent';
export { DelegationChain, DelegationIdentity, Ed25519KeyIdentity, ECDSAKeyIdentity } from '@dfinity/identity';
export { IDL } from '@dfinity/candid';
export { Principal } from '@dfinity/principal';
export { AssetManager } from '@dfinity/assets';
