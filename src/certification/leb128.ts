// LEB128, as the IC uses it: natural numbers in the state tree and in request ids are unsigned
// LEB128 (shortest form), integers signed LEB128.

/** Unsigned LEB128 of `n` (≥ 0). @example toHex(uleb128(624485n)) // 'e58e26' */
export function uleb128(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError(`uleb128 of a negative number ${v}`);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/** Signed LEB128 of `n`. @example toHex(sleb128(-123456n)) // 'c0bb78' */
export function sleb128(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n; // arithmetic shift: keeps the sign
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return Uint8Array.from(out);
  }
}

/**
 * Decode unsigned LEB128 that fills `bytes` exactly (e.g. `/time` from a certificate).
 * @throws RangeError if `bytes` is empty, truncated, has trailing bytes or is not shortest.
 */
export function decodeUleb128(bytes: Uint8Array): bigint {
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (i !== bytes.length - 1) throw new RangeError('trailing bytes after LEB128 number');
      if (b === 0 && i > 0) throw new RangeError('LEB128 number is not in shortest form');
      return v;
    }
  }
  throw new RangeError('truncated LEB128 number');
}
