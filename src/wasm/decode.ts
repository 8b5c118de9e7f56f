// Structural decoding of a wasm module: section boundaries plus the parts validation and
// instrumentation need (types, imports, tables, memories, globals, exports, start).
// Function bodies, element and data segments are only located here; their contents are
// walked later by whoever needs them. General wasm validity is V8's job
// (WebAssembly.validate runs first), so this decoder only guards against running off
// the end and against constructs Capsule does not support.
import { invalidModule, malformed } from './errors.ts';
import { Reader } from './_reader.ts';
import { readFunctionNames } from './_names.ts';

export const SECTION = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7,
  start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13,
} as const;

export const EXTERN = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

/** A section's content range (after the id and size). */
export interface SectionRef { id: number; start: number; end: number }
export interface CustomSectionRef { name: string; start: number; end: number }
/** Value types are their type byte; `(ref null? ht)` is 0x63/0x64. */
export interface FuncType { params: number[]; results: number[] }

export interface Limits {
  memory64: boolean;
  shared: boolean;
  min: number;
  max: number | undefined;
}

/** A table or memory; `typeStart..typeEnd` is its encoded type, copied when instrumenting. */
export interface TableOrMemory extends Limits {
  imported: boolean;
  /** Tables only: element type byte (0x70 funcref, 0x6F externref, 0x63/0x64 typed refs). */
  refType: number;
  /** Tables only: heap type of a typed reference, if any. */
  heapType: number | undefined;
  typeStart: number;
  typeEnd: number;
  /** Tables only: start of the initializer expression (typed function references), if any. */
  initStart: number | undefined;
}

export interface ImportEntry {
  module: string;
  name: string;
  kind: number;
  /** Functions: type index. */
  typeIndex: number;
  start: number;
  end: number;
}

export interface GlobalInfo { type: number; mutable: boolean; imported: boolean }
export interface ExportEntry { name: string; kind: number; index: number }

export interface ModuleInfo {
  bytes: Uint8Array;
  /** Every section in file order, custom ones included. */
  sections: SectionRef[];
  customSections: CustomSectionRef[];
  types: FuncType[];
  imports: ImportEntry[];
  importedFunctionCount: number;
  /** Type index of every function, imported ones first (the function index space). */
  functionTypes: number[];
  tables: TableOrMemory[];
  memories: TableOrMemory[];
  globals: GlobalInfo[];
  exports: ExportEntry[];
  start: number | undefined;
  /** Function names from the `name` section, by (original) function index. */
  functionNames: Map<number, string>;
}

/** Decodes the module's structure. `bytes` must start with the wasm magic and version. */
export function decodeModule(bytes: Uint8Array): ModuleInfo {
  const info: ModuleInfo = {
    bytes, sections: [], customSections: [], types: [], imports: [], importedFunctionCount: 0,
    functionTypes: [], tables: [], memories: [], globals: [], exports: [], start: undefined,
    functionNames: new Map(),
  };
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const section: SectionRef = { id, start: r.pos, end: r.pos + size };
    if (section.end > bytes.length) throw malformed(`section ${id} extends past the end of the module`);
    info.sections.push(section);
    decodeSection(info, new Reader(bytes, section.start, section.end), id);
    r.pos = section.end;
  }
  return info;
}

function decodeSection(info: ModuleInfo, r: Reader, id: number): void {
  switch (id) {
    case SECTION.custom: return decodeCustom(info, r);
    case SECTION.type: return vec(r, () => info.types.push(decodeFuncType(r)));
    case SECTION.import: return vec(r, () => decodeImport(info, r));
    case SECTION.function: return vec(r, () => info.functionTypes.push(r.u32()));
    case SECTION.table: return vec(r, () => info.tables.push(decodeTable(r, false)));
    case SECTION.memory: return vec(r, () => info.memories.push(decodeMemory(r, false)));
    case SECTION.global: return vec(r, () => info.globals.push(decodeGlobal(r)));
    case SECTION.export: return vec(r, () => info.exports.push({ name: r.name(), kind: r.u8(), index: r.u32() }));
    case SECTION.start: info.start = r.u32(); return;
    default: return; // element, code, data, data count, tag: walked later or copied verbatim
  }
}

