// The shipped asset canister (canisters/assets/*.mo), built from source with the repo's moc.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { motoko, repoRoot } from '../support/build.ts';

export const assetsSourceDir = join(repoRoot, 'canisters', 'assets');

export async function assetCanisterWasm(): Promise<Uint8Array> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(assetsSourceDir)) if (name.endsWith('.mo')) files[name] = readFileSync(join(assetsSourceDir, name), 'utf8');
  return (await motoko(files, { main: 'Main.mo' })).wasm;
}
