// Hand-assembled wasm binaries for cases WAT cannot express or that would be slow to
// assemble (50,000 functions, custom sections, oversized code sections).

export function leb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

export function str(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...leb(bytes.length), ...bytes];
}

export function section(id: number, content: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const size = leb(content.length);
  const out = new Uint8Array(1 + size.length + content.length);
  out[0] = id;
  out.set(size, 1);
  out.set(content as ArrayLike<number>, 1 + size.length);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Appends a custom section to a module. */
export function withCustom(wasm: Uint8Array, name: string, content: Uint8Array | string): Uint8Array<ArrayBuffer> {
  const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return concat(wasm, section(0, [...str(name), ...body]));
}

/** A module with `count` functions of type [] -> [] whose bodies are `body` (without the locals prefix). */
export function manyFunctions(count: number, body: ArrayLike<number> = [0x0b]): Uint8Array<ArrayBuffer> {
  const types = section(1, [1, 0x60, 0, 0]);
  const funcs = new Uint8Array(5 + count);
  funcs.set(leb(count));
  const countLen = leb(count).length;
  const bodySize = leb(body.length + 1);
  const entry = bodySize.length + 1 + body.length;
  const code = new Uint8Array(countLen + count * entry);
  code.set(leb(count));
  for (let i = 0; i < count; i++) {
    const at = countLen + i * entry;
    code.set(bodySize, at);
    code[at + bodySize.length] = 0; // no locals
    code.set(body, at + bodySize.length + 1);
  }
  return concat(HEADER, types, section(3, funcs.subarray(0, countLen + count)), section(10, code));
}
