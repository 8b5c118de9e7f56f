// `capsule start` deploys the applications of an apps folder on a running server: the canisters are built
// and created once (apps.json in the state directory), the page's bundle is served through the gateway with
// every canister id in the `ic_env` cookie, a restart keeps the canisters and their state, and a changed
// source is upgraded in place with its memory kept (orthogonal persistence).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import type { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { parseCommand, UsageError } from '../../src/cli/args.ts';
import { type ServerProcess, startServer } from '../http/_server.ts';
import { repoRoot } from '../support/build.ts';

const FIXTURE = join(repoRoot, 'test', 'cli', 'fixtures', 'apps');
const DEPLOYED = /greeter: Greeter at http:\/\/([a-z0-9-]+)\.localhost:(\d+)\//;

async function started(stateDir: string, appsDir: string): Promise<{ server: ServerProcess; frontend: string }> {
  const server = await startServer({ stateDir, args: ['--apps-dir', appsDir] });
  const deadline = Date.now() + 240_000;
  while (!DEPLOYED.test(server.stdout())) {
    const failed = /could not be deployed|no application deployed/.test(server.stderr()) || Date.now() > deadline;
    if (failed) {
      await server.stop();
      assert.fail(`no application deployed: ${server.stdout()}${server.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { server, frontend: DEPLOYED.exec(server.stdout())![1]! };
}

const greeterIdl: IDL.InterfaceFactory = ({ IDL }) => IDL.Service({ greet: IDL.Func([IDL.Text], [IDL.Text], []) });

async function greet(server: ServerProcess, backend: string, name: string): Promise<string> {
  const agent = await HttpAgent.create({ host: server.url, shouldFetchRootKey: true });
  const actor = Actor.createActor<{ greet: (name: string) => Promise<string> }>(greeterIdl, { agent, canisterId: Principal.fromText(backend) });
  return actor.greet(name);
}

describe('capsule start deploys applications', () => {
  let work: string;
  let appsDir: string;
  let stateDir: string;
  before(() => {
    // Inside the repository, so that the copied app.ts resolves @icp-sdk/core from its node_modules.
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    work = mkdtempSync(join(repoRoot, '.cache', 'apps-test-'));
    appsDir = join(work, 'apps');
    stateDir = join(work, 'state');
    cpSync(FIXTURE, appsDir, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the first start creates the canisters, serves the bundled page and names every canister in the ic_env cookie', async () => {
    const { server, frontend } = await started(stateDir, appsDir);
    try {
      const ids = JSON.parse(readFileSync(join(stateDir, 'apps.json'), 'utf8')).apps.greeter as Record<string, string>;
      assert.equal(ids.frontend, frontend);
      const page = await fetch(`${server.url}/?canisterId=${frontend}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Greeter<\/title>/);
      const cookie = decodeURIComponent(page.headers.get('set-cookie') ?? '');
      assert.match(cookie, new RegExp(`PUBLIC_CANISTER_ID:backend=${ids.backend}`));
      assert.match(cookie, new RegExp(`PUBLIC_CANISTER_ID:frontend=${frontend}`));
      const script = await fetch(`${server.url}/main.js?canisterId=${frontend}`);
      assert.equal(script.status, 200);
      assert.match(await script.text(), /PUBLIC_CANISTER_ID:backend/); // bundled, @icp-sdk/core included
      assert.equal(await greet(server, ids.backend!, 'Ada'), 'Hello, Ada #1');
    } finally {
      await server.stop();
    }
  });

  test('a restart keeps the canisters and their state; a changed source is upgraded with its memory kept', async () => {
    const ids = JSON.parse(readFileSync(join(stateDir, 'apps.json'), 'utf8')).apps.greeter as Record<string, string>;
    const again = await started(stateDir, appsDir);
    try {
      assert.equal(again.frontend, ids.frontend);
      assert.doesNotMatch(again.server.stdout(), /Building/);
      assert.equal(await greet(again.server, ids.backend!, 'Grace'), 'Hello, Grace #2');
    } finally {
      await again.server.stop();
    }
    const main = join(appsDir, 'greeter', 'backend', 'Main.mo');
    writeFileSync(main, readFileSync(main, 'utf8').replace('" #" #', '" no. " #'));
    const upgraded = await started(stateDir, appsDir);
    try {
      assert.equal(await greet(upgraded.server, ids.backend!, 'Alan'), 'Hello, Alan no. 3');
    } finally {
      await upgraded.server.stop();
    }
  });

  test('--no-apps, --apps and --apps-dir are checked before anything starts', () => {
    const parsed = (...args: string[]) => parseCommand(['start', ...args]);
    const bare = parsed('--no-apps', '--apps-dir', FIXTURE);
    assert.ok(!(bare instanceof UsageError) && bare.kind === 'start' && bare.apps.length === 0);
    const chosen = parsed('--apps', 'greeter', '--apps-dir', FIXTURE);
    assert.ok(!(chosen instanceof UsageError) && chosen.kind === 'start' && chosen.apps.join() === 'greeter');
    const unknown = parsed('--apps', 'greeter,chess', '--apps-dir', FIXTURE);
    assert.ok(unknown instanceof UsageError);
    assert.match(unknown.message, /Unknown application chess in --apps \(known: greeter\)/);
    assert.ok(parsed('--apps', 'greeter', '--no-apps') instanceof UsageError);
  });
});
