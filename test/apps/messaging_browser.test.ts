// The messaging application in a real headless Chromium, as `capsule start --apps messaging` deploys it:
// two browser contexts (two identities, two IndexedDBs) register, one creates a room and adds the other by
// the principal its page shows, they exchange messages both ways and each reads the other's plaintext; the
// unread badge counts; screenshots show the conversation; and the canister's memory, read back from the
// state directory after the server stopped, holds the ciphertext only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { Capsule, Principal } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { chromiumPath, NO_CHROMIUM } from '../examples/_browser.ts';
import { summarizeScreenshot } from '../support/screenshot.ts';
import { backendIdOf, messagingUrl, startMessagingServer } from './_messaging_app.ts';

const executablePath = chromiumPath();

async function register(page: Page, url: string, name: string): Promise<string> {
  await page.goto(url);
  await page.locator('#register-name').fill(name);
  await page.locator('#register button').click();
  await page.locator('#app:not([hidden])').waitFor();
  assert.equal(await page.textContent('#me-name'), name);
  return (await page.textContent('#principal'))!;
}

async function send(page: Page, text: string): Promise<void> {
  await page.locator('#message-text').fill(text);
  await page.locator('#post button').click();
  await page.locator('#messages .message.mine .text', { hasText: text }).waitFor();
}

const texts = (page: Page) => page.locator('#messages .message .text').allTextContents();

test('two browsers register, share a room, exchange end-to-end encrypted messages and see unread counts; the canister holds no plaintext', { skip: !executablePath && NO_CHROMIUM, timeout: 240_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'capsule-messaging-'));
  const stateDir = join(scratch, 'state');
  const server = await startMessagingServer(stateDir);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const secret = 'Meet at the old lighthouse at nine';
  let backend = '';
  try {
    const url = await messagingUrl(server);
    const [alice, bob] = [await browser.newContext({ viewport: { width: 900, height: 640 } }), await browser.newContext({ viewport: { width: 900, height: 640 } })];
    const [alicePage, bobPage] = [await alice.newPage(), await bob.newPage()];
    const [, bobPrincipal] = await Promise.all([register(alicePage, url, 'Alice'), register(bobPage, url, 'Bob')]);
    assert.notEqual(await alicePage.textContent('#principal'), bobPrincipal, 'each context has its own identity');
    backend = await backendIdOf(alice);

    await alicePage.locator('#new-room-name').fill('Plans');
    await alicePage.locator('#new-room button').click();
    await alicePage.locator('#add-member:not([hidden])').waitFor();
    await alicePage.locator('#member-principal').fill(bobPrincipal);
    await alicePage.locator('#add-member button').click();
    await alicePage.locator('#room-members', { hasText: 'Bob' }).waitFor();
    await send(alicePage, secret);
    await send(alicePage, 'Bring the map');

    // Bob's page polls: the room appears with two unread messages, which opening the room reads.
    await bobPage.locator('#rooms li .unread', { hasText: '2' }).waitFor();
    assert.equal(await bobPage.textContent('#rooms li .room-name'), 'Plans');
    await bobPage.locator('#rooms li').click();
    await bobPage.locator('#messages .message .text', { hasText: 'Bring the map' }).waitFor();
    assert.deepEqual(await texts(bobPage), [secret, 'Bring the map']);
    assert.match((await bobPage.textContent('#messages .message .sender'))!, /^Alice · /);
    await send(bobPage, 'See you there, Alice');
    await alicePage.locator('#messages .message .text', { hasText: 'See you there, Alice' }).waitFor();
    assert.deepEqual(await texts(alicePage), [secret, 'Bring the map', 'See you there, Alice']);
    assert.equal(await bobPage.locator('#rooms li .unread').count(), 0, 'the open room has no badge');

    for (const page of [alicePage, bobPage]) {
      const shot = await summarizeScreenshot(browser, await page.screenshot());
      assert.deepEqual([shot.width, shot.height], [900, 640]);
      assert.ok(shot.inkShare > 0.02 && shot.colours > 8, `the screenshot is not blank: ${JSON.stringify(shot)}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  try {
    // The server made every round durable: the canister's heap as it was, read in-process.
    const ic = await Capsule.create({ stateDir });
    const canister = replicaOf(ic).canister(Principal.fromText(backend))!;
    const heap = Buffer.from(canister.wasm!.heap());
    assert.ok(heap.length > 0);
    assert.equal(heap.indexOf(Buffer.from(secret)), -1, 'the plaintext is not in the canister heap');
    assert.equal(heap.indexOf(Buffer.from('Alice')) >= 0, true, 'profile names are (they are not secret)');
    await ic.close();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
