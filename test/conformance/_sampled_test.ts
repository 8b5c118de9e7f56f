// `test` for the conformance groups. In `npm test`'s run over HTTP (CAPSULE_HTTP_SAMPLE > 1) two tests in
// three, chosen by a hash of the name, are left out: the in-process run covers every test, and the HTTP run
// checks that the HTTP path answers alike on a stable third (`npm run test:conformance:http` runs them all).
import { type TestContext, type TestOptions, test as nodeTest } from 'node:test';
import { HTTP_SAMPLE } from './_target.ts';

type TestBody = (context: TestContext) => void | Promise<void>;

/** A stable choice: FNV-1a of the test's name, hashes divisible by 3 run. */
export function nameInSample(name: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return HTTP_SAMPLE === 1 || hash % 3 === 0;
}

function sampledTest(name: string, optionsOrBody: TestOptions | TestBody, body?: TestBody): void {
  if (!nameInSample(name)) return;
  if (typeof optionsOrBody === 'function') void nodeTest(name, optionsOrBody);
  else void nodeTest(name, optionsOrBody, body);
}

/** node:test's own `test` unless sampling, so that reports name the test's file (a wrapper's calls are
 *  located here; run.ts, which runs the sampled groups one at a time, attributes them to the running group). */
export const test: typeof sampledTest = HTTP_SAMPLE > 1 ? sampledTest : (nodeTest as typeof sampledTest);
