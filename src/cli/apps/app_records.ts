// Which canisters each deployed application owns, kept in the state directory (apps.json) so that a later
// start upgrades the same canisters instead of creating new ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../state_dir.ts';

/** Canister ids (text) by the application's canister name; the frontend is under `frontendName(app)`. */
export type AppRecord = Record<string, string>;

export class AppRecords {
  readonly #file: string;
  readonly #records: Record<string, AppRecord>;

  constructor(stateDir: string) {
    this.#file = join(stateDir, 'apps.json');
    this.#records = AppRecords.#read(this.#file);
  }

  static #read(file: string): Record<string, AppRecord> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = JSON.parse(text) as { apps?: Record<string, AppRecord> };
      return parsed.apps ?? {};
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${(e as Error).message}); remove it to deploy the applications anew`);
    }
  }

  canisterId(app: string, canister: string): string | undefined {
    return this.#records[app]?.[canister];
  }

  /** Records a created canister at once, so a crash before install does not lose track of it. */
  set(app: string, canister: string, id: string): void {
    this.#records[app] = { ...this.#records[app], [canister]: id };
    writeFileAtomic(this.#file, `${JSON.stringify({ version: 1, apps: this.#records }, null, 2)}\n`);
  }
}
