// The body of a crypto thread: it answers the batches it is sent, in order: request authentications, and node-key
// signatures of query responses. A job that throws is answered `null`: the sender runs it again in its own thread,
// where the error belongs.
import { parentPort } from 'node:worker_threads';
import { signWithNodeKey } from './ed25519_node_key.ts';
import type { CryptoJob, CryptoResult } from './crypto_threads.ts';
import { verifyRequestAuth } from './signatures.ts';

function run(job: CryptoJob): CryptoResult | null {
  try {
    return job.kind === 'verify' ? verifyRequestAuth(job.input) : signWithNodeKey(job.key, job.message);
  } catch {
    return null;
  }
}

parentPort?.on('message', ({ id, jobs }: { id: number; jobs: CryptoJob[] }) => {
  parentPort?.postMessage({ id, results: jobs.map(run) });
});
