// `capsule start` serves canisters' pages on its API port: a real process, its port found by the port
// file, the page fetched by `<id>.localhost`, the API next to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployMotoko } from '../http/_deploy.ts';
import { TestKey } from '../http/_envelopes.ts';
import { startServer } from '../http/_server.ts';
import { send } from './_site.ts';

test('capsule start serves a canister page at <id>.localhost on its port, verified, beside the API', async () => {
  const server = await startServer();
  try {
    const canisterId = await deployMotoko(server.url, new TestKey(), 'http_site.mo', 'HttpCertification.mo', 'Sha256.mo');
    const page = await send(server.port, `${canisterId.toText()}.localhost:${server.port}`, '/');
    assert.equal(page.status, 200, page.text());
    assert.match(page.text(), /Hello from a certified canister/);
    const forged = await send(server.port, `${canisterId.toText()}.localhost:${server.port}`, '/forged');
    assert.equal(forged.status, 503);
    const status = await send(server.port, `${canisterId.toText()}.localhost:${server.port}`, '/api/v2/status');
    assert.equal(status.status, 200);
    assert.equal((await send(server.port, `127.0.0.1:${server.port}`, '/')).status, 404);
  } finally {
    await server.stop();
  }
});
