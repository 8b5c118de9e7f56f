// BLS signing on a worker thread: the same signatures, and a process that started the worker still exits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blsKeyFromSeed, blsSignStateRoot } from '../../src/certification/bls.ts';
import { blsSignStateRootInBackground } from '../../src/certification/background_signer.ts';

test('a state root signed in the background has the signature signed in this thread', async () => {
  const key = blsKeyFromSeed(new Uint8Array(32).fill(3));
  const roots = [1, 2, 3].map((fill) => new Uint8Array(32).fill(fill));
  const signatures = await Promise.all(roots.map((root) => blsSignStateRootInBackground(key.secretKey, root)));
  assert.deepEqual(signatures.map((s) => Buffer.from(s).toString('hex')), roots.map((root) => Buffer.from(blsSignStateRoot(key.secretKey, root)).toString('hex')));
});

test('a process whose background signer started and signed exits by itself', () => {
  const signer = fileURLToPath(new URL('../../src/certification/background_signer.ts', import.meta.url));
  const script = `const { startBackgroundSigner, blsSignStateRootInBackground } = await import(${JSON.stringify(signer)});
startBackgroundSigner();
await blsSignStateRootInBackground(new Uint8Array(32).fill(1), new Uint8Array(32));
console.log('signed');`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(output.trim(), 'signed');
});
