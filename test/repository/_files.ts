// The repository's own files, for tests that read the source tree as text.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Paths (relative to the root, `/`-separated) of the text files under `folder`, dependencies and build caches left out. */
export function filesUnder(folder: string, extensions: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name === '.cache' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.some((extension) => name.endsWith(extension))) found.push(relative(ROOT, path).split('\\').join('/'));
    }
  };
  walk(join(ROOT, folder));
  return found;
}

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}
