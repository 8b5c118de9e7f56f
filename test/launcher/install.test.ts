// `capsule install-icp-launcher` enters Capsule in icp-cli's package cache as the latest network
// launcher, keeping the manifest's other entries; the installed script runs this repository's launcher.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../support/build.ts';

const run = promisify(execFile);

test('install-icp-launcher names Capsule the latest launcher, keeps other manifest entries, and the installed script runs it', async () => {
  const pkg = mkdtempSync(join(tmpdir(), 'capsule-icp-pkg-'));
  try {
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'manifest.json'), JSON.stringify({ tags: { 'other:latest': 'v1' }, updater_versions: { other: '2.0.0' } }));
    const { stdout } = await run(join(repoRoot, 'bin', 'capsule'), ['install-icp-launcher', '--pkg-dir', pkg]);
    const launcher = join(pkg, 'network-launcher', 'v99.0.0-capsule', 'icp-cli-network-launcher');
    assert.match(stdout, /now Capsule/);
    const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.tags, { 'other:latest': 'v1', 'icp-cli-network-launcher:latest': 'v99.0.0-capsule' });
    assert.deepEqual(manifest.updater_versions, { other: '2.0.0', 'icp-cli-network-launcher': '1.5.0' });
    assert.equal(statSync(launcher).mode & 0o777, 0o755);
    const help = await run(launcher, ['--help']);
    assert.match(help.stdout, /icp-cli's network launcher, interface 1\.1\.0/);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
