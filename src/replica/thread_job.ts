// What crosses between the replica's thread and an execution thread: one canister's messages of an inner round,
// with the canister (system state through the persistence codec, heap, globals and stable memory) and the round's
// environment as that canister sees it; and back, what the execution changed.
import { compiledModule, type ExecutionEnvironment, type RoundContext } from '../execution/index.ts';
import { decodeMeta, decodeValue, encodeMeta, encodeToBytes } from '../persistence/index.ts';
import { type CanisterMessage, type CanisterState, OS_PAGE_SIZE } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';

export interface JobRequest {
  readonly slot: number;
  readonly id: Uint8Array;
  readonly moduleHash: string;
  /** Sent the first time a thread runs a canister with this module, with its compiled code. */
  readonly module: { parsed: CanisterModule; compiled: WebAssembly.Module } | undefined;
  readonly heap: Uint8Array;
  readonly globals: (number | bigint)[];
  readonly stableSizePages: bigint;
  readonly stablePages: [number, Uint8Array][];
  /** The canister's system state (persistence meta codec). */
  readonly meta: Uint8Array;
  /** The messages and the environment (value codec: principals survive). */
  readonly input: Uint8Array;
}

export interface JobReply {
  readonly slot: number;
  /** False: the thread left the job to the replica's thread (a message paused at a slice boundary). */
  readonly ran: boolean;
  /** The thread no longer holds the canister's module: the next job sends it again. */
  readonly moduleMissing?: boolean;
  /** What the executions took on the thread. */
  readonly milliseconds?: number;
  readonly meta?: Uint8Array;
  readonly heap?: Uint8Array;
  readonly globals?: (number | bigint)[];
  readonly stableSizePages?: bigint;
  /** The stable pages the executions wrote, with their bytes. */
  readonly stablePages?: [number, Uint8Array][];
  readonly heapPages?: number[];
  /** The outbox, ingress results, instructions and memory the executions took (value codec). */
  readonly output?: Uint8Array;
}

/** The environment's plain values: its memory counters travel as numbers (the thread gets views of its own);
 *  the round's meter starts afresh on the thread and query statistics stay on the replica's thread. */
type PlainEnvironment = Omit<ExecutionEnvironment, 'subnetMemory' | 'messageMemory' | 'meter' | 'queryStats'> & {
  available: bigint;
  reservation: bigint;
  messageCapacity: bigint | undefined;
  messageUsed: bigint | undefined;
};

interface JobOutput {
  outbox: CanisterMessage[];
  ingressResults: RoundContext['ingressResults'];
  instructions: bigint;
  available: bigint;
  messageUsed: bigint | undefined;
}

/** Stable pages as arrays of their own: a page is a view of a shared slab, which a message would copy whole. */
function standalone(pages: ReadonlyMap<number, Uint8Array>): [number, Uint8Array][] {
  return [...pages].map(([index, page]) => [index, page.slice()]);
}

export function jobRequest(slot: number, canister: CanisterState, messages: readonly CanisterMessage[], tasks: boolean, env: ExecutionEnvironment, moduleKnown: boolean): JobRequest {
  const wasm = canister.wasm!;
  const moduleHash = Buffer.from(wasm.module.moduleHash).toString('hex');
  const { subnetMemory, messageMemory, meter: _meter, queryStats: _queryStats, ...values } = env;
  const plain: PlainEnvironment = {
    ...values,
    available: subnetMemory.available,
    reservation: subnetMemory.reservation,
    messageCapacity: messageMemory?.capacity,
    messageUsed: messageMemory?.used,
  };
  return {
    slot,
    id: canister.id.toUint8Array(),
    moduleHash,
    module: moduleKnown ? undefined : { parsed: wasm.module, compiled: compiledModule(wasm.module) },
    heap: wasm.heap(),
    globals: wasm.globalValues(),
    stableSizePages: canister.stable.sizePages,
    stablePages: standalone(canister.stable.pages),
    meta: encodeMeta(canister),
    input: encodeToBytes({ messages, tasks, env: plain }),
  };
}

/** The thread's side: the messages and the environment, with the canister's memory views and a fresh meter. */
export function jobInput(request: JobRequest): { messages: CanisterMessage[]; tasks: boolean; env: ExecutionEnvironment } {
  const { messages, tasks, env } = decodeValue(request.input, 'thread job') as { messages: CanisterMessage[]; tasks: boolean; env: PlainEnvironment };
  const { available, reservation, messageCapacity, messageUsed, ...values } = env;
  const messageMemory = messageCapacity === undefined || messageUsed === undefined ? undefined : { capacity: messageCapacity, measure: () => messageUsed, used: messageUsed };
  return {
    messages,
    tasks,
    env: { ...values, subnetMemory: { available, reservation }, ...(messageMemory ? { messageMemory } : {}), meter: { instructions: 0n } },
  };
}

/** The thread's answer once the messages ran: the canister as they left it and what they produced. */
export function jobReply(slot: number, canister: CanisterState, context: RoundContext, milliseconds: number): JobReply {
  const wasm = canister.wasm!;
  const stablePages: [number, Uint8Array][] = [...canister.dirty.stablePages].map((index) => [index, canister.stable.pages.get(index)?.slice() ?? new Uint8Array(OS_PAGE_SIZE)]);
  const output: JobOutput = {
    outbox: context.outbox,
    ingressResults: context.ingressResults,
    instructions: context.env.meter!.instructions,
    available: context.env.subnetMemory.available,
    messageUsed: context.env.messageMemory?.used,
  };
  return {
    slot,
    ran: true,
    milliseconds,
    meta: encodeMeta(canister),
    heap: wasm.heap(),
    globals: wasm.globalValues(),
    stableSizePages: canister.stable.sizePages,
    stablePages,
    heapPages: [...canister.dirty.heapPages],
    output: encodeToBytes(output),
  };
}

/** The replica's side: takes what the thread's executions changed into the canister and its context. */
export function applyReply(reply: JobReply, canister: CanisterState, context: RoundContext, wasmOf: (heap: Uint8Array, globals: (number | bigint)[]) => CanisterState['wasm']): void {
  Object.assign(canister, decodeMeta(reply.meta!, `thread reply for ${canister.id.toText()}`));
  canister.wasm = wasmOf(reply.heap!, reply.globals!);
  for (const [index, bytes] of reply.stablePages!) canister.stable.write(index * OS_PAGE_SIZE, bytes, () => {});
  canister.stable.sizePages = reply.stableSizePages!;
  for (const index of reply.heapPages!) canister.dirty.heapPages.add(index);
  for (const [index] of reply.stablePages!) canister.dirty.stablePages.add(index);
  canister.dirty.touched = true;
  const output = decodeValue(reply.output!, 'thread output') as JobOutput;
  for (const message of output.outbox) context.outbox.push(message);
  for (const result of output.ingressResults) context.ingressResults.push(result);
  context.env.meter!.instructions += output.instructions;
  context.env.subnetMemory.available = output.available;
  if (context.env.messageMemory && output.messageUsed !== undefined) context.env.messageMemory.used = output.messageUsed;
}
