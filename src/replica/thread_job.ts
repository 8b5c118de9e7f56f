// What crosses between the replica's thread and an execution thread: one canister's messages of an inner round,
// with its system state (persistence meta codec) and the round's environment as that canister sees it, and its
// memories only when the thread holds no up-to-date copy of them; and back, what the execution changed: the
// system state, the globals and the heap and stable pages written.
import { compiledModule, type ExecutionEnvironment, growMemory, loadGlobals, type RoundContext } from '../execution/index.ts';
import { decodeMeta, decodeValue, encodeMeta, encodeToBytes } from '../persistence/index.ts';
import { type CanisterMessage, type CanisterState, OS_PAGE_SIZE, WASM_PAGE_SIZE, type WasmState } from '../state/index.ts';
import type { CanisterModule } from '../wasm/index.ts';

/** A canister's heap, globals and stable memory, whole. */
export interface Memories {
  readonly heap: Uint8Array;
  readonly globals: (number | bigint)[];
  readonly stableSizePages: bigint;
  readonly stablePages: [number, Uint8Array][];
}

/** 4 KiB pages in one buffer (one transfer instead of a clone per page). */
export interface Pages {
  readonly indices: Uint32Array;
  readonly data: Uint8Array;
}

export interface JobRequest {
  readonly slot: number;
  readonly id: Uint8Array;
  readonly moduleHash: string;
  /** Sent with the memories the first time a thread builds a canister with this module, with its compiled code. */
  readonly module: { parsed: CanisterModule; compiled: WebAssembly.Module } | undefined;
  /** The thread's copy of the canister to run on, named by the stamp it got; undefined: `memories` come along. */
  readonly base: number | undefined;
  readonly memories: Memories | undefined;
  /** The stamp the thread's copy takes once the job ran. */
  readonly stamp: number;
  /** The canister's system state (persistence meta codec). */
  readonly meta: Uint8Array;
  /** The environment of the inner round (`encodeEnvironment`): one array for all jobs of a batch, posted once. */
  readonly environment: Uint8Array;
  readonly memory: MemoryValues;
  /** The messages and whether tasks run first (value codec). */
  readonly input: Uint8Array;
}

export interface JobReply {
  readonly slot: number;
  /** False: the thread left the job to the replica's thread (a message paused at a slice boundary, or no copy). */
  readonly ran: boolean;
  /** The thread no longer holds the canister's module: the next job sends it again. */
  readonly moduleMissing?: boolean;
  /** The thread no longer holds the copy the job named (it dropped it for room): the next job sends the memories. */
  readonly copyMissing?: boolean;
  /** What the job took on the thread. */
  readonly milliseconds?: number;
  readonly meta?: Uint8Array;
  readonly heapBytes?: number;
  readonly heapPages?: Pages;
  readonly globals?: (number | bigint)[];
  readonly stableSizePages?: bigint;
  readonly stablePages?: Pages;
  /** The outbox, ingress results, instructions and memory the executions took (value codec). */
  readonly output?: Uint8Array;
}

/** The environment without its memory counters, meter and query statistics: the same for every job of an inner round. */
type SharedEnvironment = Omit<ExecutionEnvironment, 'subnetMemory' | 'messageMemory' | 'meter' | 'queryStats'>;

/** A job's own view of the memory counters, as numbers (the thread gets views of its own). */
interface MemoryValues {
  readonly available: bigint;
  readonly reservation: bigint;
  readonly messageCapacity: bigint | undefined;
  readonly messageUsed: bigint | undefined;
}

/**
 * The environment the jobs of one inner round share, encoded once for all of them (value codec: principals
 * survive); the round's meter starts afresh on the thread and query statistics stay on the replica's thread.
 */
export function encodeEnvironment(env: ExecutionEnvironment): Uint8Array {
  const { subnetMemory: _subnetMemory, messageMemory: _messageMemory, meter: _meter, queryStats: _queryStats, ...shared } = env;
  return encodeToBytes(shared satisfies SharedEnvironment);
}

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

export function memoriesOf(canister: CanisterState): Memories {
  const wasm = canister.wasm!;
  return { heap: wasm.heap(), globals: wasm.globalValues(), stableSizePages: canister.stable.sizePages, stablePages: standalone(canister.stable.pages) };
}

export interface JobSource {
  readonly slot: number;
  readonly canister: CanisterState;
  readonly messages: readonly CanisterMessage[];
  readonly tasks: boolean;
  readonly env: ExecutionEnvironment;
  readonly moduleKnown: boolean;
  readonly base: number | undefined;
  readonly stamp: number;
  /** `encodeEnvironment` of the inner round's environment. */
  readonly environment: Uint8Array;
}

