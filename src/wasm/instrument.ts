// Produces the instrumented module described in instrumentation_contract.ts from a
// decoded, validated module. Sections are emitted in the binary format's order; those
// instrumentation does not touch (tag, data count, data) are copied verbatim; the write
// barrier's slow path and the v128 globals' accessors are appended after all functions;
// the start section is dropped (the start function is exported instead, so that
// instantiation runs no canister code) and of the custom sections only `name` is kept
// (rewritten), so V8 stack traces name functions; the `icp:` sections live on in
// CanisterModule.customSections and other custom sections are of no use to execution. A
// `metadata.code.branch_hint` section before the code marks the injected slow paths unlikely.
import { SECTION, type ModuleInfo, type SectionRef } from './decode.ts';
import { CAPSULE_IMPORT_MODULE, INJECTED_FUNCTION_COUNT, INJECTED_IMPORTS, v128Accessors } from './instrumentation_contract.ts';
import { writeBranchHintSection } from './_branch_hints.ts';
import { markStoreBody } from './_inject.ts';
import { planCallFolding, type FunctionSurvey } from './_call_folding.ts';
import { CodeRewriter } from './_rewrite_code.ts';
import { writeElementSection } from './_rewrite_elements.ts';
import {
  writeExportSection, writeFunctionSection, writeGlobalSection, writeImportSection, writeMemorySection,
  writeTableSection, writeTypeSection,
} from './_rewrite_sections.ts';
import { writeNameSection } from './_names.ts';
import { Reader } from './_reader.ts';
import { Writer } from './_writer.ts';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Rewrites the module; throws InvalidModuleError for per-function limits and unsupported instructions. */
export function instrument(info: ModuleInfo): Uint8Array<ArrayBuffer> {
  const out = new Writer(Math.ceil(info.bytes.length * 1.5) + 4096);
  out.bytes(HEADER);
  const byId = new Map<number, SectionRef>();
  for (const s of info.sections) if (s.id !== SECTION.custom) byId.set(s.id, s);
  const memory64 = info.memories[0]?.memory64 ?? false;

  const firstType = writeTypeSection(out, info, byId.get(SECTION.type), memory64);
  writeImportSection(out, info, firstType);
  writeFunctionSection(out, info, byId.get(SECTION.function), firstType + INJECTED_FUNCTION_COUNT);
  if (info.tables.length > 0) writeTableSection(out, info);
  writeMemorySection(out, info);
  verbatim(out, info, byId.get(SECTION.tag));
  const counter = writeGlobalSection(out, info, byId.get(SECTION.global));
  writeExportSection(out, info, byId.get(SECTION.export), counter);
  const element = byId.get(SECTION.element);
  if (element) writeElementSection(out, info.bytes, element);
  verbatim(out, info, byId.get(SECTION.dataCount));
  writeCodeSection(out, info, byId.get(SECTION.code), memory64, counter);
  verbatim(out, info, byId.get(SECTION.data));

  const names = info.customSections.find((c) => c.name === 'name');
  const injectedNames = INJECTED_IMPORTS.map((n) => `${CAPSULE_IMPORT_MODULE}.${n}`);
  const helper: [number, string] = [markStoreIndex(info), MARK_STORE_NAME];
  if (names) writeNameSection(out, info.bytes, names.start, names.end, injectedNames, helper);
  return out.finish();
}

function verbatim(out: Writer, info: ModuleInfo, ref: SectionRef | undefined): void {
  if (!ref) return;
  out.u8(ref.id);
  out.u32(ref.end - ref.start);
  out.copy(info.bytes, ref.start, ref.end);
}

const MARK_STORE_NAME = '__capsule_mark_store';

/** The mark-store helper is appended after every original function. */
function markStoreIndex(info: ModuleInfo): number {
  return info.functionTypes.length + INJECTED_FUNCTION_COUNT;
}

/** Writes the code section, preceded by the branch hints for its slow paths (known once it is written). */
function writeCodeSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, memory64: boolean, counter: number): void {
  const code = new Writer(ref ? Math.ceil((ref.end - ref.start) * 1.5) + 4096 : 4096);
  const hints = writeCode(code, info, ref, memory64, counter);
  writeBranchHintSection(out, hints);
  out.copy(code.buf, 0, code.pos);
}

function writeCode(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, memory64: boolean, counter: number): [number, number[]][] {
  const rewriter = new CodeRewriter(info.bytes, memory64, counter, markStoreIndex(info));
  // A first pass without folding surveys every function; the second folds calls by the plan.
  const surveys: FunctionSurvey[] = [];
  const scratch = new Writer(1 << 16);
  eachBody(info, ref, (index, start, end, params) => {
    scratch.pos = 0;
    rewriter.rewrite(scratch, start, end, index, params);
    surveys.push(rewriter.survey());
  });
  rewriter.fold(planCallFolding(info, surveys));
  const hints: [number, number[]][] = [];
  out.u8(SECTION.code);
  const mark = out.beginSized();
  const accessors = v128Accessors(info.globals);
  out.u32(surveys.length + 1 + accessors.length);
  eachBody(info, ref, (index, start, end, params) => {
    const slowPaths = rewriter.rewrite(out, start, end, index, params);
    if (slowPaths.length > 0) hints.push([index + INJECTED_FUNCTION_COUNT, slowPaths]);
  });
  const helper = markStoreBody(memory64);
  out.u32(helper.length);
  out.bytes(helper);
  for (const { global, kind } of accessors) {
    const body = kind === 'get' ? v128GetterBody(global) : v128SetterBody(global);
    out.u32(body.length);
    out.bytes(body);
  }
  out.endSized(mark);
  return hints;
}

/** Calls `each` with every function body's index, byte range and parameter count, in order. */
function eachBody(info: ModuleInfo, ref: SectionRef | undefined, each: (index: number, start: number, end: number, params: number) => void): void {
  const r = new Reader(info.bytes, ref?.start ?? 0, ref?.end ?? 0);
  const count = ref ? r.u32() : 0;
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.pos;
    const index = info.importedFunctionCount + i;
    each(index, start, start + size, info.types[info.functionTypes[index]!]!.params.length);
    r.pos = start + size;
  }
  r.check();
}

function leb(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return bytes;
}

/** `() -> (i64, i64)`: the global's two 64-bit lanes, low first. */
function v128GetterBody(global: number): number[] {
  const get = [0x23, ...leb(global)];
  return [0, ...get, 0xfd, 0x1d, 0, ...get, 0xfd, 0x1d, 1, 0x0b]; // i64x2.extract_lane 0 / 1
}

/** `(i64, i64) -> ()`: sets the global from its two 64-bit lanes, low first. */
function v128SetterBody(global: number): number[] {
  // i64x2.splat low; i64x2.replace_lane 1 high; global.set
  return [0, 0x20, 0, 0xfd, 0x12, 0x20, 1, 0xfd, 0x1e, 1, 0x24, ...leb(global), 0x0b];
}
