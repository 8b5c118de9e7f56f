// The body of an execution thread: it runs the messages of the canisters pinned to its worker, one canister after
// the other, on copies made from what the replica's thread sent, and answers with what they changed. A message that
// pauses at a slice boundary leaves its canister's job to the replica's thread.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { abortPausedExecution, adoptCompiledModule, evictedWasm, hasPausedExecution, type RoundContext } from '../execution/index.ts';
import { executeCanister } from '../scheduler/index.ts';
import { assembleCanister, decodeMeta } from '../persistence/index.ts';
import { Principal } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';
import { type JobReply, type JobRequest, jobInput, jobReply } from './thread_job.ts';

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

function run(request: JobRequest): JobReply {
  const started = performance.now();
  const module = moduleOf(request);
  if (!module) return { slot: request.slot, ran: false, moduleMissing: true };
  const canister = assembleCanister(Principal.fromUint8Array(request.id), decodeMeta(request.meta, 'thread job'), evictedWasm(module, request.heap, request.globals));
  canister.stable.sizePages = request.stableSizePages;
  for (const [index, bytes] of request.stablePages) canister.stable.pages.set(index, bytes);
  const { messages, tasks, env } = jobInput(request);
  const context: RoundContext = { env, outbox: [], ingressResults: [] };
  executeCanister(context, canister, messages, tasks);
  if (hasPausedExecution(canister)) {
    // The replica's thread runs the job again from the start and pauses it there, where its slices run.
    abortPausedExecution(canister);
    return { slot: request.slot, ran: false };
  }
  return jobReply(request.slot, canister, context, performance.now() - started);
}

const { port, done } = workerData as ThreadData;
// A thread that ends (an error outside a job) wakes the replica's thread, which then finds no answer.
process.on('exit', () => {
  Atomics.store(done, 0, 2);
  Atomics.notify(done, 0);
});
port.on('message', (batch: JobRequest[]) => {
  let replies: JobReply[];
  try {
    replies = batch.map(run);
  } catch {
    // Whatever failed here runs again on the replica's thread, which reports it as it would its own.
    replies = batch.map(({ slot }) => ({ slot, ran: false }));
  }
  port.postMessage(replies);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});

// Loaded: the replica's thread may post jobs now (until then its canisters run there).
parentPort?.postMessage('ready');
