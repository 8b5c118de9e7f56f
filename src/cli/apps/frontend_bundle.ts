// An application's frontend as the asset canister serves it: its static folder plus its TypeScript entry
// points bundled for the browser by esbuild (everything, @icp-sdk/core included, is served by the canister).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatalogedApp } from './catalog.ts';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

async function loadEsbuild(): Promise<Esbuild> {
  try {
    return (await import('esbuild')) as Esbuild;
  } catch {
    throw new Error('bundling an application frontend needs the `esbuild` npm package (npm i -D esbuild)');
  }
}

/** Writes the frontend into `staging` (emptied first) and returns it, ready for the asset uploader. */
export async function stageFrontend(app: CatalogedApp, staging: string): Promise<string> {
  const { frontend } = app.definition;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(app.directory, frontend.directory), staging, { recursive: true });
  const esbuild = await loadEsbuild();
  for (const [entry, servedAt] of Object.entries(frontend.bundles)) {
    const outfile = join(staging, ...servedAt.split('/').filter(Boolean));
    mkdirSync(dirname(outfile), { recursive: true });
    await esbuild.build({
      entryPoints: [join(app.directory, entry)],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    });
  }
  return staging;
}
