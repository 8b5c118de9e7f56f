// Produces the instrumented module described in instrumentation_contract.ts from a
// decoded, validated module. Sections are emitted in the binary format's order; those
// instrumentation does not touch (tag, data count, data) are copied verbatim; one
// function (the write barrier's slow path) is appended after all others;
// the start section is dropped (the start function is exported instead, so that
// instantiation runs no canister code) and of the custom sections only `name` is kept
// (rewritten), so V8 stack traces name functions; the `icp:` sections live on in
// CanisterModule.customSections and other custom sections are of no use to execution.
import { SECTION, type ModuleInfo, type SectionRef } from './decode.ts';
import { CAPSULE_IMPORT_MODULE, INJECTED_FUNCTION_COUNT, INJECTED_IMPORTS } from './instrumentation_contract.ts';
import { markStoreBody } from './_inject.ts';
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

function writeCodeSection(out: Writer, info: ModuleInfo, ref: SectionRef | undefined, memory64: boolean, counter: number): void {
  const r = new Reader(info.bytes, ref?.start ?? 0, ref?.end ?? 0);
  const rewriter = new CodeRewriter(info.bytes, memory64, counter, markStoreIndex(info));
  out.u8(SECTION.code);
  const mark = out.beginSized();
  const count = ref ? r.u32() : 0;
  out.u32(count + 1);
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.pos;
    const index = info.importedFunctionCount + i;
    const params = info.types[info.functionTypes[index]!]!.params.length;
    rewriter.rewrite(out, start, start + size, index, params);
    r.pos = start + size;
  }
  r.check();
  const helper = markStoreBody(memory64);
  out.u32(helper.length);
  out.bytes(helper);
  out.endSized(mark);
}
