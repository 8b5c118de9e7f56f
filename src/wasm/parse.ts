// parseCanisterModule: from uploaded bytes to a validated, instrumented CanisterModule.
// Order follows the replica's validate_wasm_binary: decode (gzip, size), general wasm
// validity (V8 here, wasmtime there), imports, exports, tables, data, globals,
// functions, memory, code (while instrumenting), custom sections.
import { createHash } from 'node:crypto';
import { enableBranchHints } from './_branch_hints.ts';
import { invalidModule } from './errors.ts';
import { decodeModule } from './decode.ts';
import { decodeWasm } from './decode_wasm.ts';
import { instrument } from './instrument.ts';
import type { Ic0Name } from './ic0_signatures.ts';
import { validateCustomSections, type CustomSection } from './validate_custom_sections.ts';
import { validateExports, type SystemMethod } from './validate_exports.ts';
import { validateImports, type ExtraImport, type PointerWidth } from './validate_imports.ts';
import { pointerWidth, validateStructure } from './validate_module.ts';

export interface CanisterModule {
  /** As uploaded (maybe gzip). */
  bytes: Uint8Array;
  /** The decompressed wasm. */
  wasm: Uint8Array;
  /** SHA-256 of `bytes` (as uploaded): the IC's module_hash. */
  moduleHash: Uint8Array;
  /** 64 iff the (single) memory is a memory64. */
  pointerWidth: PointerWidth;
  /** Names of the `ic0` functions imported, in import order, without duplicates. */
  ic0Imports: Ic0Name[];
  updateMethods: string[];
  queryMethods: string[];
  compositeQueryMethods: string[];
  systemMethods: Set<SystemMethod>;
  /** `icp:public X` / `icp:private X` sections, keyed by X. */
  customSections: Map<string, CustomSection>;
  /** Has `icp:private enhanced-orthogonal-persistence` (Motoko EOP: keep main memory on upgrade). */
  enhancedOrthogonalPersistence: boolean;
  hasStart: boolean;
  /** From the name section, by original function index. */
  functionNames: Map<number, string>;
  /** Every global of the module by original index (exported as `__capsule_global_<i>`). */
  globals: { type: 'i32' | 'i64' | 'f32' | 'f64' | 'v128'; mutable: boolean }[];
  /** The main memory's declared limits in 64 KiB pages; undefined if the module has no memory. */
  memory: { minPages: number; maxPages: number | undefined } | undefined;
  /** The rewritten module (see instrumentation_contract.ts), ready for `new WebAssembly.Module`. */
  instrumented: Uint8Array<ArrayBuffer>;
}

export interface ParseOptions {
  /** Function imports to accept besides `ic0` (the embedder must provide them). */
  extraImports?: readonly ExtraImport[];
}

const GLOBAL_TYPE = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' } as const;

/**
 * Modules parsed lately, least recently used first, by SHA-256 of their bytes: canisters installed with the
 * same module share one CanisterModule (it is never changed), so each does not keep its own copies.
 */
const parsed = new Map<string, CanisterModule>();
const MAX_PARSED = 64;

/** Validates a canister module against the IC's rules and instruments it. Throws InvalidModuleError. */
export function parseCanisterModule(bytes: Uint8Array, options: ParseOptions = {}): CanisterModule {
  const moduleHash = new Uint8Array(createHash('sha256').update(bytes).digest());
  if (options.extraImports) return parseUncached(bytes, moduleHash, options);
  const key = Buffer.from(moduleHash).toString('hex');
  const module = parsed.get(key) ?? parseUncached(bytes, moduleHash, options);
  parsed.delete(key);
  if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, module);
  return module;
}

function parseUncached(bytes: Uint8Array, moduleHash: Uint8Array, options: ParseOptions): CanisterModule {
  const wasm = decodeWasm(bytes);
  checkWasmValidity(wasm);
  const info = decodeModule(wasm);
  const width = pointerWidth(info);
  const ic0Imports = validateImports(info, width, options.extraImports);
  const methods = validateExports(info);
  validateStructure(info, width);
  const instrumented = instrument(info);
  enableBranchHints();
  const customSections = validateCustomSections(info);
  const memory = info.memories[0];
  return {
    bytes,
    wasm,
    moduleHash,
    pointerWidth: width,
    ic0Imports,
    ...methods,
    customSections,
    enhancedOrthogonalPersistence: customSections.get('enhanced-orthogonal-persistence')?.visibility === 'private',
    hasStart: info.start !== undefined,
    functionNames: info.functionNames,
    globals: info.globals.map((g) => ({ type: GLOBAL_TYPE[g.type as keyof typeof GLOBAL_TYPE], mutable: g.mutable })),
    memory: memory && { minPages: memory.min, maxPages: memory.max },
    instrumented,
  };
}

/** V8 validates the general wasm rules; only on failure is the module compiled to get a reason. */
function checkWasmValidity(bytes: Uint8Array): void {
  const wasm = bytes as Uint8Array<ArrayBuffer>;
  if (WebAssembly.validate(wasm)) return;
  let reason = 'invalid module';
  try {
    new WebAssembly.Module(wasm);
  } catch (e) {
    reason = (e as Error).message.replace(/^WebAssembly\.Module\(\): /, '');
  }
  throw invalidModule('wasmValidation', reason);
}
