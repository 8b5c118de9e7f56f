// The worker threads that execute canisters of an inner round: one per worker but the first (the replica's own
// thread), shared by every replica of the process and started on first use. A round stays synchronous: the
// replica's thread posts each thread its canisters, runs its own share (worker 0's) meanwhile, then waits on a shared flag and takes the answers with
// receiveMessageOnPort. A thread that fails or stays silent is reported and replaced; its canisters run on the
// replica's thread, so no message is lost and no round hangs.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { commitsOf } from '../execution/index.ts';
import type { ThreadJob, ThreadPool } from '../scheduler/index.ts';
import type { CanisterState, StableMemory, WasmState } from '../state/index.ts';
import type { ThreadData } from './execution_thread.ts';
import { applyReply, encodeEnvironment, type JobReply, type JobRequest, jobRequest } from './thread_job.ts';

/** How long a thread may take for its canisters of one inner round before it is given up. */
const SILENCE_LIMIT_MS = 120_000;

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly done: Int32Array;
  /** Module hashes the thread has been sent. */
  readonly modules: Set<string>;
  /** Settles once the thread loaded its code; until then its canisters run on the replica's thread. */
  readonly loaded: Promise<void>;
  ready: boolean;
}

const threads: (Thread | undefined)[] = [];

/**
 * The thread's stack, chosen (measured) so that a deep wasm recursion overflows at about the depth it does on the
 * replica's thread, whose limit is V8's default: a worker's default stack lets it go half as deep again.
 */
const STACK_SIZE_MB = 0.82;

/** What the threads did in this process: for tests and benchmarks (nothing replicated reads it). */
export interface ThreadStatistics {
  started: number;
  /** Canisters' messages of an inner round run on a thread. */
  jobs: number;
  /** Jobs that carried the canister's memories: the thread held no up-to-date copy of it. */
  copies: number;
  /** Jobs posted to a thread but run on the replica's thread (paused at a slice boundary, or the thread failed). */
  returned: number;
  failures: number;
}

const statistics: ThreadStatistics = { started: 0, jobs: 0, copies: 0, returned: 0, failures: 0 };

export function threadStatistics(): ThreadStatistics {
  return { ...statistics };
}

function startThread(index: number): Thread {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const data: ThreadData = { port: port2, done };
  const worker = new Worker(new URL('./execution_thread.ts', import.meta.url), { workerData: data, transferList: [port2], resourceLimits: { stackSizeMb: STACK_SIZE_MB } });
  let loaded: () => void = () => {};
  const thread: Thread = { worker, port: port1, done, modules: new Set(), loaded: new Promise((resolve) => (loaded = resolve)), ready: false };
  worker.once('message', () => {
    thread.ready = true;
    loaded();
  });
  const forget = (): void => {
    if (threads[index] === thread) threads[index] = undefined;
    if (!thread.ready) unloadable++;
  };
  worker.on('error', forget);
  worker.on('exit', forget);
  worker.unref();
  port1.unref();
  statistics.started++;
  return thread;
}

/** Threads that ended before they loaded: after a few, none is started again and every canister runs here. */
let unloadable = 0;
const MAX_UNLOADABLE = 3;

/** Starts the threads of workers 1 to count - 1 and settles once they are loaded (tests and benchmarks). */
export async function startThreads(count: number): Promise<void> {
  const started = Array.from({ length: count - 1 }, (_, index) => threadAt(index + 1));
  // Referenced while they load: the caller awaits them, and nothing else may keep the process alive.
  for (const thread of started) thread?.worker.ref();
  await Promise.all(started.map((thread) => thread?.loaded));
  for (const thread of started) thread?.worker.unref();
}

function threadAt(index: number): Thread | undefined {
  let thread = threads[index];
  if (!thread && unloadable >= MAX_UNLOADABLE) return undefined;
  if (!thread) threads[index] = thread = startThread(index);
  return thread;
}

/** Memory sizes above which a canister stays on the replica's thread: a copy of its memory (a first job, or one after a change here) would cost more than it saves. */
const MAX_COPIED_BYTES = 8 * 1024 * 1024;

