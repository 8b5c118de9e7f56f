// `capsule` on the command line: help and usage errors, the port file, the seed kept in the state
// directory (mode 0600) so that a restarted replica has the same root key, exit 0 on SIGTERM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeCbor, type CborMap } from '../../src/certification/index.ts';
import { startServer } from './_server.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function rootKey(url: string): Promise<Uint8Array> {
  const status = decodeCbor(new Uint8Array(await (await fetch(`${url}/api/v2/status`)).arrayBuffer())) as CborMap;
  return status.get('root_key') as Uint8Array;
}

test('--help prints the usage; an unknown command is a usage error', () => {
  const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /capsule start/);
  assert.match(help.stdout, /--port-file/);
  const bad = spawnSync(process.execPath, [main, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown command/);
  const badPort = spawnSync(process.execPath, [main, 'start', '--port', 'x'], { encoding: 'utf8' });
  assert.equal(badPort.status, 2);
});

test('the state directory keeps the seed (0600): same root key after a restart', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'capsule-cli-'));
  try {
    const first = await startServer({ stateDir });
    const key = await rootKey(first.url);
    assert.equal(statSync(join(stateDir, 'seed')).mode & 0o777, 0o600);
    assert.equal(await first.stop(), 0);
    const second = await startServer({ stateDir });
    assert.deepEqual(await rootKey(second.url), key);
    assert.equal(await second.stop(), 0);
    const other = await startServer();
    assert.notDeepEqual(await rootKey(other.url), key);
    assert.equal(await other.stop(), 0);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
