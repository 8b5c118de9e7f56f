// A large real canister: Azle 0.33 (TypeScript compiled into a ~3.5 MB wasm32 module
// with a JS engine inside). Built once by test/support/build.ts (cached on disk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { azle, canistersDir } from '../support/build.ts';
import { parseCanisterModule } from '../../src/wasm/index.ts';

// How fast it is instrumented is measured by bench/instrument.ts, not asserted here.
test('Azle counter: validated, instrumented, accepted by V8', async () => {
  const source = readFileSync(join(canistersDir, 'azle_counter', 'index.ts.txt'), 'utf8');
  const { wasm } = await azle(source);
  const m = parseCanisterModule(wasm);
  assert.equal(m.pointerWidth, 32);
  assert.equal(m.enhancedOrthogonalPersistence, false);
  for (const name of ['inc', 'add', 'certify']) assert.ok(m.updateMethods.includes(name), name);
  for (const name of ['get', 'greet', 'now', 'certificate', 'whoInitialized']) assert.ok(m.queryMethods.includes(name), name);
  assert.ok(m.systemMethods.has('canister_init'));
  assert.ok(m.systemMethods.has('canister_post_upgrade'));
  assert.ok(m.ic0Imports.includes('certified_data_set'));
  assert.ok(m.ic0Imports.includes('in_replicated_execution'));
  const module = new WebAssembly.Module(m.instrumented);
  assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === '__capsule_instructions'));
});
