// Call folding: the charge a function makes first (its entry segment, or the arms its pure prefix was
// moved into) is paid by its callers when only direct calls reach it. A caller adds it to its own
// segment's charge when nothing between that charge and the call can observe the counter (only pure
// instructions and calls of quiet functions), or else charges it just before the call; the callee's
// first charges drop by it, and one that drops to zero disappears with its check. Between the moved
// charge and its old place nothing traps, calls the host or touches memory, so every count the canister
// can observe (performance_counter, the cycles charged, the side effects that happen before the limit
// traps) stays the same; a recursive function like fib then charges nothing in its leaf calls.
//
// A function is internal when only direct calls reach it: not exported, not the start function, and not
// named by an element segment or a `ref.func` in a constant expression (function references in code must
// be declared in one of those). It is quiet when it cannot trap but by the instruction limit, call the
// host or touch memory: only pure, control and global instructions and direct calls of quiet functions.
import { EXTERN, type ModuleInfo, SECTION, skipConstImmediates } from './decode.ts';
import { Reader } from './_reader.ts';

/** What the rewriter found in one function without folding. */
export interface FunctionSurvey {
  /** The smallest charge on the paths from its entry (0 if some path is charged nothing first). */
  firstCharge: number;
  /** Whether its own instructions are quiet (its direct callees are checked by planCallFolding). */
  quiet: boolean;
  /**
   * The calls in segments that are pure up to them but for earlier calls, by segment, in order: one can
   * fold if the calls before it in its run are quiet.
   */
  runs: number[][];
  /** The callees of the other calls, which cannot fold. */
  blocked: number[];
  /** Whether it has exception handlers (try, try_table). */
  catches: boolean;
}

/** Collects a function's survey while the rewriter walks it without folding. */
export class CallSurvey {
  quiet = true;
  catches = false;
  #firstCharge = Number.POSITIVE_INFINITY;
  #runs: number[][] = [];
  #blocked: number[] = [];
  #run: number[] | undefined;

  reset(): void {
    this.quiet = true;
    this.catches = false;
    this.#firstCharge = Number.POSITIVE_INFINITY;
    this.#runs = [];
    this.#blocked = [];
    this.#run = undefined;
  }

