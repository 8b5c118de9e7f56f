// Byte helpers shared by the certification layer (internal: other layers use their own or `index.ts`).
import { createHash, hash } from 'node:crypto';

/** Where the parts of a small input are put together before hashing. */
const scratch = new Uint8Array(1024);

/**
 * SHA-256 of the concatenation of `parts`, as a plain Uint8Array (not a pooled Buffer). One-shot hashing: request ids
 * hash every field of every request, and a hash object per field costs more than the hashing.
 */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return new Uint8Array(hash('sha256', parts[0]!, 'buffer'));
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > scratch.length) return new Uint8Array(hash('sha256', concatBytes(...parts), 'buffer'));
  // Small inputs (a hash tree node's domain separator and children) are put together in one reused buffer.
  let at = 0;
  for (const part of parts) {
    scratch.set(part, at);
    at += part.length;
  }
  return new Uint8Array(hash('sha256', scratch.subarray(0, length), 'buffer'));
}

/** SHA-224 of `data` (self-authenticating principals). */
export function sha224(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha224').update(data).digest());
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytewise lexicographic comparison (the order of hash-tree labels and principal ranges). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const utf8Encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`invalid hex string of length ${hex.length}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
