// The Candid argument of `install_code` from the library's flat options.
import { candid } from '../management/index.ts';
import { type PrincipalLike, toPrincipal } from '../state/index.ts';

export interface InstallOptions {
  canisterId: PrincipalLike;
  wasm: Uint8Array;
  arg?: Uint8Array;
  sender?: PrincipalLike;
  mode?: 'install' | 'reinstall' | 'upgrade';
  /** Default for `upgrade`: `keep` when the installed module uses enhanced orthogonal persistence. */
  wasmMemoryPersistence?: 'keep' | 'replace';
  skipPreUpgrade?: boolean;
}

const EMPTY_ARG = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

type CanisterInstallMode = candid.CanisterInstallMode;

/** Candid options are arrays of zero or one element. */
function option<T>(value: T | undefined): [] | [T] {
  return value === undefined ? [] : [value];
}

function modeOf(options: InstallOptions, installedIsEnhanced: boolean): CanisterInstallMode {
  const mode = options.mode ?? 'install';
  if (mode === 'install') return { install: null };
  if (mode === 'reinstall') return { reinstall: null };
  // IC tooling keeps the heap of an enhanced-orthogonal-persistence canister on upgrade unless told otherwise.
  const persistence = options.wasmMemoryPersistence ?? (installedIsEnhanced ? 'keep' : undefined);
  const wasmMemoryPersistence = persistence === 'keep' ? { keep: null } : persistence === 'replace' ? { replace: null } : undefined;
  return { upgrade: [{ skip_pre_upgrade: option(options.skipPreUpgrade ? true : undefined), wasm_memory_persistence: option(wasmMemoryPersistence) }] };
}

export function installCodeArg(options: InstallOptions, installedIsEnhanced: boolean): Uint8Array {
  return candid.encodeManagementArg('install_code', {
    mode: modeOf(options, installedIsEnhanced),
    canister_id: toPrincipal(options.canisterId),
    wasm_module: options.wasm,
    arg: options.arg ?? EMPTY_ARG,
    sender_canister_version: [],
  });
}
