// The body of the background signer's worker thread: it signs state roots with the key each request carries.
import { parentPort } from 'node:worker_threads';
import { blsSignStateRoot } from './bls.ts';
import { loadWasmBls } from './bls_wasm.ts';

await loadWasmBls();

export interface SignRequest {
  readonly id: number;
  readonly secretKey: Uint8Array;
  readonly rootHash: Uint8Array;
}

parentPort?.on('message', ({ id, secretKey, rootHash }: SignRequest) => {
  parentPort?.postMessage({ id, signature: blsSignStateRoot(secretKey, rootHash) });
});
