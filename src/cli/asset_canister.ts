// The asset canister's module, built from its shipped Motoko source (canisters/assets) and cached by
// source hash, so a deploy compiles it once.
import { fileURLToPath } from 'node:url';
import { buildMotoko, type MotokoJob, moduleCacheFile, readMotokoSources } from './motoko/index.ts';

export const assetCanisterSourceDir: string = fileURLToPath(new URL('../../canisters/assets/', import.meta.url));

function job(): MotokoJob {
  return { files: readMotokoSources(assetCanisterSourceDir), main: 'Main.mo', persistence: 'enhanced' };
}

/** Where the module built from these sources with this compiler is cached (by source hash). */
export function assetCanisterCacheFile(): string {
  return moduleCacheFile(job());
}

/** The module's bytes: from the cache, or compiled now on a worker thread (moc.js needs up to half a minute). */
export function assetCanisterModule(log: (line: string) => void = () => {}): Promise<Uint8Array> {
  return buildMotoko('assets', job(), log);
}
