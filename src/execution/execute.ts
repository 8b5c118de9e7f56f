// Runs one entry point of a canister in a context (one "message execution" of the interface spec): sets up the
// System API, calls into wasm, and on a trap (or for a query) rolls heap, globals and stable memory back.
import type { CanisterState, WasmState } from '../state/index.ts';
import { CanisterTrap, describeTrap, type Trap } from './errors.ts';
import { appendLog } from './ic0_misc.ts';
import { hostOf, noteCommit, rebuild } from './instance.ts';
import { Journal } from './journal.ts';
import type { Entry, ExecutionRequest } from './request.ts';
import { type SubnetMemory, takeSubnetMemory } from './subnet_memory.ts';
import { SystemApi } from './system_api.ts';

export type ExecutionOutcome =
  | { ok: true; api: SystemApi; instructions: bigint; journal: Journal }
  | { ok: false; api: SystemApi; instructions: bigint; trap: Trap; backtrace: string[] | undefined };

/** Function names of the wasm frames in a V8 stack trace, innermost first. */
function backtraceOf(error: unknown): string[] | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return undefined;
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const match = /at (\S+) \(wasm:\/\/wasm\/[^)]*\)/.exec(line) ?? /at (wasm:\/\/wasm\/\S+)/.exec(line);
    const name = match?.[1];
    if (!name || name.startsWith('__capsule')) continue;
    // A function without a name is named by its index, in the replica's words.
    const index = /wasm-function\[(\d+)\]/.exec(name)?.[1];
    frames.push(index === undefined ? name.replace(/^\$/, '') : `unknown function at index ${index}`);
  }
  return frames.length > 0 ? frames : undefined;
}

/** V8's trap messages in the replica's words; the replica names every other wasm trap "unknown". */
const WASM_TRAP_MESSAGES: Record<string, string> = {
  unreachable: 'unreachable',
  'memory access out of bounds': 'heap out of bounds',
  'divide by zero': 'integer division by 0',
  'remainder by zero': 'integer division by 0',
  'table index is out of bounds': 'table out of bounds',
};

