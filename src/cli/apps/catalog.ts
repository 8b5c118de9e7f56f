// The applications shipped under apps/: each folder with an app.ts exporting `app` (an AppDefinition).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppDefinition } from './app_definition.ts';

/** The applications shipped with Capsule. */
export const appsDirectory: string = fileURLToPath(new URL('../../../apps/', import.meta.url));

/** An application and the folder its paths are relative to. */
export interface CatalogedApp {
  readonly definition: AppDefinition;
  readonly directory: string;
}

/** The names of the applications in `directory`, in a stable order. */
export function appNames(directory: string = appsDirectory): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, 'app.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Loads the named applications of `directory`; an unknown name is an error naming the known ones. */
export async function loadApps(names: readonly string[], directory: string = appsDirectory): Promise<CatalogedApp[]> {
  const known = appNames(directory);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`no application named ${unknown.join(', ')} (known: ${known.join(', ') || 'none'})`);
  const apps: CatalogedApp[] = [];
  for (const name of names) {
    const file = join(directory, name, 'app.ts');
    const module = (await import(pathToFileURL(file).href)) as { app?: AppDefinition };
    if (module.app?.name !== name) throw new Error(`${file} must export \`app\` with name '${name}'`);
    apps.push({ definition: module.app, directory: join(directory, name) });
  }
  return apps;
}