export function jobRequest(source: JobSource): JobRequest {
  const { canister, env } = source;
  const wasm = canister.wasm!;
  const moduleHash = Buffer.from(wasm.module.moduleHash).toString('hex');
  const { subnetMemory, messageMemory } = env;
  return {
    slot: source.slot,
    id: canister.id.toUint8Array(),
    moduleHash,
    module: source.moduleKnown || source.base !== undefined ? undefined : { parsed: wasm.module, compiled: compiledModule(wasm.module) },
    base: source.base,
    memories: source.base === undefined ? memoriesOf(canister) : undefined,
    stamp: source.stamp,
    meta: encodeMeta(canister),
    environment: source.environment,
    memory: { available: subnetMemory.available, reservation: subnetMemory.reservation, messageCapacity: messageMemory?.capacity, messageUsed: messageMemory?.used },
    input: encodeToBytes({ messages: source.messages, tasks: source.tasks }),
  };
}

/** The thread's side: the messages, and the environment (`shared`: the decoded `environment`) with the canister's memory views and a fresh meter. */
export function jobInput(request: JobRequest, shared: SharedEnvironment): { messages: CanisterMessage[]; tasks: boolean; env: ExecutionEnvironment } {
  const { messages, tasks } = decodeValue(request.input, 'thread job') as { messages: CanisterMessage[]; tasks: boolean };
  const { available, reservation, messageCapacity, messageUsed } = request.memory;
  const messageMemory = messageCapacity === undefined || messageUsed === undefined ? undefined : { capacity: messageCapacity, measure: () => messageUsed, used: messageUsed };
  return {
    messages,
    tasks,
    env: { ...shared, subnetMemory: { available, reservation }, ...(messageMemory ? { messageMemory } : {}), meter: { instructions: 0n } },
  };
}

/** Decodes a batch's environment once (its jobs share the array). */
export function decodeEnvironment(environment: Uint8Array): SharedEnvironment {
  return decodeValue(environment, 'thread job environment') as SharedEnvironment;
}

function packPages(indices: Iterable<number>, page: (index: number) => Uint8Array | undefined): Pages {
  const sorted = Uint32Array.from(indices).sort();
  const data = new Uint8Array(sorted.length * OS_PAGE_SIZE);
  for (const [i, index] of sorted.entries()) {
    const bytes = page(index);
    if (bytes) data.set(bytes, i * OS_PAGE_SIZE);
  }
  return { indices: sorted, data };
}

/**
 * The thread's answer once the messages ran: the canister's system state and globals, and the pages the
 * executions wrote (their dirty sets, which the checkpoints rely on too), with their bytes.
 */
export function jobReply(slot: number, canister: CanisterState, context: RoundContext, milliseconds: number): JobReply {
  const wasm = canister.wasm!;
  const heap = wasm.heap();
  const { dirty, stable } = canister;
  const heapPages = packPages(dirty.heapPages, (index) => heap.subarray(index * OS_PAGE_SIZE, (index + 1) * OS_PAGE_SIZE));
  const stablePages = packPages(dirty.stablePages, (index) => stable.pages.get(index));
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
    heapBytes: heap.length,
    heapPages,
    globals: wasm.globalValues(),
    stableSizePages: stable.sizePages,
    stablePages,
    output: encodeToBytes(output),
  };
}

/** The buffers a reply may hand over instead of copying. */
export function transferables(reply: JobReply): ArrayBuffer[] {
  return reply.heapPages ? [reply.heapPages.data.buffer as ArrayBuffer, reply.stablePages!.data.buffer as ArrayBuffer] : [];
}

/** Writes the pages the thread's executions wrote into the canister's heap, grown first to the size they left. */
function writeHeap(wasm: WasmState, bytes: number, pages: Pages): void {
  const current = wasm.memory.buffer.byteLength;
  if (bytes > current) growMemory(wasm, (bytes - current) / WASM_PAGE_SIZE);
  const heap = new Uint8Array(wasm.memory.buffer);
  for (const [i, index] of pages.indices.entries()) heap.set(pages.data.subarray(i * OS_PAGE_SIZE, (i + 1) * OS_PAGE_SIZE), index * OS_PAGE_SIZE);
}

/** The replica's side: takes what the thread's executions changed into the canister and its context. */
export function applyReply(reply: JobReply, canister: CanisterState, context: RoundContext): void {
  Object.assign(canister, decodeMeta(reply.meta!, `thread reply for ${canister.id.toText()}`));
  const wasm = canister.wasm!;
  writeHeap(wasm, reply.heapBytes!, reply.heapPages!);
  loadGlobals(wasm, reply.globals!);
  const { indices, data } = reply.stablePages!;
  for (const [i, index] of indices.entries()) canister.stable.write(index * OS_PAGE_SIZE, data.subarray(i * OS_PAGE_SIZE, (i + 1) * OS_PAGE_SIZE), () => {});
  canister.stable.sizePages = reply.stableSizePages!;
  for (const index of reply.heapPages!.indices) canister.dirty.heapPages.add(index);
  for (const index of indices) canister.dirty.stablePages.add(index);
  canister.dirty.touched = true;
  const output = decodeValue(reply.output!, 'thread output') as JobOutput;
  for (const message of output.outbox) context.outbox.push(message);
  for (const result of output.ingressResults) context.ingressResults.push(result);
  context.env.meter!.instructions += output.instructions;
  context.env.subnetMemory.available = output.available;
  if (context.env.messageMemory && output.messageUsed !== undefined) context.env.messageMemory.used = output.messageUsed;
}