/**
 * A canister goes to a thread once one inner round's work of it took this long. A job on a kept copy costs about
 * 0.5–0.7 ms of CPU in all (0.15–0.25 ms of it on the replica's thread: encoding the system state and messages,
 * applying the reply) and the thread's wake-up: cheaper work costs less here (and a process whose canisters never
 * work that long never starts a thread).
 */
let thresholdMs = 2;

/** Sets that threshold (tests and benchmarks of this repository: 0 sends every canister to a thread). */
export function setThreadThreshold(milliseconds: number): void {
  thresholdMs = milliseconds;
}

/** Inner rounds a canister whose job came back stays on the replica's thread. */
const RETURNED_SKIPS = 64;

/** Names the copies threads keep, unique in the process (threads are shared by its replicas). */
let stamps = 0;

/**
 * What a thread's copy of a canister was built from: the replica's canonical copy as the job's reply left it.
 * The copy is up to date while the canonical one is that same wasm state and stable memory, with no execution
 * committed on it and no stable write since: whatever else changes a canister's memories (an install, an upgrade,
 * a snapshot load, uninstalling, a restore) replaces them. A query or a trap here rolls back; eviction keeps them.
 */
interface ThreadCopy {
  readonly thread: Thread;
  readonly stamp: number;
  readonly wasm: WasmState;
  readonly commits: number | undefined;
  readonly stable: StableMemory;
  readonly writes: number;
  readonly sizePages: bigint;
  readonly pageCount: number;
}

/** Once the replica drops a canister (deleted, or its replica closed), its thread drops its copy too. */
const dropped = new FinalizationRegistry<{ thread: Thread; stamp: number }>(({ thread, stamp }) => {
  if (threads.includes(thread)) thread.port.postMessage({ drop: stamp });
});

function copyOf(thread: Thread, stamp: number, canister: CanisterState): ThreadCopy {
  const { wasm, stable } = canister;
  return { thread, stamp, wasm: wasm!, commits: commitsOf(wasm!), stable, writes: stable.writes, sizePages: stable.sizePages, pageCount: stable.pages.size };
}

function upToDate(copy: ThreadCopy | undefined, thread: Thread, canister: CanisterState): copy is ThreadCopy {
  const { wasm, stable } = canister;
  return (
    copy !== undefined &&
    copy.thread === thread &&
    copy.wasm === wasm &&
    copy.commits !== undefined &&
    copy.commits === commitsOf(wasm) &&
    copy.stable === stable &&
    copy.writes === stable.writes &&
    copy.sizePages === stable.sizePages &&
    copy.pageCount === stable.pages.size
  );
}

export class ExecutionThreads implements ThreadPool {
  readonly #onFailure: (error: Error) => void;
  #posted: { thread: Thread; jobs: ThreadJob[] }[] = [];
  #jobs: readonly ThreadJob[] = [];
  /** The stamp each posted job's copy takes, by slot. */
  #stamps: number[] = [];
  /** What each canister's last inner round took, here or on a thread. */
  readonly #cost = new WeakMap<CanisterState, number>();
  /** Canisters whose job a thread gave back (a message paused at a slice boundary): they stay here a while. */
  readonly #returned = new WeakMap<CanisterState, number>();
  /** The copy a thread keeps of each canister that last ran there. */
  readonly #copies = new WeakMap<CanisterState, ThreadCopy>();

  constructor(onFailure: (error: Error) => void) {
    this.#onFailure = onFailure;
  }

  observe(canister: CanisterState, milliseconds: number): void {
    this.#cost.set(canister, milliseconds);
  }

