// The browser's keys, kept in IndexedDB and made on first visit: the Ed25519 identity that signs requests
// (its principal is the user) and the X25519 key pair room keys are wrapped for. The X25519 private key is
// a non-extractable CryptoKey: IndexedDB stores the key object, the page's script never sees its bytes.
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import { type EncryptionKeys, generateEncryptionKeys } from './crypto.ts';

const DATABASE = 'capsule-messaging';
const STORE = 'keys';
const RECORD = 'self';

interface StoredKeys {
  readonly identity: string;
  readonly encryption: EncryptionKeys;
}

export interface Keys {
  readonly identity: Ed25519KeyIdentity;
  readonly encryption: EncryptionKeys;
  /** Made on this visit: no profile can exist for them yet. */
  readonly fresh: boolean;
}

function request<T>(pending: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    pending.onsuccess = () => resolve(pending.result);
    pending.onerror = () => reject(pending.error);
  });
}

async function openDatabase(): Promise<IDBDatabase> {
  const opening = indexedDB.open(DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  return request(opening);
}

/** This browser's keys: those stored by an earlier visit, or new ones, stored now. */
export async function loadKeys(): Promise<Keys> {
  const database = await openDatabase();
  try {
    const stored = (await request(database.transaction(STORE).objectStore(STORE).get(RECORD))) as StoredKeys | undefined;
    if (stored) return { identity: Ed25519KeyIdentity.fromJSON(stored.identity), encryption: stored.encryption, fresh: false };
    const keys = { identity: Ed25519KeyIdentity.generate(), encryption: await generateEncryptionKeys(), fresh: true };
    const record: StoredKeys = { identity: JSON.stringify(keys.identity.toJSON()), encryption: keys.encryption };
    await request(database.transaction(STORE, 'readwrite').objectStore(STORE).put(record, RECORD));
    return keys;
  } finally {
    database.close();
  }
}