  /** A first charge of `cost` (see FunctionSurvey). */
  first(cost: number): void {
    if (cost < this.#firstCharge) this.#firstCharge = cost;
  }

  /** A segment starts: its calls start a new run. */
  segment(): void {
    this.#run = undefined;
  }

  /** A direct call; `foldable` if the segment holds only pure instructions and calls before it. */
  call(callee: number, foldable: boolean): void {
    if (!foldable) this.#blocked.push(callee);
    else if (this.#run) this.#run.push(callee);
    else this.#runs.push((this.#run = [callee]));
  }

  result(): FunctionSurvey {
    const firstCharge = Number.isFinite(this.#firstCharge) ? this.#firstCharge : 0;
    return { firstCharge, quiet: this.quiet, runs: this.#runs, blocked: this.#blocked, catches: this.catches };
  }
}

export interface CallFolding {
  /** By original function index: the charge its direct callers pay for it (0: none). */
  charge: Float64Array;
  /** By original function index: 1 if a call of it cannot observe the counter. */
  quiet: Uint8Array;
  /** By original function index: 1 if it has exception handlers (see _rewrite_code.ts). */
  catches: Uint8Array;
}

/** The plan a survey runs under: it charges nothing (the rewriter then only surveys). */
export const SURVEY: CallFolding = { charge: new Float64Array(0), quiet: new Uint8Array(0), catches: new Uint8Array(0) };

/** Plans the folding from the surveys of the defined functions (in order, after the imported ones). */
export function planCallFolding(info: ModuleInfo, surveys: readonly FunctionSurvey[]): CallFolding {
  const count = info.functionTypes.length;
  const plan: CallFolding = { charge: new Float64Array(count), quiet: new Uint8Array(count), catches: new Uint8Array(count) };
  const imported = info.importedFunctionCount;
  for (let i = 0; i < surveys.length; i++) {
    plan.quiet[imported + i] = surveys[i]!.quiet ? 1 : 0;
    plan.catches[imported + i] = surveys[i]!.catches ? 1 : 0;
  }
  // A quiet function that calls a function that is not quiet is not quiet either, up through its callers.
  const callers: number[][] = Array.from({ length: count }, () => []);
  const noisy: number[] = [];
  surveys.forEach((survey, i) => {
    for (const run of survey.runs) for (const callee of run) callers[callee]!.push(imported + i);
    for (const callee of survey.blocked) callers[callee]!.push(imported + i);
  });
  for (let f = 0; f < count; f++) if (plan.quiet[f] === 0) noisy.push(f);
  while (noisy.length > 0) {
    for (const caller of callers[noisy.pop()!]!) {
      if (plan.quiet[caller] === 0) continue;
      plan.quiet[caller] = 0;
      noisy.push(caller);
    }
  }
  // Folding a callee charges it before each call that cannot fold, adding code but no charge: it is
  // folded when at least as many of its calls fold as do not.
  const folds = new Int32Array(count);
  for (const survey of surveys) {
    for (const run of survey.runs) {
      let quiet = true;
      for (const callee of run) {
        folds[callee] = folds[callee]! + (quiet ? 1 : -1);
        quiet &&= plan.quiet[callee] === 1;
      }
    }
    for (const callee of survey.blocked) folds[callee] = folds[callee]! - 1;
  }
  const referenced = referencedFunctions(info);
  for (let i = 0; i < surveys.length; i++) {
    const f = imported + i;
    if (referenced[f] === 0 && folds[f]! >= 0 && surveys[i]!.firstCharge > 0) plan.charge[f] = surveys[i]!.firstCharge;
  }
  return plan;
}

/** 1 for every function something other than a direct call can reach. */
function referencedFunctions(info: ModuleInfo): Uint8Array {
  const referenced = new Uint8Array(info.functionTypes.length);
  for (const entry of info.exports) if (entry.kind === EXTERN.func) referenced[entry.index] = 1;
  if (info.start !== undefined) referenced[info.start] = 1;
  for (const table of info.tables) {
    if (table.initStart !== undefined) markConstExpr(new Reader(info.bytes, table.initStart), referenced);
  }
  const section = (id: number) => info.sections.find((s) => s.id === id);
  const globals = section(SECTION.global);
  if (globals) {
    const r = new Reader(info.bytes, globals.start, globals.end);
    const total = r.u32();
    for (let i = 0; i < total; i++) {
      r.valType();
      r.u8();
      markConstExpr(r, referenced);
    }
  }
  const elements = section(SECTION.element);
  if (elements) markElements(new Reader(info.bytes, elements.start, elements.end), referenced);
  return referenced;
}

/** Every function an element segment names (the encodings as in _rewrite_elements.ts). */
function markElements(r: Reader, referenced: Uint8Array): void {
  const segments = r.u32();
  for (let s = 0; s < segments; s++) {
    const flags = r.u32();
    const active = (flags & 1) === 0;
    const expressions = (flags & 4) !== 0;
    if (active && flags & 2) r.u32(); // table index
    if (active) markConstExpr(r, referenced); // offset
    if (flags & 3) {
      if (expressions) r.valType();
      else r.u8(); // elemkind
    }
    const items = r.u32();
    for (let i = 0; i < items; i++) {
      if (expressions) markConstExpr(r, referenced);
      else referenced[r.u32()] = 1;
    }
  }
}

/** Reads a constant expression up to its `end`, marking the functions its `ref.func`s name. */
function markConstExpr(r: Reader, referenced: Uint8Array): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0xd2) referenced[r.u32()] = 1;
    else skipConstImmediates(r, op);
  }
}
