// Request authentication and query-response signing on a pool of worker threads, so that signature checks (≈0.1–0.2
// ms each for Ed25519 and ECDSA, milliseconds for canister signatures) and node signatures stay off the thread that
// parses requests and runs rounds, and use the machine's other cores. The jobs of one event-loop turn go to a thread
// as one message. The threads start on first use and never keep the process alive; a thread that fails leaves its
// jobs to this thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashableMap } from './request_id.ts';
import { type NodeKey, queryResponseMessage, signWithNodeKey } from './ed25519_node_key.ts';
import { portableAuthInput } from './portable_auth_input.ts';
import { type RequestAuthInput, type RequestAuthResult, verifyRequestAuth } from './signatures.ts';

/** What a crypto thread is asked: authenticate a request, or sign a message with a node key. */
export type CryptoJob =
  | { readonly kind: 'verify'; readonly input: RequestAuthInput }
  | { readonly kind: 'sign'; readonly key: Pick<NodeKey, 'secretKey' | 'publicKey'>; readonly message: Uint8Array };

export type CryptoResult = RequestAuthResult | Uint8Array;

interface Pending {
  readonly job: CryptoJob;
  readonly resolve: (result: CryptoResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs `pending` in this thread: what the crypto threads leave here (failed threads, jobs that throw). */
function runHere({ job, resolve, reject }: Pending): void {
  try {
    resolve(job.kind === 'verify' ? verifyRequestAuth(job.input) : signWithNodeKey(job.key, job.message));
  } catch (error) {
    reject(error);
  }
}

/** One thread besides the event loop's per core, up to four; at least one. */
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism() - 1));

class CryptoThread {
  readonly #worker: Worker;
  readonly #batches = new Map<number, Pending[]>();
  #nextId = 0;
  pending = 0;
  #failed = false;

  constructor(onFailure: (thread: CryptoThread) => void) {
    this.#worker = new Worker(new URL('./crypto_worker.ts', import.meta.url));
    this.#worker.on('message', ({ id, results }: { id: number; results: (CryptoResult | null)[] }) => {
      const batch = this.#batches.get(id) ?? [];
      this.#batches.delete(id);
      this.pending -= batch.length;
      for (const [i, pending] of batch.entries()) {
        const result = results[i];
        if (result) pending.resolve(result);
        else runHere(pending);
      }
      if (this.pending === 0) this.#worker.unref();
    });
    const fail = (): void => {
      if (this.#failed) return;
      this.#failed = true;
      onFailure(this);
      const left = [...this.#batches.values()].flat();
      this.#batches.clear();
      this.pending = 0;
      for (const pending of left) runHere(pending);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
    this.#worker.unref();
  }

  send(batch: Pending[]): void {
    const id = this.#nextId++;
    this.#batches.set(id, batch);
    this.pending += batch.length;
    // Referenced while answers are awaited: an exiting event loop must not drop them.
    this.#worker.ref();
    this.#worker.postMessage({ id, jobs: batch.map((pending) => pending.job) });
  }
}

const threads: CryptoThread[] = [];
let queued: Pending[] = [];
let flushScheduled = false;

function removeThread(thread: CryptoThread): void {
  const index = threads.indexOf(thread);
  if (index >= 0) threads.splice(index, 1);
}

/** Starts the threads ahead of the first request (each takes a few hundred ms to load). */
export function startCryptoThreads(): void {
  while (threads.length < POOL_SIZE) threads.push(new CryptoThread(removeThread));
}

/** Hands this turn's jobs to the least busy thread. */
function flush(): void {
  flushScheduled = false;
  const batch = queued;
  queued = [];
  startCryptoThreads();
  let target = threads[0]!;
  for (const thread of threads) if (thread.pending < target.pending) target = thread;
  target.send(batch);
}

function enqueue(job: CryptoJob): Promise<CryptoResult> {
  return new Promise((resolve, reject) => {
    queued.push({ job, resolve, reject });
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  });
}

/** `verifyRequestAuth` on a crypto thread, with the same result. Requests without a signature are checked at once. */
export function verifyRequestAuthInBackground(input: RequestAuthInput): Promise<RequestAuthResult> {
  const portable = input.senderPubkey === undefined && input.senderSig === undefined ? undefined : portableAuthInput(input);
  if (!portable) return new Promise((resolve, reject) => runHere({ job: { kind: 'verify', input }, resolve: (result) => resolve(result as RequestAuthResult), reject }));
  return enqueue({ kind: 'verify', input: portable }) as Promise<RequestAuthResult>;
}

/** `signQueryResponse` on a crypto thread: the same signature (Ed25519 is deterministic). */
export function signQueryResponseInBackground(key: NodeKey, response: HashableMap): Promise<Uint8Array> {
  const job: CryptoJob = { kind: 'sign', key: { secretKey: key.secretKey, publicKey: key.publicKey }, message: queryResponseMessage(response) };
  return enqueue(job) as Promise<Uint8Array>;
}
