// The state of one message execution as the System API sees it, and what it asks to change.
// Handlers in ic0_*.ts read and record here; nothing is applied to the canister until the execution
// commits (execute.ts), so a trap discards all of it (IC: SandboxSafeSystemState + modifications).
import { type CanisterState, type Closure, type CostSchedule, type InstructionLimits, OS_PAGE_SIZE, type Principal, type QueryStatsCollector, type WasmState } from '../state/index.ts';
import { type ApiContext, type ContextLetter, letterOf } from './context.ts';
import { contractViolation } from './errors.ts';
import type { Journal } from './journal.ts';
import type { SubnetMemory } from './subnet_memory.ts';
import type { MessageMemory } from './message_memory.ts';

/** Facts of the subnet and round, visible to every execution. */
export interface ExecutionEnvironment {
  time: bigint;
  subnetId: Principal;
  subnetSize: number;
  rootKeyDer: Uint8Array;
  costs: CostSchedule;
  /** Cycles Minting Canister id: the only canister allowed to mint (a DFINITY replica extension). */
  cyclesMintingCanister: Principal;
  instructionLimits: InstructionLimits;
  /** Calls a canister may have outstanding to one destination; `call_perform` fails beyond it. */
  queueCapacity: number;
  /** What canisters may still take of the subnet's memory this round; committed executions take from it. */
  subnetMemory: SubnetMemory;
  /** The subnet's guaranteed-response message memory; absent, calls are not bounded by it. */
  messageMemory?: MessageMemory;
  /** Nested calls a composite query may make; absent, the replica's 6. */
  compositeQueryMaxDepth?: number;
  /** Instructions executed so far in this round (the scheduler's round limit); absent outside rounds. */
  meter?: { instructions: bigint };
  /** Where non-replicated queries are counted (outside the replicated state); absent: not counted. */
  queryStats?: QueryStatsCollector;
}

export interface OutgoingCall {
  callee: Principal;
  method: string;
  arg: Uint8Array;
  cycles: bigint;
  onReply: Closure;
  onReject: Closure;
  onCleanup: Closure | undefined;
  /** Seconds for a bounded-wait call; undefined for guaranteed response. */
  timeoutSeconds: number | undefined;
  /** Transmission fee plus response reservation withdrawn at call_perform (the IC's cycle costs). */
  fee: bigint;
  reservation: bigint;
}

export type ExecutionResponse = { kind: 'reply'; payload: Uint8Array } | { kind: 'reject'; message: string };

export interface CallDraft {
  callee: Principal;
  method: string;
  args: Uint8Array[];
  argBytes: number;
  cycles: bigint;
  onReply: Closure;
  onReject: Closure;
  onCleanup: Closure | undefined;
  timeoutSeconds: number | undefined;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface ExecutionLimits {
  instructions: bigint;
  maxReplySize: number;
  /** Balance must stay at or above this after withdrawals (the freezing limit). */
  freezingLimit: bigint;
  /** Cycles taken up front for this execution (visible balance excludes them). */
  prepaid: bigint;
}

export class SystemApi {
  readonly context: ApiContext;
  /** The canister the execution changes: a paused execution moves to a copy of it (slicing.ts). */
  canister: CanisterState;
  readonly wasm: WasmState;
  readonly env: ExecutionEnvironment;
  readonly journal: Journal;
  readonly limits: ExecutionLimits;
  readonly pointerWidth: 32 | 64;
  /** Set by the System API when a call context was answered in an earlier execution. */
  responded: boolean;
  response: ExecutionResponse | undefined;
  replyBuffer: Uint8Array[] = [];
  replySize = 0;
  availableCycles: bigint;
  acceptedCycles = 0n;
  /** Cycles taken from the balance by calls, burning and additions to calls (not refunded on commit). */
  cyclesOut = 0n;
  mintedCycles = 0n;
  burnedCycles = 0n;
  draft: CallDraft | undefined;
  calls: OutgoingCall[] = [];
  certifiedData: Uint8Array | undefined;
  globalTimer: bigint | undefined;
  messageAccepted = false;
  instructionsBeforeContext: bigint;
  /** Instructions charged by system calls themselves (overheads and per-byte copies). */
  systemInstructions = 0n;
  /** Instructions of the message's limit beyond the running slice: the counter holds the slice's part. */
  reserve = 0n;
  /** `ic0.canister_version` as this execution sees it (the version before it commits). */
  readonly canisterVersion: bigint;
  #heapView: Uint8Array | undefined;

