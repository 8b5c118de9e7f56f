// The wasm layer: decode, validate (the IC's canister-module rules) and instrument
// canister modules. Other layers import only from this file.
export type { PointerWidth, ExtraImport, ImportValType } from './validate_imports.ts';
export type { SystemMethod } from './validate_exports.ts';
export type { CustomSection } from './validate_custom_sections.ts';
export { parseCanisterModule, type CanisterModule, type ParseOptions } from './parse.ts';
export { InvalidModuleError, type InvalidModuleKind } from './errors.ts';
export { IC0_SIGNATURES, IC0_SPECS, ic0Signature, type Ic0Name, type Ic0Signature, type Ic0Spec, type Ic0Specs, type Ic0ValType, isIc0Name } from './ic0_signatures.ts';
export {
  CAPSULE_EXPORTS,
  CAPSULE_IMPORT_MODULE,
  DIRTY_PAGE_SIZE,
  INJECTED,
  INJECTED_FUNCTION_COUNT,
  INJECTED_IMPORTS,
} from './instrumentation_contract.ts';
export { MAX_WASM_MODULE_SIZE } from './decode_wasm.ts';
export { enableV8Flag } from './v8_flags.ts';
