// Element segments name functions by index (directly or through `ref.func` in
// constant expressions), so they are rewritten with indices shifted past the injected
// imports. The eight segment encodings differ by three flag bits:
// bit 0 passive/declarative, bit 1 explicit table index (active) or declarative
// (passive), bit 2 expressions instead of function indices.
import { INJECTED_FUNCTION_COUNT } from './instrumentation_contract.ts';
import { skipConstImmediates, type SectionRef } from './decode.ts';
import { Reader } from './_reader.ts';
import type { Writer } from './_writer.ts';

export function writeElementSection(out: Writer, bytes: Uint8Array, section: SectionRef): void {
  const r = new Reader(bytes, section.start, section.end);
  out.u8(9);
  const mark = out.beginSized();
  const count = r.u32();
  out.u32(count);
  for (let i = 0; i < count; i++) writeSegment(out, r);
  r.check();
  out.endSized(mark);
}

function writeSegment(out: Writer, r: Reader): void {
  const flags = r.u32();
  out.u32(flags);
  const active = (flags & 1) === 0;
  const expressions = (flags & 4) !== 0;
  if (active && flags & 2) out.u32(r.u32()); // table index
  if (active) copyConstExpr(out, r); // offset
  if (flags & 3) {
    const start = r.pos;
    if (expressions) r.valType();
    else r.u8(); // elemkind 0x00 (funcref)
    out.copy(r.buf, start, r.pos);
  }
  const count = r.u32();
  out.u32(count);
  for (let i = 0; i < count; i++) {
    if (expressions) copyConstExpr(out, r);
    else out.u32(r.u32() + INJECTED_FUNCTION_COUNT);
  }
}

/** Copies a constant expression, shifting `ref.func` indices. */
export function copyConstExpr(out: Writer, r: Reader): void {
  for (;;) {
    const start = r.pos;
    const op = r.u8();
    if (op === 0xd2) {
      out.u8(op);
      out.u32(r.u32() + INJECTED_FUNCTION_COUNT);
      continue;
    }
    if (op !== 0x0b) skipConstImmediates(r, op);
    out.copy(r.buf, start, r.pos);
    if (op === 0x0b) return;
  }
}
