// Export section rules of the IC (replica validation.rs `validate_export_section`):
// reserved names, the `canister_` prefix, `() -> ()` entry points, one kind per method
// name, and the limits on exported methods. Also yields the canister's method lists.
import { invalidModule } from './errors.ts';
import { EXTERN, type FuncType, type ModuleInfo } from './decode.ts';
import { checkSignature } from './validate_imports.ts';

export type SystemMethod =
  | 'canister_init'
  | 'canister_pre_upgrade'
  | 'canister_post_upgrade'
  | 'canister_inspect_message'
  | 'canister_heartbeat'
  | 'canister_global_timer'
  | 'canister_on_low_wasm_memory';

const SYSTEM_METHODS: readonly SystemMethod[] = [
  'canister_init', 'canister_pre_upgrade', 'canister_post_upgrade', 'canister_inspect_message',
  'canister_heartbeat', 'canister_global_timer', 'canister_on_low_wasm_memory',
];

/** Names the replica reserves for its own instrumentation, plus Capsule's (`__capsule_*`). */
const RESERVED = new Set([
  'canister counter_instructions', 'canister_start', 'canister counter_dirty_pages',
  'canister counter_accessed_pages', 'stable_memory', 'stable_bytemap_memory',
]);
export const CAPSULE_EXPORT_PREFIX = '__capsule_';

export const MAX_EXPORTED_METHODS = 1000;
export const MAX_SUM_EXPORTED_NAME_LENGTHS = 20_000;

export interface MethodLists {
  updateMethods: string[];
  queryMethods: string[];
  compositeQueryMethods: string[];
  systemMethods: Set<SystemMethod>;
}

const KINDS = [
  ['canister_update ', 'updateMethods'],
  ['canister_query ', 'queryMethods'],
  ['canister_composite_query ', 'compositeQueryMethods'],
] as const;

const UNIT: FuncType = { params: [], results: [] };
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** The type of function `index` (imported or defined). */
export function functionType(info: ModuleInfo, index: number): FuncType {
  return info.types[info.functionTypes[index]!]!;
}

export function validateExports(info: ModuleInfo): MethodLists {
  const lists: MethodLists = { updateMethods: [], queryMethods: [], compositeQueryMethods: [], systemMethods: new Set() };
  const seen = new Set<string>();
  let sumLengths = 0;
  for (const exp of info.exports) {
    if (RESERVED.has(exp.name) || exp.name.startsWith(CAPSULE_EXPORT_PREFIX)) {
      throw invalidModule('invalidExportSection', `Exporting reserved symbol ${exp.name} not allowed.`);
    }
    if (exp.kind !== EXTERN.func) continue;
    const kind = KINDS.find(([prefix]) => exp.name.startsWith(prefix));
    if (kind) {
      const method = exp.name.slice(kind[0].length);
      if (seen.has(method)) {
        throw invalidModule('duplicateExport', `Duplicate function '${method}' exported multiple times with different call types: update, query, or composite_query.`);
      }
      seen.add(method);
      sumLengths += utf8Length(method);
      lists[kind[1]].push(method);
    } else if (exp.name.startsWith('canister_')) {
      if (!SYSTEM_METHODS.includes(exp.name as SystemMethod)) {
        throw invalidModule('invalidExportSection', `Exporting reserved function '${exp.name}' with "canister_" prefix`);
      }
      lists.systemMethods.add(exp.name as SystemMethod);
    } else continue;
    checkSignature(UNIT, exp.name, functionType(info, exp.index));
  }
  checkLimits(seen.size, sumLengths);
  return lists;
}

function checkLimits(count: number, sumLengths: number): void {
  const methods = '`canister_update <name>`, `canister_query <name>`, or `canister_composite_query <name>`';
  if (count > MAX_EXPORTED_METHODS) {
    throw invalidModule('tooManyExports', `The number of exported functions called ${methods} is ${count} which exceeds ${MAX_EXPORTED_METHODS}.`);
  }
  if (sumLengths > MAX_SUM_EXPORTED_NAME_LENGTHS) {
    throw invalidModule('exportedNamesTooLong', `The sum of \`<name>\` lengths in exported functions called ${methods} is ${sumLengths} which exceeds the allowed limit of ${MAX_SUM_EXPORTED_NAME_LENGTHS}.`);
  }
}
