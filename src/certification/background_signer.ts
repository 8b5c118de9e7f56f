// BLS signing of state roots on a worker thread, so that a server keeps accepting requests and running rounds
// while a round's certification is signed. One worker per process serves every key, started on first use; it
// never keeps the process alive.
import { Worker } from 'node:worker_threads';
import { blsSignStateRoot } from './bls.ts';
import type { SignRequest } from './bls_worker.ts';

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (signature: Uint8Array) => void; fallback: () => void }>();

function startWorker(): Worker {
  const started = new Worker(new URL('./bls_worker.ts', import.meta.url));
  started.on('message', ({ id, signature }: { id: number; signature: Uint8Array }) => {
    const entry = waiting.get(id);
    waiting.delete(id);
    entry?.resolve(signature);
    if (waiting.size === 0) started.unref();
  });
  // A worker that fails or exits leaves its requests to be signed in this thread, and the next one starts afresh.
  const fail = (): void => {
    if (worker === started) worker = undefined;
    const left = [...waiting.values()];
    waiting.clear();
    for (const entry of left) entry.fallback();
  };
  started.on('error', fail);
  started.on('exit', fail);
  started.unref();
  return started;
}

/** Starts the worker ahead of the first signature (it takes a few hundred ms to load). */
export function startBackgroundSigner(): void {
  worker ??= startWorker();
}

/** The signature over `\x0Dic-state-root ‖ rootHash`, computed on the worker thread. */
export function blsSignStateRootInBackground(secretKey: Uint8Array, rootHash: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, { resolve, fallback: () => resolve(blsSignStateRoot(secretKey, rootHash)) });
    worker ??= startWorker();
    // Referenced while a signature is awaited: a pending answer must not be dropped by an exiting event loop.
    worker.ref();
    const request: SignRequest = { id, secretKey, rootHash };
    worker.postMessage(request);
  });
}
