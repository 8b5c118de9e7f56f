// A real headless Chromium on the dashboard of a real `capsule start`: the page lists the canisters, shows
// a canister's log line holding markup as text, and adds a canister created after it loaded without a
// reload; its screenshot is taken, its colours read back, and what it shows is read from the page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { chromium as playwright } from 'playwright-core';
import { chromiumPath, NO_CHROMIUM } from '../examples/_browser.ts';
import { IN_RANGE, syncCall } from '../http/_deploy.ts';
import { EMPTY_ARG, TestKey } from '../http/_envelopes.ts';
import { startServer } from '../http/_server.ts';
import { wat } from '../support/build.ts';
import { decodeScreenshot, pixelAt } from '../support/screenshot.ts';
import { CANISTER, MARKUP_LINE } from './_dashboard.ts';

const chromium = chromiumPath();
const MANAGEMENT = new Uint8Array(0);

async function createCanister(url: string, key: TestKey): Promise<Principal> {
  const createArg = IDL.encode(
    [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})), specified_id: IDL.Opt(IDL.Principal) })],
    [{ amount: [10n ** 13n], settings: [], specified_id: [] }],
  );
  const created = await syncCall(url, key, IN_RANGE, MANAGEMENT, 'provisional_create_canister_with_cycles', createArg);
  assert.equal(created.status, 'replied');
  return (IDL.decode([IDL.Record({ canister_id: IDL.Principal })], created.reply!)[0] as unknown as { canister_id: Principal }).canister_id;
}

async function installLogger(url: string, key: TestKey, canisterId: Principal): Promise<void> {
  const installArg = IDL.encode(
    [IDL.Record({ mode: IDL.Variant({ install: IDL.Null }), canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) })],
    [{ mode: { install: null }, canister_id: canisterId, wasm_module: await wat(CANISTER), arg: EMPTY_ARG }],
  );
  assert.equal((await syncCall(url, key, canisterId, MANAGEMENT, 'install_code', installArg)).status, 'replied');
}

test('Chromium shows the dashboard of capsule start: its canisters, a log line with markup as text, and a new canister live, without a reload', { skip: !chromium && NO_CHROMIUM, timeout: 90_000 }, async () => {
  const server = await startServer();
  const browser = await playwright.launch({ executablePath: chromium!, args: ['--no-sandbox'] });
  try {
    const key = new TestKey();
    const logger = await createCanister(server.url, key);
    await installLogger(server.url, key, logger);
    assert.equal((await syncCall(server.url, key, logger, logger.toUint8Array(), 'log', EMPTY_ARG)).status, 'replied');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    await page.goto(`${server.url}/_/dashboard`);
    await page.waitForSelector(`#canisters tr[data-canister="${logger.toText()}"]`, { timeout: 15_000 });
    await page.waitForFunction((line) => document.getElementById('logs')?.textContent?.includes(line), MARKUP_LINE, { timeout: 15_000 });
    await page.waitForSelector('#live.on', { timeout: 15_000 });

    // The log line is text: the markup made no element and ran no script.
    assert.equal(await page.locator('#logs script, #logs b').count(), 0);
    assert.equal(await page.evaluate(() => (window as { dashboardPwned?: boolean }).dashboardPwned), undefined);
    const row = page.locator(`#canisters tr[data-canister="${logger.toText()}"]`);
    assert.equal(await row.locator('td').nth(1).textContent(), 'running');
    assert.match((await row.locator('td').nth(2).getAttribute('title')) ?? '', /^[0-9a-f]{64}$/);
    assert.match((await row.locator('td').nth(5).textContent()) ?? '', new RegExp(Principal.fromUint8Array(key.principal).toText().slice(0, 11)));

    // A canister created after the page loaded appears through the event stream.
    const created = await createCanister(server.url, key);
    await page.waitForSelector(`#canisters tr[data-canister="${created.toText()}"]`, { timeout: 10_000 });
    assert.deepEqual(loads, [`${server.url}/_/dashboard`], 'the page was not reloaded');
    await page.waitForFunction(() => (document.querySelector('#calls tbody')?.textContent ?? '').includes('provisional_create_canister_with_cycles'), undefined, { timeout: 10_000 });

    const png = await page.screenshot({ fullPage: true });
    assert.ok(png.length > 10_000, `a screenshot of ${png.length} bytes`);
    // The screenshot, decoded by the browser: the header's dark band and the page's grey.
    const shot = await decodeScreenshot(browser, png);
    const pixels = { header: pixelAt(shot, 3, 3), background: pixelAt(shot, 3, shot.height - 3) };
    assert.deepEqual(pixels, { header: [29, 35, 48], background: [243, 244, 247] });
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, as the screenshot shows it: hidden elements left out.
    const seen = await page.evaluate(() => document.body.innerText);
    for (const expected of ['Capsule replica', 'Canisters (2)', logger.toText(), created.toText(), 'Call graph', 'Recent messages', 'Rounds', 'Logs', MARKUP_LINE, 'aaaaa-aa (management)']) {
      assert.ok(seen.includes(expected), `the page shows ${expected}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});
