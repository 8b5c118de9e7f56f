// Why a canister module is refused. Messages follow the DFINITY replica's wording
// (rs/types/wasm_types `WasmValidationError` Display and rs/embedders validation.rs)
// so that tools and tests written against the IC read the same text here.

/** The replica's validation error variants, in camelCase, plus two Capsule-specific ones. */
export type InvalidModuleKind =
  | 'decodingError'
  | 'wasmValidation'
  | 'invalidFunctionSignature'
  | 'invalidImportSection'
  | 'invalidExportSection'
  | 'duplicateExport'
  | 'tooManyExports'
  | 'exportedNamesTooLong'
  | 'invalidDataSection'
  | 'invalidCustomSection'
  | 'invalidGlobalSection'
  | 'invalidTableSection'
  | 'invalidMemorySection'
  | 'tooManyGlobals'
  | 'tooManyFunctions'
  | 'tooManyCustomSections'
  | 'functionComplexityTooHigh'
  | 'unsupportedWasmInstruction'
  | 'functionTooLarge'
  | 'functionNameTooLarge'
  | 'codeSectionTooLarge'
  | 'moduleTooLarge'
  | 'initialWasm64MemoryTooLarge';

// The replica prefixes the free-text variants with a fixed sentence; the structured
// variants (too many X, duplicate export, ...) are complete sentences on their own.
const PREFIX: Partial<Record<InvalidModuleKind, string>> = {
  decodingError: 'Failed to decode wasm module: ',
  wasmValidation: 'Failed to validate wasm module: ',
  invalidFunctionSignature: 'Wasm module has an invalid function signature. ',
  invalidImportSection: 'Wasm module has an invalid import section. ',
  invalidExportSection: 'Wasm module has an invalid export section. ',
  invalidDataSection: 'Wasm module has an invalid data section. ',
  invalidCustomSection: 'Wasm module has an invalid custom section. ',
  invalidGlobalSection: 'Wasm module has an invalid global section. ',
  invalidTableSection: 'Wasm module has an invalid table section. ',
  invalidMemorySection: 'Wasm module has an invalid memory section. ',
};

/**
 * A canister module that the IC would refuse to install (install_code rejects it with
 * CANISTER_ERROR, reject code 5). `kind` lets callers tell the reasons apart.
 */
export class InvalidModuleError extends Error {
  override name = 'InvalidModuleError';
  readonly kind: InvalidModuleKind;

  constructor(kind: InvalidModuleKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Builds an InvalidModuleError, adding the replica's prefix for free-text variants. */
export function invalidModule(kind: InvalidModuleKind, detail: string): InvalidModuleError {
  return new InvalidModuleError(kind, (PREFIX[kind] ?? '') + detail);
}

/** Truncated or malformed binary: the decoder ran past the end of what it was reading. */
export function malformed(what: string): InvalidModuleError {
  return invalidModule('decodingError', what);
}

const MAX_FUNCTION_INSTRUCTIONS = 1_000_000;
const MAX_FUNCTION_COMPLEXITY = 1_000_000;

/** The replica's per-function limits on instructions and complexity (as the instrumentation counts them). */
export function checkFunctionLimits(funcIndex: number, instructions: number, complexity: number): void {
  if (complexity > MAX_FUNCTION_COMPLEXITY) {
    throw invalidModule('functionComplexityTooHigh', `Wasm module contains a function at index ${funcIndex} with complexity ${complexity} which exceeds the maximum complexity allowed ${MAX_FUNCTION_COMPLEXITY}.`);
  }
  if (instructions > MAX_FUNCTION_INSTRUCTIONS) {
    throw invalidModule('functionTooLarge', `Wasm module contains a function at index ${funcIndex} of size ${instructions} that exceeds the maximum allowed size of ${MAX_FUNCTION_INSTRUCTIONS}.`);
  }
}