function vec(r: Reader, each: () => void): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) each();
  if (r.pos !== r.end) throw malformed('section size does not match its contents');
}

function decodeCustom(info: ModuleInfo, r: Reader): void {
  const name = r.name();
  info.customSections.push({ name, start: r.pos, end: r.end });
  if (name === 'name') info.functionNames = readFunctionNames(r.buf, r.pos, r.end);
}

function decodeFuncType(r: Reader): FuncType {
  const form = r.u8();
  if (form !== 0x60) {
    // 0x4E rec, 0x50/0x4F sub, 0x5F struct, 0x5E array: the GC proposal, disabled on the IC.
    throw invalidModule('wasmValidation', `type form 0x${form.toString(16)} (GC types) is not supported`);
  }
  const params: number[] = [];
  const results: number[] = [];
  vecNoEnd(r, () => params.push(r.valType()));
  vecNoEnd(r, () => results.push(r.valType()));
  return { params, results };
}

function vecNoEnd(r: Reader, each: () => void): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) each();
}

function decodeImport(info: ModuleInfo, r: Reader): void {
  const start = r.pos;
  const module = r.name();
  const name = r.name();
  const kind = r.u8();
  let typeIndex = 0;
  switch (kind) {
    case EXTERN.func: typeIndex = r.u32(); info.functionTypes.push(typeIndex); info.importedFunctionCount++; break;
    case EXTERN.table: info.tables.push(decodeTable(r, true)); break;
    case EXTERN.memory: info.memories.push(decodeMemory(r, true)); break;
    case EXTERN.global: info.globals.push({ ...decodeGlobalType(r), imported: true }); break;
    case EXTERN.tag: r.u8(); r.u32(); break;
    default: throw malformed(`unknown import kind ${kind}`);
  }
  info.imports.push({ module, name, kind, typeIndex, start, end: r.pos });
}

function decodeLimits(r: Reader): Limits {
  const flags = r.u8();
  if (flags > 0x07) throw invalidModule('invalidMemorySection', `unsupported limits flags 0x${flags.toString(16)}`);
  const memory64 = (flags & 0x04) !== 0;
  const min = Number(r.u64());
  const max = flags & 0x01 ? Number(r.u64()) : undefined;
  return { memory64, shared: (flags & 0x02) !== 0, min, max };
}

function decodeMemory(r: Reader, imported: boolean): TableOrMemory {
  const typeStart = r.pos;
  const limits = decodeLimits(r);
  return { ...limits, imported, refType: 0, heapType: undefined, typeStart, typeEnd: r.pos, initStart: undefined };
}

function decodeTable(r: Reader, imported: boolean): TableOrMemory {
  const typeStart = r.pos;
  // 0x40 0x00 introduces a table with an explicit initializer (typed function references).
  const withInit = r.buf[r.pos] === 0x40;
  if (withInit) r.pos += 2;
  const refType = r.u8();
  const heapType = refType === 0x63 || refType === 0x64 ? r.u32() : undefined;
  const limits = decodeLimits(r);
  const initStart = withInit ? r.pos : undefined;
  if (withInit) skipConstExpr(r);
  return { ...limits, imported, refType, heapType, typeStart, typeEnd: r.pos, initStart };
}

function decodeGlobalType(r: Reader): { type: number; mutable: boolean } {
  const type = r.valType();
  return { type, mutable: r.u8() === 1 };
}

function decodeGlobal(r: Reader): GlobalInfo {
  const type = decodeGlobalType(r);
  skipConstExpr(r);
  return { ...type, imported: false };
}

/** Skips a constant expression up to and including its `end`. */
export function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    skipConstImmediates(r, op);
  }
}

/** Skips the immediates of one constant-expression instruction (MVP, references, extended-const, v128). */
export function skipConstImmediates(r: Reader, op: number): void {
  switch (op) {
    case 0x41: case 0x42: case 0x23: case 0xd2: case 0xd0: r.skipLeb(); break;
    case 0x43: r.pos += 4; break;
    case 0x44: r.pos += 8; break;
    case 0xfd: r.skipLeb(); r.pos += 16; break; // v128.const
    default:
      if ((op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e)) break; // extended-const add/sub/mul
      throw malformed(`unsupported instruction 0x${op.toString(16)} in a constant expression`);
  }
  r.check();
}
