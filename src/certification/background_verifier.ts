// Request authentication on a pool of worker threads, so that signature checks (≈0.1–0.2 ms each for Ed25519 and
// ECDSA, milliseconds for canister signatures) stay off the thread that parses requests and runs rounds, and use the
// machine's other cores. Requests that arrive in one event-loop turn go to a thread as one message. The threads
// start on first use and never keep the process alive; a thread that fails leaves its requests to this thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { portableAuthInput } from './portable_auth_input.ts';
import { type RequestAuthInput, type RequestAuthResult, verifyRequestAuth } from './signatures.ts';

interface Job {
  readonly input: RequestAuthInput;
  readonly resolve: (result: RequestAuthResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Checks `job` in this thread: what the verifier threads leave here (failed threads, checks that throw). */
function verifyHere(job: Job): void {
  try {
    job.resolve(verifyRequestAuth(job.input));
  } catch (error) {
    job.reject(error);
  }
}

/** One thread besides the event loop's per core, up to four; at least one. */
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism() - 1));

class VerifierThread {
  readonly #worker: Worker;
  readonly #batches = new Map<number, Job[]>();
  #nextId = 0;
  pending = 0;
  #failed = false;

  constructor(onFailure: (thread: VerifierThread) => void) {
    this.#worker = new Worker(new URL('./verifier_worker.ts', import.meta.url));
    this.#worker.on('message', ({ id, results }: { id: number; results: (RequestAuthResult | null)[] }) => {
      const jobs = this.#batches.get(id) ?? [];
      this.#batches.delete(id);
      this.pending -= jobs.length;
      for (const [i, job] of jobs.entries()) {
        const result = results[i];
        if (result) job.resolve(result);
        else verifyHere(job);
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
      for (const job of left) verifyHere(job);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
    this.#worker.unref();
  }

  send(jobs: Job[]): void {
    const id = this.#nextId++;
    this.#batches.set(id, jobs);
    this.pending += jobs.length;
    // Referenced while answers are awaited: an exiting event loop must not drop them.
    this.#worker.ref();
    this.#worker.postMessage({ id, inputs: jobs.map((job) => job.input) });
  }
}

const threads: VerifierThread[] = [];
let queued: Job[] = [];
let flushScheduled = false;

function removeThread(thread: VerifierThread): void {
  const index = threads.indexOf(thread);
  if (index >= 0) threads.splice(index, 1);
}

/** Starts the threads ahead of the first request (each takes a few hundred ms to load). */
export function startBackgroundVerifier(): void {
  while (threads.length < POOL_SIZE) threads.push(new VerifierThread(removeThread));
}

/** Hands this turn's requests to the least busy thread. */
function flush(): void {
  flushScheduled = false;
  const jobs = queued;
  queued = [];
  startBackgroundVerifier();
  let target = threads[0]!;
  for (const thread of threads) if (thread.pending < target.pending) target = thread;
  target.send(jobs);
}

/** `verifyRequestAuth` on a worker thread, with the same result. Requests without a signature are checked at once. */
export function verifyRequestAuthInBackground(input: RequestAuthInput): Promise<RequestAuthResult> {
  const portable = input.senderPubkey === undefined && input.senderSig === undefined ? undefined : portableAuthInput(input);
  if (!portable) return new Promise((resolve, reject) => verifyHere({ input, resolve, reject }));
  return new Promise((resolve, reject) => {
    queued.push({ input: portable, resolve, reject });
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  });
}
