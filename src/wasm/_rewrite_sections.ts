// Section writers for the instrumented module, except code and elements. Each keeps the
// original entries byte for byte and appends what instrumentation adds. Imported
// memories and tables become defined ones with the same type (same index, since
// imports come first), so the embedder only ever supplies functions.
import { EXTERN, SECTION, type ModuleInfo, type SectionRef } from './decode.ts';
import {
  CAPSULE_EXPORTS, CAPSULE_IMPORT_MODULE, dirtyMemoryPages, INJECTED_FUNCTION_COUNT, INJECTED_IMPORTS, v128Accessors,
} from './instrumentation_contract.ts';
import { Reader } from './_reader.ts';
import { copyConstExpr } from './_rewrite_elements.ts';
import type { Writer } from './_writer.ts';

const I32 = 0x7f;
const I64 = 0x7e;

function section(out: Writer, id: number, body: () => void): void {
  out.u8(id);
  const mark = out.beginSized();
  body();
  out.endSized(mark);
}

/** Content of a vector section after its count. */
function entries(info: ModuleInfo, ref: SectionRef | undefined): { count: number; start: number; end: number } {
  if (!ref) return { count: 0, start: 0, end: 0 };
  const r = new Reader(info.bytes, ref.start, ref.end);
  const count = r.u32();
  return { count, start: r.pos, end: ref.end };
}

/**
 * Original types plus the injected imports' types, the mark-store helper's type
 * (`[I, i32] -> []`, at the returned index + 4) and the v128 accessors' types (getter
 * `[] -> [i64, i64]` at + 5, setter `[i64, i64] -> []` at + 6); returns the index of the first one.
 */
export function writeTypeSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, memory64: boolean): number {
  const { count, start, end } = entries(info, ref);
  const ptr = memory64 ? I64 : I32;
  section(out, SECTION.type, () => {
    out.u32(count + 7);
    out.copy(info.bytes, start, end);
    out.bytes([0x60, 0, 0]); // instruction_limit: [] -> []
    out.bytes([0x60, 1, ptr, 1, ptr]); // memory_grow: [I] -> [I]
    out.bytes([0x60, 2, ptr, ptr, 0]); // mark_range: [I, I] -> []
    out.bytes([0x60, 1, I32, 0]); // mark_page: [i32] -> []
    out.bytes([0x60, 2, ptr, I32, 0]); // mark-store helper: [I, i32] -> []
    out.bytes([0x60, 0, 2, I64, I64]); // v128 getter
    out.bytes([0x60, 2, I64, I64, 0]); // v128 setter
  });
  return count;
}

/** Injected imports first, then the original imports minus memories and tables. */
export function writeImportSection(out: Writer, info: ModuleInfo, firstType: number): void {
  const kept = info.imports.filter((i) => i.kind !== EXTERN.memory && i.kind !== EXTERN.table);
  section(out, SECTION.import, () => {
    out.u32(INJECTED_FUNCTION_COUNT + kept.length);
    INJECTED_IMPORTS.forEach((name, i) => {
      out.name(CAPSULE_IMPORT_MODULE);
      out.name(name);
      out.u8(EXTERN.func);
      out.u32(firstType + i);
    });
    for (const imp of kept) out.copy(info.bytes, imp.start, imp.end);
  });
}

/** Original function declarations plus the appended mark-store helper and v128 accessors. */
export function writeFunctionSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, helperType: number): void {
  const { count, start, end } = entries(info, ref);
  const accessors = v128Accessors(info.globals);
  section(out, SECTION.function, () => {
    out.u32(count + 1 + accessors.length);
    out.copy(info.bytes, start, end);
    out.u32(helperType);
    for (const accessor of accessors) out.u32(helperType + (accessor.kind === 'get' ? 1 : 2));
  });
}

export function writeTableSection(out: Writer, info: ModuleInfo): void {
  section(out, SECTION.table, () => {
    out.u32(info.tables.length);
    for (const t of info.tables) {
      // An initializer may use ref.func, whose index must be shifted.
      out.copy(info.bytes, t.typeStart, t.initStart ?? t.typeEnd);
      if (t.initStart !== undefined) copyConstExpr(out, new Reader(info.bytes, t.initStart, t.typeEnd));
    }
  });
}

/** The main memory (or an empty one) and the dirty-byte memory after it. */
export function writeMemorySection(out: Writer, info: ModuleInfo): void {
  const main = info.memories[0];
  const dirty = dirtyMemoryPages(main?.memory64 ?? false, main ? main.max : 0);
  section(out, SECTION.memory, () => {
    out.u32(2);
    if (main) out.copy(info.bytes, main.typeStart, main.typeEnd);
    else out.bytes([0x01, 0, 0]);
    out.u8(0x01);
    out.u32(dirty);
    out.u32(dirty);
  });
}

/** Original globals plus the instruction counter; returns the counter's index. */
export function writeGlobalSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined): number {
  const { count, start, end } = entries(info, ref);
  section(out, SECTION.global, () => {
    out.u32(count + 1);
    out.copy(info.bytes, start, end);
    out.bytes([I64, 0x01, 0x42, 0x00, 0x0b]); // (mut i64) (i64.const 0)
  });
  return info.globals.length;
}

export function writeExportSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, counterGlobal: number): void {
  const { count, start, end } = entries(info, ref);
  const added = addedExports(info, counterGlobal);
  section(out, SECTION.export, () => {
    out.u32(count + added.length);
    const r = new Reader(info.bytes, start, end);
    for (let i = 0; i < count; i++) {
      const nameStart = r.pos;
      r.skipName();
      out.copy(info.bytes, nameStart, r.pos);
      const kind = r.u8();
      out.u8(kind);
      out.u32(r.u32() + (kind === EXTERN.func ? INJECTED_FUNCTION_COUNT : 0));
    }
    for (const [name, kind, index] of added) {
      out.name(name);
      out.u8(kind);
      out.u32(index);
    }
  });
}

function addedExports(info: ModuleInfo, counterGlobal: number): [string, number, number][] {
  const added: [string, number, number][] = [
    [CAPSULE_EXPORTS.instructions, EXTERN.global, counterGlobal],
    [CAPSULE_EXPORTS.memory, EXTERN.memory, 0],
    [CAPSULE_EXPORTS.dirty, EXTERN.memory, 1],
  ];
  if (info.tables.length > 0) added.push([CAPSULE_EXPORTS.table, EXTERN.table, 0]);
  if (info.start !== undefined) added.push([CAPSULE_EXPORTS.start, EXTERN.func, info.start + INJECTED_FUNCTION_COUNT]);
  for (let i = 0; i < info.globals.length; i++) added.push([CAPSULE_EXPORTS.globalPrefix + i, EXTERN.global, i]);
  const firstAccessor = info.functionTypes.length + INJECTED_FUNCTION_COUNT + 1;
  v128Accessors(info.globals).forEach(({ global, kind }, i) => {
    const prefix = kind === 'get' ? CAPSULE_EXPORTS.v128GetPrefix : CAPSULE_EXPORTS.v128SetPrefix;
    added.push([prefix + global, EXTERN.func, firstAccessor + i]);
  });
  return added;
}
