// Growable output buffer with LEB128 encoding. Sizes of sections and function bodies
// are unknown until their content is written, so `beginSized`/`endSized` reserve five
// bytes and then write the minimal LEB, moving the content left once (a memmove is far
// cheaper than encoding twice).

export class Writer {
  buf: Uint8Array<ArrayBuffer>;
  pos = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  #grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n + 1024));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(b: number): void {
    if (this.pos >= this.buf.length) this.#grow(1);
    this.buf[this.pos++] = b;
  }

  u32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** Signed LEB128 of a 32-bit integer (i32.const). */
  s32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value | 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) {
        buf[this.pos++] = byte;
        return;
      }
      buf[this.pos++] = byte | 0x80;
    }
  }

  /** Signed LEB128 of a 64-bit integer (i64.const): a safe-integer number or a bigint. */
  s64(value: number | bigint): void {
    if (typeof value === 'number' && value >= -0x80000000 && value <= 0x7fffffff) return this.s32(value);
    this.ensure(10);
    if (typeof value === 'number') {
      // Doubles hold integers up to 2^53 exactly; `& 0x7f` takes the low bits (ToInt32 is mod 2^32).
      let v = value;
      for (;;) {
        const byte = v & 0x7f;
        v = Math.floor(v / 128);
        if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) return this.u8(byte);
        this.u8(byte | 0x80);
      }
    }
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && !(byte & 0x40)) || (v === -1n && byte & 0x40)) return this.u8(byte);
      this.u8(byte | 0x80);
    }
  }

  /** Copies `src[start, end)`; short runs byte by byte (cheaper than a subarray object). */
  copy(src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    if (len <= 0) return;
    this.ensure(len);
    const buf = this.buf;
    if (len < 48) {
      let p = this.pos;
      for (let i = start; i < end; i++) buf[p++] = src[i]!;
      this.pos = p;
    } else {
      buf.set(src.subarray(start, end), this.pos);
      this.pos += len;
    }
  }

  bytes(src: ArrayLike<number>): void {
    this.ensure(src.length);
    for (let i = 0; i < src.length; i++) this.buf[this.pos++] = src[i]!;
  }

  /** A length-prefixed UTF-8 name. */
  name(text: string): void {
    const encoded = new TextEncoder().encode(text);
    this.u32(encoded.length);
    this.copy(encoded, 0, encoded.length);
  }

  /** Reserves room for a u32 size prefix; pass the result to `endSized`. */
  beginSized(): number {
    this.ensure(5);
    const mark = this.pos;
    this.pos += 5;
    return mark;
  }

  /** Writes the size of everything since `beginSized` as a minimal LEB in front of it. */
  endSized(mark: number): void {
    const start = mark + 5;
    const size = this.pos - start;
    const len = size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
    if (len < 5) this.buf.copyWithin(mark + len, start, this.pos);
    this.pos -= 5 - len;
    let v = size;
    let p = mark;
    for (let i = 1; i < len; i++) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** Inserts `src[0, len)` at `at`, moving what follows to the right. */
  insert(at: number, src: Uint8Array, len: number): void {
    this.ensure(len);
    const buf = this.buf;
    buf.copyWithin(at + len, at, this.pos);
    for (let i = 0; i < len; i++) buf[at + i] = src[i]!;
    this.pos += len;
  }

  /** The bytes written, as an exactly sized copy. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.pos);
  }
}
