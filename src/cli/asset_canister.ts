// The asset canister's module, built from its shipped Motoko source (canisters/assets) and cached by
// source hash, so a deploy compiles it once.
import { fileURLToPath } from 'node:url';
import { buildMotoko, buildMotokoSync, type MotokoJob, moduleCacheFile, readMotokoSources } from './motoko/index.ts';

export const assetCanisterSourceDir: string = fileURLToPath(new URL('../../canisters/assets/', import.meta.url));

function job(): MotokoJob {
  return { files: readMotokoSources(assetCanisterSourceDir), main: 'Main.mo', persistence: 'enhanced' };
}

/** Where the module built from these sources with this compiler is cached (by source hash). */
export function assetCanisterCacheFile(): string {
  return moduleCacheFile(job());
}

/** The module's bytes: from the cache, or compiled now (moc.js needs about half a minute). */
export function assetCanisterWasm(log: (line: string) => void = () => {}): Uint8Array {
  return buildMotokoSync('assets', job(), log);
}

/** The same, compiled on a worker thread when it is not cached. */
export function assetCanisterModule(log: (line: string) => void = () => {}): Promise<Uint8Array> {
  return buildMotoko('assets', job(), log);
}
