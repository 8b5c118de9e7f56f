// Rewrites function bodies instruction by instruction: shifts function indices past the
// injected imports, meters execution, adds the write barrier before stores, routes
// memory.grow to the host, announces bulk writes and canonicalizes NaN results of float
// arithmetic. Unchanged bytes are copied in runs (`runStart` .. current instruction), so most
// instructions cost one table lookup.
//
// Metering charges a *segment* on entry: a region that starts at the function entry, a
// loop header, an if/else arm, a catch handler or the code after a block/if/try `end` (a
// branch target), and covers the instructions up to the next such point that are not in
// a nested region. Code after br_if and after a loop's `end` belongs to the current
// segment: every path to it went through that segment's start. So no execution is ever
// undercharged; leaving a segment early (a branch out, a trap) is charged in full. A segment's cost is known at its
// end; the charge is then inserted at its start (moving the bytes written since, which
// keeps this one pass). After subtracting, the charge calls instruction_limit if the
// counter is negative (see CHECK_ARMS).
//
// A segment that is pure up to an `if` (no trap, call, branch or memory access: nothing can
// observe the counter) charges nothing; its cost moves into the start of both arms, adding an
// `else` arm that only charges when the `if` has none. Every path is charged the same total, the
// check that follows covers it, and a recursive function like fib pays one charge per call, not two.
// A function only direct calls reach has its first charge paid by its callers (see _call_folding.ts).
import { checkFunctionLimits, invalidModule, malformed } from './errors.ts';
import { INJECTED, INJECTED_FUNCTION_COUNT } from './instrumentation_contract.ts';
import { CallSurvey, SURVEY, type CallFolding, type FunctionSurvey } from './_call_folding.ts';
import { atomicWrite, canonicalizesNext, COST, CPLX, K, KIND, PURE, QUIET, SIMD_NAN_F32X4, SIMD_NAN_F64X2, simdStoreSize, STORE_SIZE, STORE_TYPE, V128 } from './_opcodes.ts';
import { Injector, type BulkKind, type NanShape } from './_inject.ts';
import { Reader } from './_reader.ts';
import { Writer } from './_writer.ts';

const unsupported = (funcIndex: number, instruction: string) =>
  invalidModule('unsupportedWasmInstruction', `Wasm module contains a function at index ${funcIndex} with unsupported instruction ${instruction}.`);
const unknownOpcode = (what: string, at: number) => malformed(`unknown opcode ${what} at byte ${at}`);

/**
 * Whether if/else/catch arms also check the counter (function entries and loops always
 * do). On, so that instruction_limit is called by every charge that leaves the counter
 * negative and an export never returns with a negative counter (the execution layer
 * relies on it). The replica only checks at function entries and loop headers; doing the
 * same saves about 20% of the metering overhead on a branchy loop in V8, but then the
 * host must treat `counter < 0` after a call as the limit being exceeded.
 */
const CHECK_ARMS = true;

/** Frame kinds on the control stack: 0 = block/try_table (no segment of its own), 1 = if/catch arm, 2 = loop. */
const LOOP_FRAME = 2;
const IF = 0x04;
const ELSE = 0x05;
const CALL = 0x10;
const TRY = 0x06;
const TRY_TABLE = 0x1f;
const RETURN_CALL = 0x12;

