// The IC's structural limits beyond imports, exports and custom sections (replica
// validation.rs): at most one memory, funcref tables, numeric globals (at most 1,000),
// at most 50,000 functions, constant data-segment offsets, the code-section size and the
// initial size of a wasm64 memory. Per-function limits (size, complexity, unsupported
// table instructions) are checked while instrumenting, which walks every body anyway.
import { invalidModule } from './errors.ts';
import { SECTION, type ModuleInfo } from './decode.ts';
import { Reader } from './_reader.ts';
import type { PointerWidth } from './validate_imports.ts';

export const MAX_FUNCTIONS = 50_000;
export const MAX_GLOBALS = 1_000;
export const MAX_CODE_SECTION_SIZE = 10 * 1024 * 1024;
export const MAX_FUNCTION_NAME_LENGTH = 1024 * 1024;
/** Wasm64 heap limit of the replica (6 GiB) in 64 KiB pages. */
export const MAX_WASM64_INITIAL_PAGES = (6 * 1024 * 1024 * 1024) / 65536;

const GLOBAL_TYPES = new Map([[0x7f, 'I32'], [0x7e, 'I64'], [0x7d, 'F32'], [0x7c, 'F64'], [0x7b, 'V128']]);

/** 64 iff the module's (single) memory is a memory64; a module without memory is 32. */
export function pointerWidth(info: ModuleInfo): PointerWidth {
  return info.memories[0]?.memory64 ? 64 : 32;
}

export function validateStructure(info: ModuleInfo, width: PointerWidth): void {
  validateMemories(info);
  validateTables(info);
  validateData(info, width);
  validateGlobals(info);
  validateFunctions(info);
  validateCodeSectionSize(info);
}

function validateMemories(info: ModuleInfo): void {
  const count = info.memories.length;
  if (count > 1) throw invalidModule('invalidMemorySection', `Wasm module has ${count} memories but at most 1 is allowed.`);
  const memory = info.memories[0];
  if (memory?.shared) throw invalidModule('invalidMemorySection', 'Shared memories are not supported.');
  if (memory?.memory64 && memory.min > MAX_WASM64_INITIAL_PAGES) {
    throw invalidModule('initialWasm64MemoryTooLarge', `Wasm module declares an initial wasm64 memory of ${memory.min} pages which exceeds the maximum allowed ${MAX_WASM64_INITIAL_PAGES} pages.`);
  }
}

function validateTables(info: ModuleInfo): void {
  for (const table of info.tables) {
    const funcref = table.refType === 0x70 || (table.refType === 0x63 && table.heapType === 0x70);
    if (!funcref) {
      const got = table.refType === 0x6f ? 'externref' : `reference type 0x${table.refType.toString(16)}`;
      throw invalidModule('invalidTableSection', `Table element type must be funcref, got ${got}`);
    }
  }
}

function validateGlobals(info: ModuleInfo): void {
  if (info.globals.length > MAX_GLOBALS) {
    throw invalidModule('tooManyGlobals', `Wasm module defined ${info.globals.length} globals which exceeds the maximum number allowed ${MAX_GLOBALS}.`);
  }
  for (const global of info.globals) {
    if (!GLOBAL_TYPES.has(global.type)) {
      const name = global.type === 0x70 ? 'FuncRef' : global.type === 0x6f ? 'ExternRef' : `0x${global.type.toString(16)}`;
      throw invalidModule('invalidGlobalSection', `Unsupported global type: ${name}`);
    }
  }
}

function validateFunctions(info: ModuleInfo): void {
  const defined = info.functionTypes.length - info.importedFunctionCount;
  if (defined > MAX_FUNCTIONS) {
    throw invalidModule('tooManyFunctions', `Wasm module defined ${defined} functions which exceeds the maximum number allowed ${MAX_FUNCTIONS}.`);
  }
  for (const [index, name] of info.functionNames) {
    const size = new TextEncoder().encode(name).length;
    if (index >= info.importedFunctionCount && size > MAX_FUNCTION_NAME_LENGTH) {
      throw invalidModule('functionNameTooLarge', `Wasm module contains a function at index ${index} with a name of size ${size} which exceeds the maximum allowed size of ${MAX_FUNCTION_NAME_LENGTH} (name: ${name.slice(0, 100)}...).`);
    }
  }
}

function validateCodeSectionSize(info: ModuleInfo): void {
  const code = info.sections.find((s) => s.id === SECTION.code);
  const size = code ? code.end - code.start : 0;
  if (size > MAX_CODE_SECTION_SIZE) {
    throw invalidModule('codeSectionTooLarge', `Wasm module code section size of ${size} exceeds the maximum allowed size of ${MAX_CODE_SECTION_SIZE}.`);
  }
}

/**
 * Active data segments must have a single constant offset (`i32.const` for wasm32,
 * `i64.const` for wasm64): the replica relies on it for orthogonal persistence.
 */
function validateData(info: ModuleInfo, width: PointerWidth): void {
  const data = info.sections.find((s) => s.id === SECTION.data);
  if (!data) return;
  const r = new Reader(info.bytes, data.start, data.end);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags !== 1) {
      if (flags === 2) r.u32();
      const op = r.u8();
      r.skipLeb();
      const end = r.u8();
      if (op !== (width === 64 ? 0x42 : 0x41) || end !== 0x0b) {
        const detail = `Invalid offset expression in data segment for ${width}bit memory: segment ${i} does not start at a single ${width === 64 ? 'i64' : 'i32'}.const`;
        throw invalidModule('invalidDataSection', detail);
      }
    }
    const len = r.u32();
    r.pos += len;
    r.check();
  }
}
