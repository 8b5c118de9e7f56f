// bin/icp-cli-network-launcher started as icp-cli 1.5 starts it: status.json once the network is ready,
// the IC API and the gateway on its port, custom domains followed, a clean stop on repeated SIGINT, and
// a bind failure that exits non-zero with the reason.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeCbor, type CborMap } from '../../src/certification/index.ts';
import { send } from '../gateway/_site.ts';
import { icpCliArgs, launch, statusText } from './_launcher.ts';

async function rootKeyHex(port: number): Promise<string> {
  const status = decodeCbor(new Uint8Array(await (await fetch(`http://127.0.0.1:${port}/api/v2/status`)).arrayBuffer())) as CborMap;
  return Buffer.from(status.get('root_key') as Uint8Array).toString('hex');
}

test('the launcher writes status.json when ready, serves the API and custom domains, and stops cleanly on SIGINT twice', { timeout: 60_000 }, async () => {
  const launched = launch((scratch) => icpCliArgs(scratch, ['--verbose', '--ii', '--future-flag=1']));
  try {
    const text = await statusText(launched);
    const status = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(status).sort(), ['gateway_port', 'root_key', 'supported_features', 'v']);
    assert.equal(status.v, '1');
    assert.deepEqual(status.supported_features, ['custom-domains']);
    const port = status.gateway_port as number;
    assert.ok(Number.isInteger(port) && port > 0);
    assert.equal(status.root_key, await rootKeyHex(port));
    assert.match(launched.stderr(), /unknown flag --future-flag ignored/);
    assert.match(launched.stderr(), /--ii ignored/);

    // icp-cli rewrites <status-dir>/custom-domains.txt on every deploy; the gateway follows it.
    const host = `web.local.localhost:${port}`;
    assert.match((await send(port, host, '/')).text(), /Not found/);
    writeFileSync(join(launched.statusDir, 'custom-domains.txt'), 'web.local.localhost:lxzze-o7777-77777-aaaaa-cai\n');
    let routed = '';
    for (let i = 0; i < 50 && !/lxzze-o7777-77777-aaaaa-cai/.test(routed); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      routed = (await send(port, host, '/')).text();
    }
    assert.match(routed, /lxzze-o7777-77777-aaaaa-cai/);
    assert.equal((await send(port, `localhost:${port}`, '/_/dashboard/api/overview')).status, 200, 'the replica dashboard is served beside the gateway');

    const stopAsked = Date.now();
    launched.child.kill('SIGINT');
    launched.child.kill('SIGINT');
    assert.equal(await launched.exited, 0);
    assert.ok(Date.now() - stopAsked < 10_000);
    assert.equal(existsSync(launched.statusDir), false);
  } finally {
    launched.child.kill('SIGKILL');
    rmSync(launched.scratch, { recursive: true, force: true });
  }
});

test('a launcher whose gateway port is taken exits 1 with the reason and writes no status', { timeout: 60_000 }, async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  const launched = launch((scratch) => icpCliArgs(scratch, ['--gateway-port', String(port)]));
  try {
    assert.equal(await launched.exited, 1);
    assert.match(launched.stderr(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*EADDRINUSE`));
    assert.equal(existsSync(join(launched.statusDir, 'status.json')), false);
  } finally {
    holder.close();
    rmSync(launched.scratch, { recursive: true, force: true });
  }
});

test('a launcher asked for an interface of another major version refuses to start', async () => {
  const launched = launch((scratch) => ['--interface-version', '2.0.0', '--status-dir', join(scratch, 'status')]);
  try {
    assert.equal(await launched.exited, 2);
    assert.match(launched.stderr(), /Unsupported interface version 2\.0\.0/);
  } finally {
    rmSync(launched.scratch, { recursive: true, force: true });
  }
});
