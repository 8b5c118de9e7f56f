// What an application shipped under apps/<name>/ declares so that `capsule start` can deploy it: its
// canisters (Motoko sources and install arguments) and a frontend served by our asset canister.
import type { Principal } from '@icp-sdk/core/principal';

/** One backend canister of an application. */
export interface AppCanister {
  /** Unique within the application and not `frontend` (its asset canister's name); the page finds the
   *  canister's id under this name in the `ic_env` cookie (`PUBLIC_CANISTER_ID:<name>`), which
   *  `safeGetCanisterEnv` of `@icp-sdk/core/agent/canister-env` reads. */
  readonly name: string;
  /** The Motoko main file, relative to the application's folder. */
  readonly main: string;
  /** The Candid-encoded install argument; gets the ids of all of the application's canisters, which are all
   *  created before any is installed. No argument means the empty Candid argument. */
  readonly installArg?: (ids: Readonly<Record<string, Principal>>) => Uint8Array;
}

/** The browser side of an application, uploaded to an asset canister of its own. */
export interface AppFrontend {
  /** A folder of static files (index.html, CSS, images), relative to the application's folder. */
  readonly directory: string;
  /** TypeScript or JavaScript entry points bundled for the browser with esbuild: the entry, relative to the
   *  application's folder, and the path the bundle is served at (e.g. `{ 'frontend/src/main.ts': '/main.js' }`). */
  readonly bundles: Readonly<Record<string, string>>;
}

/** An application `capsule start` deploys on first start (apps/<name>/app.ts exports it as `app`). */
export interface AppDefinition {
  /** Its folder's name under apps/, lowercase. */
  readonly name: string;
  /** Shown in the server's start-up lines beside the application's URL. */
  readonly title: string;
  readonly canisters: readonly AppCanister[];
  readonly frontend: AppFrontend;
}
