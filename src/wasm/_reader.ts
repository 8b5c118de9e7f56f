// Cursor over wasm bytes with LEB128 decoding. The rewriter walks every instruction of
// large modules through this class, so it never allocates: reads only move `pos`.
// Skips do not bounds-check byte by byte (an index past the end reads `undefined`,
// which ends any LEB loop); callers check `pos <= end` once per function or entry.
import { malformed } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Reader {
  readonly buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Throws unless the cursor is within bounds (at most at `end`). */
  check(): void {
    if (this.pos > this.end) throw malformed('unexpected end of section or function');
  }

  u8(): number {
    if (this.pos >= this.end) throw malformed('unexpected end of section or function');
    return this.buf[this.pos++]!;
  }

  /** Unsigned LEB128, at most 5 bytes (u32). */
  u32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      if (pos > this.end) this.check();
      return b;
    }
    let result = b & 0x7f;
    let shift = 7;
    do {
      b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    this.pos = pos;
    if (b & 0x80 || pos > this.end) throw malformed('invalid LEB128 integer');
    return result >>> 0;
  }

  /**
   * Unsigned LEB128 up to 64 bits: a number below 2^49 (the common case: offsets,
   * limits), a bigint above, since doubles cannot hold every u64.
   */
  u64(): number | bigint {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) {
        this.pos = pos;
        this.check();
        return result;
      }
      mul *= 128;
    }
    let big = BigInt(result);
    let shift = 49n;
    let b: number;
    do {
      b = buf[pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80 && shift < 70n);
    this.pos = pos;
    this.check();
    return BigInt.asUintN(64, big);
  }

  /** Skips one LEB128 integer of any width (signed or unsigned). */
  skipLeb(): void {
    const buf = this.buf;
    let pos = this.pos;
    while (buf[pos++]! & 0x80);
    this.pos = pos;
  }

  /** Block type: empty (0x40), a value type, or an s33 type index. */
  skipBlockType(): void {
    const b = this.buf[this.pos++]!;
    if (b & 0x80) this.skipLeb();
    else if (b === 0x63 || b === 0x64) this.skipLeb(); // (ref null? ht): heap type follows
  }

  /** Value type; reference types `(ref null? ht)` carry a heap type. Returns the type byte. */
  valType(): number {
    const b = this.u8();
    if (b === 0x63 || b === 0x64) this.skipLeb();
    return b;
  }

  /** Memory argument: alignment flags (bit 6: a memory index follows), memory index, offset. */
  skipMemarg(): void {
    const flags = this.buf[this.pos++]!;
    if (flags & 0x80) {
      this.pos--;
      if (this.u32() & 0x40) this.skipLeb();
    } else if (flags & 0x40) this.skipLeb();
    this.skipLeb();
  }

  /** br_table's labels: a count, then one more (the default). */
  skipBrTable(): void {
    const count = this.u32();
    for (let i = 0; i <= count; i++) this.skipLeb();
  }

  /** A vector of value types (typed select). */
  skipValTypes(): void {
    const count = this.u32();
    for (let i = 0; i < count; i++) this.valType();
  }

  /** try_table catch clauses: kind (0 catch, 1 catch_ref: tag + label; 2, 3: label). */
  skipCatches(): void {
    const count = this.u32();
    for (let i = 0; i < count; i++) {
      if (this.u8() < 2) this.skipLeb();
      this.skipLeb();
    }
  }

  /** A length-prefixed UTF-8 name. Invalid UTF-8 is a malformed module. */
  name(): string {
    const len = this.u32();
    const start = this.pos;
    this.pos += len;
    this.check();
    try {
      return utf8.decode(this.buf.subarray(start, this.pos));
    } catch {
      throw malformed(`invalid UTF-8 in a name at byte ${start}`);
    }
  }

  /** Skips a length-prefixed byte string (a name) without decoding it. */
  skipName(): void {
    const len = this.u32();
    this.pos += len;
    this.check();
  }
}