function toTrap(error: unknown): Trap {
  if (error instanceof CanisterTrap) return error.trap;
  if (error instanceof WebAssembly.RuntimeError) {
    return { kind: 'wasm', message: WASM_TRAP_MESSAGES[error.message] ?? 'unknown' };
  }
  if (error instanceof RangeError && /call stack/.test(error.message)) return { kind: 'stackOverflow' };
  if (error instanceof TypeError) return { kind: 'wasm', message: `function invocation failed: ${error.message}` };
  return { kind: 'wasm', message: `execution failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** The table's function at `index`; table64 (Motoko's enhanced persistence) is indexed by bigint. */
function tableFunction(wasm: WasmState, index: bigint): ((env: number | bigint) => unknown) | null {
  const table = wasm.table;
  if (!table) return null;
  const length = table.length as number | bigint;
  if (typeof length === 'bigint') {
    const get = table.get as unknown as (i: bigint) => unknown;
    return index < length ? (get.call(table, index) as ((env: number | bigint) => unknown) | null) : null;
  }
  return index < BigInt(length) ? (table.get(Number(index)) as ((env: number | bigint) => unknown) | null) : null;
}

/** The wasm function `entry` names and the arguments to call it with; throws the trap of a missing one. */
export function entryCall(wasm: WasmState, entry: Entry): { fn: (...args: (number | bigint)[]) => unknown; args: (number | bigint)[] } {
  if (entry.kind === 'export') {
    const fn = wasm.instance.exports[entry.name];
    if (typeof fn !== 'function') throw new CanisterTrap({ kind: 'wasm', message: `export ${entry.name} is missing` });
    return { fn: fn as () => unknown, args: [] };
  }
  const fn = tableFunction(wasm, entry.closure.fun);
  if (typeof fn !== 'function' || fn.length !== 1) {
    throw new CanisterTrap({ kind: 'callbackNotFound', message: `callback ${entry.closure.fun} is not a function of the table with one parameter` });
  }
  const env = wasm.module.pointerWidth === 64 ? BigInt.asIntN(64, entry.closure.env) : Number(BigInt.asIntN(32, entry.closure.env));
  return { fn: fn as (env: number | bigint) => unknown, args: [env] };
}

/** A callback must return nothing; an export's result is not looked at. */
export function checkResult(entry: Entry, result: unknown): void {
  if (entry.kind === 'closure' && result !== undefined) throw new CanisterTrap({ kind: 'callbackNotFound', message: 'callback function has results' });
}

function callEntry(wasm: WasmState, entry: Entry): void {
  if (entry.kind === 'export') {
    // The common case without the allocations of entryCall.
    const fn = wasm.instance.exports[entry.name];
    if (typeof fn === 'function') return void (fn as () => unknown)();
  }
  const { fn, args } = entryCall(wasm, entry);
  checkResult(entry, fn(...args));
}

/** Clears the write barrier's dirty bytes so the next execution saves pages afresh. */
function clearDirty(wasm: WasmState, journal: Journal): void {
  const dirty = new Uint8Array(wasm.dirty.buffer);
  for (const page of journal.heapPages.keys()) if (page < dirty.length) dirty[page] = 0;
}

/** Undoes everything the journal recorded; re-instantiates when the heap grew (it cannot shrink). */
export function rollback(canister: CanisterState, journal: Journal): void {
  const wasm = canister.wasm!;
  journal.rollbackHeap(new Uint8Array(wasm.memory.buffer));
  journal.rollbackStable(canister.stable);
  clearDirty(wasm, journal);
  if (wasm.memory.buffer.byteLength > journal.heapBytesBefore) {
    canister.wasm = rebuild(wasm, journal.heapBytesBefore, journal.globalsBefore);
  } else {
    journal.rollbackGlobals(wasm.globals);
  }
}

/** Ends a committed execution's journal (its pages are the message's dirty set; its growth takes subnet memory). */
export function commit(canister: CanisterState, journal: Journal, memory: SubnetMemory | undefined): void {
  // An install takes its memory once, over all its steps (takeInstallMemory).
  if (memory) takeSubnetMemory(memory, canister, journal);
  if (canister.wasm) {
    clearDirty(canister.wasm, journal);
    noteCommit(canister.wasm);
  }
  for (const page of journal.heapPages.keys()) canister.dirty.heapPages.add(page);
  for (const page of journal.stablePages.keys()) canister.dirty.stablePages.add(page);
}

/** An execution set up on its instance: the System API it runs with, and its journal. */
export interface Started {
  request: ExecutionRequest;
  api: SystemApi;
  journal: Journal;
}

/** Sets up the System API for `request`; its first `slice` instructions go to the counter, the rest to the API's reserve. */
export function start(request: ExecutionRequest, slice: bigint = request.limits.instructions): Started {
  const { canister } = request;
  const wasm = canister.wasm!;
  const journal = new Journal(wasm.memory.buffer.byteLength, canister.stable, wasm.globals);
  const api = new SystemApi({
    context: request.context,
    canister,
    wasm,
    env: request.env,
    journal,
    limits: request.limits,
    responded: request.responded,
    availableCycles: request.availableCycles,
    instructionsBeforeContext: request.instructionsBeforeContext,
  });
  const host = hostOf(wasm);
  host.api = api;
  host.wasmMemoryLimit = request.wasmMemoryLimit;
  const first = slice < request.limits.instructions ? slice : request.limits.instructions;
  wasm.counter.value = first;
  api.reserve = request.limits.instructions - first;
  return { request, api, journal };
}

/** Instructions canister wasm executed in this process, for benchmarks and tests: what the work cost. */
let executed = 0n;

export function executedInstructions(): bigint {
  return executed;
}

/** Ends a started execution that returned (`failed` false) or threw `failure`: rolls back or commits. */
export function finish(started: Started, failed: boolean, failure: unknown): ExecutionOutcome {
  const { request, api, journal } = started;
  const { canister } = request;
  hostOf(api.wasm).api = undefined;
  const left = (api.wasm.counter.value as bigint) + api.reserve;
  const instructions = request.limits.instructions - (left > 0n ? left : 0n);
  executed += instructions;
  if (request.env.meter) request.env.meter.instructions += instructions;
  if (failed) {
    rollback(canister, journal);
    const trap = toTrap(failure);
    // Traps go to the canister log like the replica's "[TRAP]" records (kept although the message rolls back).
    appendLog(api, new TextEncoder().encode(`[TRAP]: ${describeTrap(trap)}`));
    return { ok: false, api, instructions, trap, backtrace: backtraceOf(failure) };
  }
  if (!request.keepJournal) commit(canister, journal, request.env.subnetMemory);
  return { ok: true, api, instructions, journal };
}

/** Runs an execution to its end within one call (no slicing). */
export function execute(request: ExecutionRequest): ExecutionOutcome {
  const started = start(request);
  try {
    callEntry(request.canister.wasm!, request.entry);
  } catch (error) {
    return finish(started, true, error);
  }
  return finish(started, false, undefined);
}