  constructor(init: {
    context: ApiContext;
    canister: CanisterState;
    wasm: WasmState;
    env: ExecutionEnvironment;
    journal: Journal;
    limits: ExecutionLimits;
    responded: boolean;
    availableCycles: bigint;
    instructionsBeforeContext: bigint;
  }) {
    this.context = init.context;
    this.canister = init.canister;
    this.wasm = init.wasm;
    this.env = init.env;
    this.journal = init.journal;
    this.limits = init.limits;
    this.responded = init.responded;
    this.availableCycles = init.availableCycles;
    this.instructionsBeforeContext = init.instructionsBeforeContext;
    this.pointerWidth = init.wasm.module.pointerWidth;
    this.canisterVersion = init.canister.version;
  }

  get letter(): ContextLetter {
    return letterOf(this.context);
  }

  /** The balance as the canister sees it during this execution ('Cycles'). */
  get balance(): bigint {
    return this.canister.cycles - this.limits.prepaid + this.acceptedCycles + this.mintedCycles - this.cyclesOut;
  }

  get liquidBalance(): bigint {
    const frozen = this.limits.freezingLimit - this.canister.reservedCycles;
    const liquid = this.balance - (frozen > 0n ? frozen : 0n);
    return liquid > 0n ? liquid : 0n;
  }

  /** A pointer or size argument as a JS number (unsigned; i32 arrives signed, i64 as bigint). */
  num(value: number | bigint): number {
    if (typeof value === 'number') return value >>> 0;
    if (value >= 0n && value <= MAX_SAFE) return Number(value);
    const unsigned = BigInt.asUintN(64, value);
    return unsigned > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(unsigned);
  }

  /** A result of pointer-width type I. */
  sized(value: number): number | bigint {
    return this.pointerWidth === 64 ? BigInt(value) : value;
  }

  /** The whole heap; one view per memory buffer (a grow replaces the buffer). */
  heap(): Uint8Array {
    const buffer = this.wasm.memory.buffer;
    if (this.#heapView?.buffer !== buffer) this.#heapView = new Uint8Array(buffer);
    return this.#heapView;
  }

  /** A copy of heap bytes. */
  readBytes(pointer: number | bigint, length: number | bigint, what: string): Uint8Array {
    return this.viewBytes(pointer, length, what).slice();
  }

  /** Heap bytes without a copy: for a caller that copies them at once (valid until the heap changes). */
  viewBytes(pointer: number | bigint, length: number | bigint, what: string): Uint8Array {
    const start = this.num(pointer);
    const size = this.num(length);
    const heap = this.heap();
    if (start + size > heap.length) {
      throw contractViolation(`${what}: out of bounds read: src=${start}, length=${size}, heap size=${heap.length}`);
    }
    return heap.subarray(start, start + size);
  }

  writeBytes(pointer: number | bigint, bytes: Uint8Array, what: string): void {
    const start = this.num(pointer);
    const heap = this.heap();
    if (start + bytes.length > heap.length) {
      throw contractViolation(`${what}: out of bounds write: dst=${start}, length=${bytes.length}, heap size=${heap.length}`);
    }
    this.markHeap(start, bytes.length);
    heap.set(bytes, start);
  }

  /** `copy(dst, offset, size)` of a blob into the heap, as every *_copy function does. */
  copyOut(source: Uint8Array, dst: number | bigint, offset: number | bigint, size: number | bigint, what: string): void {
    const from = this.num(offset);
    const length = this.num(size);
    if (from + length > source.length) {
      throw contractViolation(`${what}: src=${from} + length=${length} exceeds the slice size=${source.length}`);
    }
    this.writeBytes(dst, source.subarray(from, from + length), what);
  }

  /** Saves pages before a host write, like the write barrier does for wasm stores. */
  markHeap(start: number, length: number): void {
    if (length === 0) return;
    const heap = this.heap();
    const first = Math.floor(start / OS_PAGE_SIZE);
    const last = Math.floor((start + length - 1) / OS_PAGE_SIZE);
    for (let page = first; page <= last; page++) this.journal.saveHeapPage(heap, page);
  }

  chargeSystem(instructions: bigint): void {
    this.systemInstructions += instructions;
  }

  /** The accumulated reply, once msg_reply was called. */
  replyPayload(): Uint8Array {
    const out = new Uint8Array(this.replySize);
    let at = 0;
    for (const part of this.replyBuffer) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** Decodes UTF-8 strictly; undefined when invalid. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function writeU128(api: SystemApi, dst: number | bigint, value: bigint, what: string): void {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt.asUintN(64, value), true);
  view.setBigUint64(8, BigInt.asUintN(64, value >> 64n), true);
  api.writeBytes(dst, bytes, what);
}

export function u128(high: bigint, low: bigint): bigint {
  return (BigInt.asUintN(64, high) << 64n) | BigInt.asUintN(64, low);
}