  start(jobs: readonly ThreadJob[]): boolean[] {
    this.#jobs = jobs;
    const posted = jobs.map((job) => this.#worthAThread(job));
    const byWorker = new Map<number, number[]>();
    for (const [slot, job] of jobs.entries()) {
      if (!posted[slot]) continue;
      let slots = byWorker.get(job.worker);
      if (!slots) byWorker.set(job.worker, (slots = []));
      slots.push(slot);
    }
    this.#posted = [];
    // The jobs of an inner round share their environment but for their memory views: it is encoded once.
    const environment = byWorker.size > 0 ? encodeEnvironment(jobs[0]!.context.env) : undefined;
    for (const [worker, slots] of byWorker) {
      const thread = threadAt(worker)!;
      const requests = slots.map((slot) => this.#request(thread, slot, jobs[slot]!, environment!));
      for (const request of requests) this.#stamps[request.slot] = request.stamp;
      Atomics.store(thread.done, 0, 0);
      thread.port.postMessage(requests);
      this.#posted.push({ thread, jobs: slots.map((slot) => jobs[slot]!) });
    }
    return posted;
  }

  /** The job for `thread`: on the copy it keeps if that is up to date, else with the canister's memories. */
  #request(thread: Thread, slot: number, job: ThreadJob, environment: Uint8Array): JobRequest {
    const { canister } = job;
    const copy = this.#copies.get(canister);
    const base = upToDate(copy, thread, canister) ? copy.stamp : undefined;
    // The thread's copy moves to the new stamp, or is dropped if the job does not run there.
    this.#copies.delete(canister);
    if (base === undefined) statistics.copies++;
    const moduleHash = moduleHashOf(job);
    const request = jobRequest({ slot, canister, messages: job.messages, tasks: job.tasks, env: job.context.env, moduleKnown: thread.modules.has(moduleHash), base, stamp: ++stamps, environment });
    if (request.module) thread.modules.add(moduleHash);
    return request;
  }

  #worthAThread(job: ThreadJob): boolean {
    const { canister } = job;
    // Worker 0 is the replica's thread: it runs its canisters on their canonical copies while the threads run theirs.
    if (job.worker === 0) return false;
    if (canister.wasm!.heapSize + Number(canister.stable.byteLength) > MAX_COPIED_BYTES) return false;
    if ((this.#cost.get(canister) ?? 0) < thresholdMs) return false;
    const skips = this.#returned.get(canister);
    if (skips !== undefined) {
      if (skips > 1) this.#returned.set(canister, skips - 1);
      else this.#returned.delete(canister);
      return false;
    }
    // A thread is started when first needed; its canisters stay here while it loads.
    return threadAt(job.worker)?.ready ?? false;
  }

  finish(): boolean[] {
    const ran = this.#jobs.map(() => false);
    for (const { thread, jobs } of this.#posted) {
      const replies = this.#await(thread);
      statistics.returned += jobs.length - replies.filter((reply) => reply.ran).length;
      for (const reply of replies) {
        const job = this.#jobs[reply.slot]!;
        if (reply.moduleMissing) thread.modules.delete(moduleHashOf(job));
        else if (!reply.ran && !reply.copyMissing) this.#returned.set(job.canister, RETURNED_SKIPS);
        if (!reply.ran) continue;
        statistics.jobs++;
        applyReply(reply, job.canister, job.context);
        const stamp = this.#stamps[reply.slot]!;
        this.#copies.set(job.canister, copyOf(thread, stamp, job.canister));
        dropped.unregister(job.canister);
        dropped.register(job.canister, { thread, stamp }, job.canister);
        this.#cost.set(job.canister, reply.milliseconds!);
        ran[reply.slot] = true;
      }
    }
    this.#posted = [];
    this.#jobs = [];
    this.#stamps = [];
    return ran;
  }

  #await(thread: Thread): JobReply[] {
    if (Atomics.wait(thread.done, 0, 0, SILENCE_LIMIT_MS) === 'timed-out') {
      this.#fail(thread, new Error(`an execution thread did not answer within ${SILENCE_LIMIT_MS / 1000} s; its canisters ran on the replica's thread`));
      return [];
    }
    const received = receiveMessageOnPort(thread.port);
    if (!received) {
      this.#fail(thread, new Error("an execution thread ended without answering; its canisters ran on the replica's thread"));
      return [];
    }
    return received.message as JobReply[];
  }

  #fail(thread: Thread, error: Error): void {
    const index = threads.indexOf(thread);
    if (index >= 0) threads[index] = undefined;
    void thread.worker.terminate();
    statistics.failures++;
    this.#onFailure(error);
  }
}

function moduleHashOf(job: ThreadJob): string {
  return Buffer.from(job.canister.wasm!.module.moduleHash).toString('hex');
}
