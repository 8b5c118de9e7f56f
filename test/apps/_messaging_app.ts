// The messaging application as `capsule start --apps messaging` serves it, for the browser test and the
// benchmark: its frontend URL from the start-up lines and its backend's id from the page's `ic_env` cookie.
import type { BrowserContext } from 'playwright-core';
import { type ServerProcess, startServer } from '../http/_server.ts';
// Sets CAPSULE_MODULE_CACHE, so the server this spawns builds the application once into the tests' cache.
import '../support/build.ts';

export function startMessagingServer(stateDir?: string): Promise<ServerProcess> {
  return startServer({ stateDir, args: ['--apps', 'messaging'] });
}

/** The frontend's URL, from the server's start-up line once the application is deployed. */
export async function messagingUrl(server: ServerProcess): Promise<string> {
  const deadline = Date.now() + 180_000; // a first start compiles the backend
  while (Date.now() < deadline) {
    const url = /^ *messaging: .+ at (http:\/\/\S+)$/m.exec(server.stdout())?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the messaging application was not deployed:\n${server.stdout()}\n${server.stderr()}`);
}

/** The backend's id, from the `ic_env` cookie the asset canister set for a page of the context. */
export async function backendIdOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((candidate) => candidate.name === 'ic_env');
  if (!cookie) throw new Error('the page did not get the ic_env cookie');
  const id = new URLSearchParams(decodeURIComponent(cookie.value)).get('PUBLIC_CANISTER_ID:backend');
  if (!id) throw new Error(`the ic_env cookie names no backend: ${decodeURIComponent(cookie.value)}`);
  return id;
}
