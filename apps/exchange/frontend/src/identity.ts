// The browser's identity: an Ed25519 key generated once and kept in IndexedDB, so a reload keeps the account.
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';

const DATABASE = 'capsule-exchange';
const STORE = 'keys';
const KEY = 'identity';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run<T>(database: IDBDatabase, mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = action(database.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

/** The identity stored in this browser, created on first use. */
export async function browserIdentity(): Promise<Ed25519KeyIdentity> {
  const database = await open();
  try {
    const stored = await run<string | undefined>(database, 'readonly', (store) => store.get(KEY));
    if (stored) return Ed25519KeyIdentity.fromJSON(stored);
    const identity = Ed25519KeyIdentity.generate();
    await run(database, 'readwrite', (store) => store.put(JSON.stringify(identity.toJSON()), KEY));
    return identity;
  } finally {
    database.close();
  }
}
