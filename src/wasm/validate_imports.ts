// Import section rules of the IC (replica validation.rs `validate_import_section`):
// functions only from `ic0`, only System API names, with the exact signature for the
// module's pointer width (so the legacy wasm32-only functions are unknown in wasm64
// modules); no imported globals or tags; a table or memory may be imported, but one
// called `table`/`memory` only from `env`.
import { invalidModule } from './errors.ts';
import { EXTERN, type FuncType, type ModuleInfo } from './decode.ts';
import { type Ic0Name, ic0Signature, IC0_SIGNATURES, isIc0Name } from './ic0_signatures.ts';

export type PointerWidth = 32 | 64;

/** A value type in an import signature; `I` is the pointer width. */
export type ImportValType = 'i32' | 'i64' | 'f32' | 'f64' | 'I';

/** An additional function import to accept (and leave for the embedder to provide). */
export interface ExtraImport {
  module: string;
  name: string;
  params: readonly ImportValType[];
  results: readonly ImportValType[];
}

const TYPE_CODE: Record<Exclude<ImportValType, 'I'>, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };
const TYPE_NAME: Record<number, string> = {
  0x7f: 'I32', 0x7e: 'I64', 0x7d: 'F32', 0x7c: 'F64', 0x7b: 'V128', 0x70: 'FuncRef', 0x6f: 'ExternRef',
};

/** Formats type bytes like the replica's Rust debug output: `[I32, I64]`. */
export function formatTypes(types: readonly number[]): string {
  return `[${types.map((t) => TYPE_NAME[t] ?? 'Ref').join(', ')}]`;
}

type Signatures = Map<string, Map<string, FuncType>>;

function allowedSignatures(width: PointerWidth, extra: readonly ExtraImport[]): Signatures {
  const code = (t: ImportValType): number => TYPE_CODE[t === 'I' ? (width === 64 ? 'i64' : 'i32') : t];
  const byName: Signatures = new Map();
  const add = (module: string, name: string, params: readonly ImportValType[], results: readonly ImportValType[]): void => {
    if (!byName.has(name)) byName.set(name, new Map());
    byName.get(name)!.set(module, { params: params.map(code), results: results.map(code) });
  };
  for (const name of Object.keys(IC0_SIGNATURES)) {
    const sig = ic0Signature(name, width);
    if (sig) add('ic0', name, sig.params, sig.results);
  }
  for (const e of extra) add(e.module, e.name, e.params, e.results);
  return byName;
}

/** Checks a function's type against an expected signature (also used for exports). */
export function checkSignature(expected: FuncType, field: string, actual: FuncType): void {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);
  if (!same(expected.params, actual.params)) {
    const detail = `Expected input params ${formatTypes(expected.params)} for '${field}', got ${formatTypes(actual.params)}.`;
    throw invalidModule('invalidFunctionSignature', detail);
  }
  if (!same(expected.results, actual.results)) {
    const detail = `Expected return type ${formatTypes(expected.results)} for '${field}', got ${formatTypes(actual.results)}.`;
    throw invalidModule('invalidFunctionSignature', detail);
  }
}

/** Validates the imports; returns the `ic0` function names imported, in import order. */
export function validateImports(info: ModuleInfo, width: PointerWidth, extra: readonly ExtraImport[] = []): Ic0Name[] {
  const allowed = allowedSignatures(width, extra);
  const ic0 = new Set<Ic0Name>();
  for (const imp of info.imports) {
    const fail = (detail: string): never => {
      throw invalidModule('invalidImportSection', detail);
    };
    switch (imp.kind) {
      case EXTERN.func: {
        const byModule = allowed.get(imp.name);
        if (!byModule) fail(`Module imports function '${imp.name}' from '${imp.module}' that is not exported by the runtime.`);
        const expected = byModule!.get(imp.module);
        if (!expected) {
          const modules = [...byModule!.keys()].map((m) => JSON.stringify(m)).join(', ');
          fail(`Module imports function ${JSON.stringify(imp.name)} from ${JSON.stringify(imp.module)}, expected to be imported from one of [${modules}] instead.`);
        }
        checkSignature(expected!, imp.name, info.types[imp.typeIndex]!);
        if (imp.module === 'ic0' && isIc0Name(imp.name)) ic0.add(imp.name);
        break;
      }
      case EXTERN.table:
        if (imp.name === 'table' && imp.module !== 'env') fail('Only tables imported from env.table are allowed.');
        break;
      case EXTERN.memory:
        if (imp.name === 'memory' && imp.module !== 'env') fail('Only memory imported from env.memory is allowed.');
        break;
      case EXTERN.global:
        fail('Importing globals is not allowed.');
        break;
      default:
        fail('Importing tags is not allowed.');
    }
  }
  return [...ic0];
}
