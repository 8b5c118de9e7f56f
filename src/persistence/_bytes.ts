// Byte-level building blocks of the storage format: a sink that gathers output as a list of parts
// (large byte arrays such as page runs are referenced, not copied, and go to disk with one writev), a
// bounds-checked source, and CRC-32 over parts. All integers are little-endian.
import { crc32 } from 'node:zlib';

/** Byte arrays at least this large are referenced instead of copied into the scratch buffer. */
const BY_REFERENCE = 1024;
const SCRATCH = 64 * 1024;
/** A sink starts small: most encode a few hundred bytes, and zeroing 64 KiB for each costs more than they do. */
const FIRST_SCRATCH = 1024;

export class ByteSink {
  readonly parts: Uint8Array[] = [];
  #scratch = new Uint8Array(FIRST_SCRATCH);
  #view = new DataView(this.#scratch.buffer);
  #start = 0;
  #end = 0;
  #flushed = 0;

  get length(): number {
    return this.#flushed + (this.#end - this.#start);
  }

  #room(bytes: number): void {
    if (this.#end + bytes <= this.#scratch.length) return;
    this.#flush();
    if (this.#scratch.length - this.#start < bytes || this.#scratch.length - this.#start < SCRATCH / 4) {
      this.#scratch = new Uint8Array(Math.max(SCRATCH, bytes));
      this.#view = new DataView(this.#scratch.buffer);
      this.#start = this.#end = 0;
    }
  }

  #flush(): void {
    if (this.#end === this.#start) return;
    this.parts.push(this.#scratch.subarray(this.#start, this.#end));
    this.#flushed += this.#end - this.#start;
    this.#start = this.#end;
  }

  u8(value: number): void {
    this.#room(1);
    this.#scratch[this.#end++] = value;
  }

  u32(value: number): void {
    this.#room(4);
    this.#view.setUint32(this.#end, value, true);
    this.#end += 4;
  }

  u64(value: bigint): void {
    this.#room(8);
    this.#view.setBigUint64(this.#end, value, true);
    this.#end += 8;
  }

  f64(value: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#end, value, true);
    this.#end += 8;
  }

  /** Unsigned LEB128 of a safe integer. */
  varuint(value: number): void {
    this.#room(8);
    while (value >= 0x80) {
      this.#scratch[this.#end++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.#scratch[this.#end++] = value;
  }

  /** Raw bytes, without a length. Large arrays are kept by reference: do not change them before the write. */
  raw(bytes: Uint8Array): void {
    if (bytes.length >= BY_REFERENCE) {
      this.#flush();
      this.parts.push(bytes);
      this.#flushed += bytes.length;
      return;
    }
    this.#room(bytes.length);
    this.#scratch.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.u8(text.charCodeAt(i));
  }

  /** The output so far as parts; the sink can be written to afterwards. */
  finish(): Uint8Array[] {
    this.#flush();
    return this.parts;
  }
}

/** Thrown by ByteSource when a read runs past the end; callers turn it into a `corrupt` failure. */
export class TruncatedInput extends Error {
  override name = 'TruncatedInput';
}

export class ByteSource {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  #need(count: number): number {
    const at = this.offset;
    if (count < 0 || at + count > this.bytes.length) throw new TruncatedInput(`needs ${count} bytes at offset ${at}, ${this.bytes.length - at} left`);
    this.offset = at + count;
    return at;
  }

  u8(): number {
    return this.bytes[this.#need(1)]!;
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true);
  }

  u64(): bigint {
    return this.#view.getBigUint64(this.#need(8), true);
  }

  f64(): number {
    return this.#view.getFloat64(this.#need(8), true);
  }

  varuint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new TruncatedInput(`varuint too long at offset ${this.offset}`);
    }
  }

  /** A view of the next `count` bytes (not a copy). */
  take(count: number): Uint8Array {
    const at = this.#need(count);
    return this.bytes.subarray(at, at + count);
  }

  ascii(count: number): string {
    return String.fromCharCode(...this.take(count));
  }
}

export function crc32Parts(parts: readonly Uint8Array[], initial = 0): number {
  let crc = initial;
  for (const part of parts) crc = crc32(part, crc);
  return crc;
}

export function totalLength(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

/** A plain Uint8Array view (not a Buffer) of `bytes`. */
export function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(totalLength(parts));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}
