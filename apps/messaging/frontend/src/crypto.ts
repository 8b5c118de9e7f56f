// End-to-end encryption with WebCrypto only, the same in the browser and in Node. Each user has an X25519
// key pair; a room has a random AES-256-GCM key; a member's copy of the room key is encrypted with an
// AES-GCM key derived by HKDF-SHA-256 from the X25519 agreement of the wrapper's private key and the
// member's public key, and the wrapper's public key travels beside it so the member can derive the same key.
import type { WrappedKey } from './interface.ts';

const subtle = globalThis.crypto.subtle;
const NONCE_BYTES = 12;
const WRAP_INFO = new TextEncoder().encode('capsule messaging: room key');

export interface EncryptionKeys {
  readonly privateKey: CryptoKey;
  /** The raw 32-byte X25519 public key the canister stores in the profile. */
  readonly publicKey: Uint8Array;
}

export interface Sealed {
  readonly ciphertext: Uint8Array;
  readonly nonce: Uint8Array;
}

/** A new X25519 key pair; the private key is not extractable (IndexedDB keeps the CryptoKey itself). */
export async function generateEncryptionKeys(): Promise<EncryptionKeys> {
  const pair = (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
}

/** A new random room key, extractable so that it can be wrapped for each member. */
export function generateRoomKey(): Promise<CryptoKey> {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

async function keyEncryptionKey(privateKey: CryptoKey, publicKey: Uint8Array): Promise<CryptoKey> {
  const peer = await subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'X25519' }, false, []);
  const shared = await subtle.deriveBits({ name: 'X25519', public: peer }, privateKey, 256);
  const material = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: WRAP_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The room key encrypted for the member whose X25519 public key is `memberPublicKey`. */
export async function wrapRoomKey(roomKey: CryptoKey, own: EncryptionKeys, memberPublicKey: Uint8Array): Promise<WrappedKey> {
  const kek = await keyEncryptionKey(own.privateKey, memberPublicKey);
  const raw = new Uint8Array(await subtle.exportKey('raw', roomKey));
  const { ciphertext, nonce } = await seal(kek, raw);
  return { wrapped: ciphertext, nonce, sender_public_key: own.publicKey };
}

/** The room key from the caller's wrapped copy. */
export async function unwrapRoomKey(key: WrappedKey, own: EncryptionKeys): Promise<CryptoKey> {
  const kek = await keyEncryptionKey(own.privateKey, key.sender_public_key);
  const raw = await open(kek, { ciphertext: key.wrapped, nonce: key.nonce });
  return subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
}

async function seal(key: CryptoKey, plaintext: Uint8Array): Promise<Sealed> {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const ciphertext = await subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, plaintext as Uint8Array<ArrayBuffer>);
  return { ciphertext: new Uint8Array(ciphertext), nonce };
}

async function open(key: CryptoKey, sealed: Sealed): Promise<Uint8Array> {
  const iv = sealed.nonce as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed.ciphertext as Uint8Array<ArrayBuffer>));
}

/** A message's text encrypted with the room key, under a fresh random nonce. */
export function encryptMessage(roomKey: CryptoKey, text: string): Promise<Sealed> {
  return seal(roomKey, new TextEncoder().encode(text));
}

/** A message's text; throws when the ciphertext was not made with this room key. */
export async function decryptMessage(roomKey: CryptoKey, sealed: Sealed): Promise<string> {
  return new TextDecoder().decode(await open(roomKey, sealed));
}
