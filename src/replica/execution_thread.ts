// The body of an execution thread: it runs the messages of the canisters pinned to its worker, one canister after
// the other, on its own copies of them, and answers with what they changed. A copy stays live between jobs, named
// by a stamp the replica's thread gave it, and the next job runs on it when the replica's canonical copy did not
// change meanwhile; otherwise the job brings the memories and a copy is built from them. A message that pauses at a
// slice boundary leaves its canister's job to the replica's thread.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { abortPausedExecution, adoptCompiledModule, evictedWasm, hasPausedExecution, type RoundContext } from '../execution/index.ts';
import { executeCanister } from '../scheduler/index.ts';
import { assembleCanister, decodeMeta } from '../persistence/index.ts';
import { type CanisterState, newDirtySet, Principal } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import { decodeEnvironment, type JobReply, type JobRequest, jobInput, jobReply, type Memories, transferables } from './thread_job.ts';

export interface ThreadData {
  readonly port: MessagePort;
  /** Set to 1 (and notified) once the answer to a batch is posted; 2 when the thread ends. */
  readonly done: Int32Array;
}

/** The modules of the canisters this thread ran, least recently used first (as many as compiled ones are kept). */
const modules = new Map<string, CanisterModule>();
const MAX_MODULES = 64;

function moduleOf(request: JobRequest): CanisterModule | undefined {
  const module = request.module?.parsed ?? modules.get(request.moduleHash);
  if (!module) return undefined;
  if (request.module) adoptCompiledModule(module, request.module.compiled);
  modules.delete(request.moduleHash);
  if (modules.size >= MAX_MODULES) modules.delete(modules.keys().next().value!);
  modules.set(request.moduleHash, module);
  return module;
}

/** The live copies of canisters, by stamp, least recently used first; bounded in number and in memory. */
const copies = new Map<number, CanisterState>();
const MAX_COPIES = 256;
const MAX_COPIED_BYTES = 256 * 1024 * 1024;

function bytesOf(canister: CanisterState): number {
  return (canister.wasm?.heapSize ?? 0) + Number(canister.stable.byteLength);
}

function keep(stamp: number, canister: CanisterState): void {
  copies.set(stamp, canister);
  let bytes = 0;
  for (const copy of copies.values()) bytes += bytesOf(copy);
  for (const [oldest, copy] of copies) {
    if (copies.size <= MAX_COPIES && bytes <= MAX_COPIED_BYTES) break;
    copies.delete(oldest);
    bytes -= bytesOf(copy);
  }
}

function built(request: JobRequest, module: CanisterModule, memories: Memories): CanisterState {
  const canister = assembleCanister(Principal.fromUint8Array(request.id), decodeMeta(request.meta, 'thread job'), evictedWasm(module, memories.heap, memories.globals));
  canister.stable.sizePages = memories.stableSizePages;
  for (const [index, bytes] of memories.stablePages) canister.stable.pages.set(index, bytes);
  return canister;
}

/** The canister to run the job on: the copy its stamp names (its system state taken from the job), or one built from the job. */
function canisterFor(request: JobRequest): CanisterState | 'moduleMissing' | 'copyMissing' {
  if (request.memories) {
    const module = moduleOf(request);
    return module ? built(request, module, request.memories) : 'moduleMissing';
  }
  const canister = copies.get(request.base!);
  if (!canister) return 'copyMissing';
  copies.delete(request.base!);
  return Object.assign(canister, decodeMeta(request.meta, 'thread job'));
}

function run(request: JobRequest, shared: ReturnType<typeof decodeEnvironment>): JobReply {
  const started = performance.now();
  const canister = canisterFor(request);
  if (canister === 'moduleMissing') return { slot: request.slot, ran: false, moduleMissing: true };
  if (canister === 'copyMissing') return { slot: request.slot, ran: false, copyMissing: true };
  const { messages, tasks, env } = jobInput(request, shared);
  const context: RoundContext = { env, outbox: [], ingressResults: [] };
  executeCanister(context, canister, messages, tasks);
  if (hasPausedExecution(canister)) {
    // The replica's thread runs the job again from the start and pauses it there, where its slices run.
    abortPausedExecution(canister);
    return { slot: request.slot, ran: false };
  }
  // Only management calls replace memories whole, and they run on the replica's thread.
  if (canister.dirty.heapReplaced || canister.dirty.stableReplaced) return { slot: request.slot, ran: false };
  const reply = jobReply(request.slot, canister, context, performance.now() - started);
  canister.dirty = newDirtySet();
  keep(request.stamp, canister);
  return reply;
}

const { port, done } = workerData as ThreadData;
// A thread that ends (an error outside a job) wakes the replica's thread, which then finds no answer.
process.on('exit', () => {
  Atomics.store(done, 0, 2);
  Atomics.notify(done, 0);
});
port.on('message', (batch: JobRequest[] | { drop: number }) => {
  // The replica's thread no longer holds the canister: no job names this copy again (and none waits for an answer).
  if (!Array.isArray(batch)) return void copies.delete(batch.drop);
  let replies: JobReply[];
  try {
    const shared = decodeEnvironment(batch[0]!.environment);
    replies = batch.map((request) => run(request, shared));
  } catch {
    // Whatever failed here runs again on the replica's thread, which reports it as it would its own.
    replies = batch.map(({ slot }) => ({ slot, ran: false }));
    for (const { stamp } of batch) copies.delete(stamp);
  }
  port.postMessage(replies, replies.flatMap(transferables));
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});

// Loaded: the replica's thread may post jobs now (until then its canisters run there).
parentPort?.postMessage('ready');