function grow<T extends Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export class CodeRewriter {
  readonly #r: Reader;
  readonly #w = new Writer(1 << 16);
  readonly #inj: Injector;
  #runStart = 0;
  // The innermost open segment; enclosing ones are saved on the stacks below.
  #segStart = 0;
  #segCost = 0;
  #segCheck = true;
  /** Whether the current segment so far holds only PURE instructions. */
  #segPure = true;
  /** Whether it holds only PURE instructions and calls of quiet functions: a callee's charge can join it. */
  #segFoldable = true;
  /** Whether it is one of the function's first charges, which its callers may pay (see _call_folding.ts). */
  #segFirst = true;
  /** Whether it starts inside a loop (its charge then works on the counter's copy, see _inject.ts). */
  #segInLoop = false;
  /** Open loops around the current instruction. */
  #loops = 0;
  /** Saved enclosing segments: start, cost, flags (1: check, 2: first, 4: in a loop). */
  #segStack: number[] = [];
  /** Per open control frame (block, loop, if, try...): 1 if it opened a segment. */
  #frames = new Uint8Array(64);
  /** Per open frame: for an `if`, the enclosing segment's cost moved into its arms, else -1; and whether it checked. */
  #sunk = new Float64Array(64);
  /** Per sunk `if`: 1 if the enclosing segment checked, | 2 if it was a first charge. */
  #sunkCheck = new Uint8Array(64);
  #depth = 0;
  #instructions = 0;
  #complexity = 0;
  #memOffset: number | bigint = 0;
  #memory64: boolean;
  #folding: CallFolding = SURVEY;
  /** The charge this function's direct callers pay for it. */
  #paidByCallers = 0;
  readonly #survey = new CallSurvey();

  constructor(bytes: Uint8Array, memory64: boolean, counterGlobal: number, markStore: number) {
    this.#r = new Reader(bytes);
    this.#memory64 = memory64;
    this.#inj = new Injector(this.#w, memory64, counterGlobal, markStore);
  }

  /** Folds calls by `plan` from now on (see _call_folding.ts); until then, rewrites only survey functions. */
  fold(plan: CallFolding): void {
    this.#folding = plan;
  }

  /** What the last rewrite found, for planning the folding: meaningful when it only surveyed. */
  survey(): FunctionSurvey {
    return this.#survey.result();
  }

  /**
   * Rewrites the body at `start..end` (locals + code) and appends it, size-prefixed, to `out`. Returns the
   * offsets in the new body (from its locals) of the `if`s guarding the injected slow paths.
   */
  rewrite(out: Writer, start: number, end: number, funcIndex: number, paramCount: number): number[] {
    const r = this.#r;
    r.pos = start;
    r.end = end;
    const groupCount = r.u32();
    const groupsStart = r.pos;
    let localCount = 0;
    for (let i = 0; i < groupCount; i++) {
      localCount += r.u32();
      r.valType();
    }
    const groupsEnd = r.pos;
    // A handler can be entered after a callee charged: functions that catch keep the counter in the global only.
    this.#inj.reset(paramCount + localCount, this.#folding.catches[funcIndex] === 0);
    this.#w.pos = 0;
    this.#runStart = r.pos;
    this.#segStack.length = 0;
    this.#segStart = 0;
    this.#segCost = 0;
    this.#segCheck = true;
    this.#segPure = true;
    this.#segFoldable = true;
    this.#segFirst = true;
    this.#segInLoop = false;
    this.#loops = 0;
    this.#paidByCallers = this.#folding.charge[funcIndex] ?? 0;
    this.#survey.reset();
    this.#depth = 0;
    this.#instructions = 0;
    this.#complexity = 0;
    this.#walk(funcIndex);
    if (r.pos !== end) throw malformed(`function ${funcIndex}: body does not end at its declared size`);
    checkFunctionLimits(funcIndex, this.#instructions, this.#complexity);
    return this.#emit(out, groupCount, groupsStart, groupsEnd);
  }

  #emit(out: Writer, groupCount: number, groupsStart: number, groupsEnd: number): number[] {
    const mark = out.beginSized();
    const bodyStart = out.pos;
    const extra = this.#inj.localGroups();
    out.u32(groupCount + extra.length);
    out.copy(this.#r.buf, groupsStart, groupsEnd);
    for (const [count, type] of extra) {
      out.u32(count);
      out.u8(type);
    }
    const codeStart = out.pos - bodyStart;
    out.copy(this.#w.buf, 0, this.#w.pos);
    out.endSized(mark);
    return this.#inj.slowPaths.map((at) => codeStart + at);
  }

  #walk(funcIndex: number): void {
    const r = this.#r;
    const buf = r.buf;
    for (;;) {
      const at = r.pos;
      const op = buf[r.pos++]!;
      this.#segCost += COST[op]!;
      this.#complexity += CPLX[op]!;
      this.#instructions++;
      if (QUIET[op] === 0) this.#survey.quiet = false;
      if (op === TRY || op === TRY_TABLE) this.#survey.catches = true;
      if (PURE[op] === 0 && op !== IF) {
        this.#segPure = false;
        if (op !== CALL && op !== RETURN_CALL) this.#segFoldable = false;
      }
      switch (KIND[op]) {
        case K.NONE: break;
        case K.U32: case K.CONST_LEB: case K.MEMORY_SIZE: case K.REF_NULL: r.skipLeb(); break;
        case K.LOAD: r.skipMemarg(); break;
        case K.U32X2: r.skipLeb(); r.skipLeb(); break;
        case K.F32: r.pos += 4; break;
        case K.F64: r.pos += 8; break;
        case K.BLOCK: r.skipBlockType(); this.#enter(0); break;
        case K.TRY_TABLE: r.skipBlockType(); r.skipCatches(); this.#enter(0); break;
        case K.LOOP: this.#loop(at); break;
        case K.IF: r.skipBlockType(); this.#enter(1); this.#thenArm(); break;
        case K.ELSE: this.#elseArm(); break;
        case K.CATCH: r.skipLeb(); this.#handler(); break;
        case K.CATCH_ALL: this.#handler(); break;
        case K.END: case K.DELEGATE:
          if (op === 0x18) r.skipLeb();
          if (this.#depth === 0) return this.#close(false); // the function's own end
          if (this.#sunk[this.#depth - 1]! >= 0) this.#addElse(at, this.#depth - 1);
          if (this.#frames[--this.#depth] === LOOP_FRAME) this.#loops--;
          this.#endFrame(this.#frames[this.#depth]!);
          break;
        case K.BR_TABLE: r.skipBrTable(); break;
        case K.CALL: this.#call(at, op); break;
        case K.CALL_INDIRECT: r.skipLeb(); r.skipLeb(); this.#reloadCounter(); break;
        case K.CALL_REF: r.skipLeb(); this.#reloadCounter(); break;
        case K.REF_FUNC: this.#shiftFunction(); break;
        case K.STORE: this.#barrier(at, STORE_TYPE[op]!, STORE_SIZE[op]!, 1, this.#readMemarg()); break;
        case K.MEMORY_GROW: this.#memoryGrow(at); break;
        case K.SELECT_T: r.skipValTypes(); break;
        case K.NAN_F32: this.#canonicalize('f32'); break;
        case K.NAN_F64: this.#canonicalize('f64'); break;
        case K.PREFIX_FC: this.#prefixFC(at, funcIndex); break;
        case K.PREFIX_FD: this.#prefixFD(at, funcIndex); break;
        case K.PREFIX_FE: this.#prefixFE(at); break;
        case K.TABLE_SET: throw unsupported(funcIndex, 'table.set');
        default: throw unknownOpcode(`0x${(op ?? 0).toString(16)}`, at);
      }
    }
  }

  /** Pushes a control frame; `segment` 1 if the frame opens a segment. */
  #enter(segment: number): void {
    if (this.#depth === this.#frames.length) {
      this.#frames = grow(this.#frames, new Uint8Array(this.#depth * 2));
      this.#sunk = grow(this.#sunk, new Float64Array(this.#depth * 2));
      this.#sunkCheck = grow(this.#sunkCheck, new Uint8Array(this.#depth * 2));
    }
    this.#sunk[this.#depth] = -1;
    this.#frames[this.#depth++] = segment;
  }

  /** Opens an `if`'s then arm; after a pure prefix, the enclosing segment's charge moves into the arms. */
  #thenArm(): void {
    const sink = this.#segPure ? this.#segCost : -1;
    const check = this.#segCheck;
    const first = this.#segFirst;
    this.#open(CHECK_ARMS);
    if (sink < 0) return;
    const frame = this.#depth - 1;
    const stack = this.#segStack;
    this.#sunk[frame] = sink;
    this.#sunkCheck[frame] = (check ? 1 : 0) | (first ? 2 : 0);
    stack[stack.length - 2] = 0; // the saved cost of the enclosing segment
    stack[stack.length - 1] = stack[stack.length - 1]! & ~2; // its charge, now 0, is no longer a first one
    this.#segCost = sink;
    this.#segCheck ||= check;
    this.#segFirst = first;
  }

  /** Closes the then arm and opens the else arm, which starts with the moved charge too. */
  #elseArm(): void {
    this.#close();
    this.#open(CHECK_ARMS);
    const frame = this.#depth - 1;
    const sink = this.#sunk[frame]!;
    if (sink < 0) return;
    this.#segCost = sink;
    this.#segCheck ||= (this.#sunkCheck[frame]! & 1) === 1;
    this.#segFirst = (this.#sunkCheck[frame]! & 2) === 2;
    this.#sunk[frame] = -1; // both arms charge it: nothing to add at the end
  }

  /**
   * Before the `end` at `at` of an `if` without `else` whose then arm took the enclosing charge: ends
   * the then arm and adds `else` with that charge for the path that skips it (values pass through).
   */
  #addElse(at: number, frame: number): void {
    this.#flush(at);
    this.#chargeSegment();
    this.#w.u8(ELSE);
    this.#segStart = this.#w.pos;
    this.#segCost = this.#sunk[frame]!;
    this.#segCheck = CHECK_ARMS || (this.#sunkCheck[frame]! & 1) === 1;
    this.#segFirst = (this.#sunkCheck[frame]! & 2) === 2;
  }

  /** A legacy catch/catch_all clause: ends the previous handler (if any), opens a new one. */
  #handler(): void {
    if (this.#frames[this.#depth - 1]) this.#close();
    this.#frames[this.#depth - 1] = 1;
    this.#open(CHECK_ARMS);
  }

  /**
   * The end of a block, if or try is a branch target, so the code after it starts a new segment,
   * charged when reached: a br_table dispatch over many nested blocks (a `match`) then pays only for
   * the arm it runs. Code after a loop's end is only reached by falling out of the loop and stays in
   * the enclosing segment.
   */
  #endFrame(frame: number): void {
    if (frame !== 0) this.#close();
    if (frame !== LOOP_FRAME) this.#split();
  }

  /** Ends the current segment here (its charge goes in at its start) and starts its successor. */
  #split(): void {
    this.#flush(this.#r.pos);
    this.#chargeSegment();
    this.#begin(CHECK_ARMS);
  }

  /** Opens a segment at the current position, after the instruction just read. */
  #open(check: boolean): void {
    this.#flush(this.#r.pos);
    this.#segStack.push(this.#segStart, this.#segCost, (this.#segCheck ? 1 : 0) | (this.#segFirst ? 2 : 0) | (this.#segInLoop ? 4 : 0));
    this.#begin(check);
  }

  /** Starts an empty segment at the current output position. */
  #begin(check: boolean): void {
    this.#segStart = this.#w.pos;
    this.#segCost = 0;
    this.#segCheck = check;
    this.#segPure = true;
    this.#segFoldable = true;
    this.#segFirst = false;
    this.#segInLoop = this.#loops > 0;
    this.#survey.segment();
  }

  /** Closes the innermost segment: inserts its charge at its start, resumes the enclosing one. */
  #close(resume = true): void {
    this.#flush(this.#r.pos);
    this.#chargeSegment();
    if (!resume) return;
    const stack = this.#segStack;
    const flags = stack.pop()!;
    this.#segCheck = (flags & 1) === 1;
    this.#segFirst = (flags & 2) === 2;
    this.#segInLoop = (flags & 4) === 4;
    this.#segCost = stack.pop()!;
    this.#segStart = stack.pop()!;
    this.#segPure = false; // it now holds a nested construct
    this.#segFoldable = false;
  }

  /** Inserts the current segment's charge at its start, less what the callers paid if it is a first one. */
  #chargeSegment(): void {
    let cost = this.#segCost;
    if (this.#segFirst) {
      this.#survey.first(cost);
      cost -= this.#paidByCallers;
      if (cost < 0) throw new RangeError('a first charge is smaller than what the callers paid for it');
    }
    if (cost > 0 && this.#folding !== SURVEY) this.#inj.charge(this.#segStart, cost, this.#segCheck, this.#segInLoop);
  }

  /**
   * call, return_call: the callee's first charge joins the current segment's when nothing before the call in
   * it can observe the counter, else it is charged right before the call.
   */
  #call(at: number, op: number): void {
    const r = this.#r;
    const start = r.pos;
    const callee = r.u32();
    r.pos = start;
    if (this.#folding === SURVEY) this.#survey.call(callee, this.#segFoldable);
    const paid = this.#folding.charge[callee] ?? 0;
    if (paid > 0) {
      if (this.#segFoldable && this.#segCheck) {
        this.#segCost += paid;
      } else {
        this.#flush(at);
        this.#inj.charge(this.#w.pos, paid, true, this.#loops > 0);
      }
    }
    if (this.#folding !== SURVEY && this.#folding.quiet[callee] !== 1) this.#segFoldable = false;
    this.#shiftFunction();
    if (op === CALL) this.#reloadCounter();
  }

  /** After an instruction that calls out, which may have charged: a loop's charges reload their copy of the counter. */
  #reloadCounter(): void {
    if (this.#loops === 0) return;
    this.#flush(this.#r.pos);
    this.#inj.reload();
  }

  /** A loop header: the charges in the loop work on a copy of the counter, loaded as the loop is entered. */
  #loop(at: number): void {
    this.#flush(at);
    this.#inj.reload();
    this.#r.skipBlockType();
    this.#loops++;
    this.#enter(LOOP_FRAME);
    this.#open(true);
  }

  /** Copies the pending run of unchanged input bytes up to `upTo`. */
  #flush(upTo: number): void {
    this.#w.copy(this.#r.buf, this.#runStart, upTo);
    this.#runStart = upTo;
  }

  /** call, return_call, ref.func: the function index moves past the injected imports. */
  #shiftFunction(): void {
    const r = this.#r;
    this.#flush(r.pos);
    this.#w.u32(r.u32() + INJECTED_FUNCTION_COUNT);
    this.#runStart = r.pos;
  }

  /** Reads a memarg; leaves the offset in #memOffset and returns the memory index. */
  #readMemarg(): number {
    const r = this.#r;
    const flags = r.u32();
    const memory = flags & 0x40 ? r.u32() : 0;
    this.#memOffset = this.#memory64 ? r.u64() : r.u32();
    return memory;
  }

  /** Injects the write barrier before the store that starts at `at` (main memory only). */
  #barrier(at: number, type: number, size: number, operands: 1 | 2, memory: number): void {
    if (memory !== 0 || this.#folding === SURVEY) return; // a survey's output is dropped
    this.#flush(at);
    this.#inj.storeBarrier(type, operands, size, this.#memOffset);
    this.#runStart = at; // the original store follows, copied with the next run
  }

  /**
   * After the float instruction just read: its NaN result becomes the canonical NaN. Skipped when the
   * next instruction canonicalizes too: it consumes this result (the top of the stack), gives NaN for
   * a NaN operand and canonicalizes that, so the payload is never seen.
   */
  #canonicalize(shape: NanShape): void {
    if (this.#folding === SURVEY || canonicalizesNext(this.#r, shape)) return;
    this.#flush(this.#r.pos);
    this.#inj.canonicalizeNaN(shape);
  }

  #memoryGrow(at: number): void {
    this.#r.skipLeb();
    this.#flush(at);
    this.#w.u8(0x10); // call memory_grow
    this.#w.u8(INJECTED.memoryGrow);
    this.#runStart = this.#r.pos;
    this.#reloadCounter(); // the host charged the growth
  }

  #markRange(at: number, kind: BulkKind, memory: number): void {
    if (memory !== 0) return;
    this.#flush(at);
    this.#inj.markRange(kind, this.#loops > 0);
    this.#runStart = at;
  }

  /** 0xFC: saturating truncation, bulk memory, tables. */
  #prefixFC(at: number, funcIndex: number): void {
    const r = this.#r;
    const sub = r.u32();
    if (sub <= 7) return this.#account(20, 3); // trunc_sat
    switch (sub) {
      case 8: this.#account(100, 1); r.skipLeb(); return this.#markRange(at, 'init', r.u32()); // memory.init
      case 9: case 13: this.#account(300, 1); r.skipLeb(); return; // data.drop, elem.drop
      case 10: { this.#account(100, 4); const dst = r.u32(); r.skipLeb(); return this.#markRange(at, 'copy', dst); }
      case 11: this.#account(100, 3); return this.#markRange(at, 'fill', r.u32());
      case 16: this.#account(100, 1); r.skipLeb(); return; // table.size
      case 12: throw unsupported(funcIndex, 'table.init');
      case 14: throw unsupported(funcIndex, 'table.copy');
      case 15: throw unsupported(funcIndex, 'table.grow');
      case 17: throw unsupported(funcIndex, 'table.fill');
      default: throw unknownOpcode(`0xfc ${sub}`, at);
    }
  }

  /** 0xFD: SIMD. Relaxed SIMD is refused: its results may differ between machines. */
  #prefixFD(at: number, funcIndex: number): void {
    const r = this.#r;
    const sub = r.u32();
    this.#account(1, 1);
    if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) {
      const memory = this.#readMemarg();
      if (sub === 0x0b) this.#barrier(at, V128, 16, 1, memory);
    } else if (sub === 0x0c || sub === 0x0d) {
      r.pos += 16; // v128.const, i8x16.shuffle
    } else if (sub >= 0x15 && sub <= 0x22) {
      r.pos += 1; // extract/replace lane
    } else if (sub >= 0x54 && sub <= 0x5b) {
      const memory = this.#readMemarg();
      const size = simdStoreSize(sub);
      if (size) this.#barrier(at, V128, size, 1, memory);
      r.pos += 1; // lane index
    } else if (SIMD_NAN_F32X4.has(sub)) {
      this.#canonicalize('f32x4');
    } else if (SIMD_NAN_F64X2.has(sub)) {
      this.#canonicalize('f64x2');
    } else if (sub > 0xff) {
      if (sub <= 0x113) throw unsupported(funcIndex, `relaxed SIMD (0xfd ${sub})`);
      throw unknownOpcode(`0xfd ${sub}`, at);
    }
  }

  /** 0xFE: atomics; stores, read-modify-write and cmpxchg get the write barrier. */
  #prefixFE(at: number): void {
    const r = this.#r;
    const sub = r.u32();
    this.#account(1, 1);
    if (sub === 0x03) {
      r.pos += 1; // atomic.fence
    } else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) {
      const memory = this.#readMemarg();
      const write = atomicWrite(sub);
      if (write) this.#barrier(at, write[1], write[0], write[2], memory);
    } else {
      throw unknownOpcode(`0xfe ${sub}`, at);
    }
  }

  #account(cost: number, complexity: number): void {
    this.#segCost += cost;
    this.#complexity += complexity;
  }
}
