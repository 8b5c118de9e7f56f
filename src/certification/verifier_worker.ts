// The body of a background verifier thread: it authenticates the batches of requests it is sent, in order. A check
// that throws is answered `null`: the sender runs it again in its own thread, where the error belongs.
import { parentPort } from 'node:worker_threads';
import { type RequestAuthInput, type RequestAuthResult, verifyRequestAuth } from './signatures.ts';

function verifyOrNull(input: RequestAuthInput): RequestAuthResult | null {
  try {
    return verifyRequestAuth(input);
  } catch {
    return null;
  }
}

parentPort?.on('message', ({ id, inputs }: { id: number; inputs: RequestAuthInput[] }) => {
  parentPort?.postMessage({ id, results: inputs.map(verifyOrNull) });
});
