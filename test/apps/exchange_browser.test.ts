// A real headless Chromium uses the exchange application that a real `capsule start --apps exchange` deployed:
// its own Ed25519 identity mints CAPA, approves and deposits it, and swaps it for CAPB through the page; the
// balances the page then shows are the ones the ledgers and the exchange report to Node, and the screenshot
// shows the page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Actor, type ActorSubclass, HttpAgent } from '@icp-sdk/core/agent';
import { Principal } from '@icp-sdk/core/principal';
import { chromium, type Page } from 'playwright-core';
import { exchangeMethods, type Holding, idlFactory, ledgerMethods } from '../../apps/exchange/frontend/src/candid.ts';
import { formatAmount } from '../../apps/exchange/frontend/src/format.ts';
import { chromiumPath, NO_CHROMIUM } from '../examples/_browser.ts';
import { summarizeScreenshot } from '../support/screenshot.ts';
import { startWithExchange } from './_exchange.ts';

const executablePath = chromiumPath();
type Service = ActorSubclass<Record<string, (...args: unknown[]) => Promise<unknown>>>;

async function act(page: Page, form: string, fields: Record<string, string>, done: RegExp): Promise<void> {
  for (const [name, value] of Object.entries(fields)) {
    const field = page.locator(`#${form} [name=${name}]`);
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await page.click(`#${form} button`);
  await page.waitForSelector('#status.ok, #status.error', { timeout: 15_000 });
  await page.waitForFunction(() => document.querySelector('#status')?.className !== 'busy');
  const status = (await page.textContent('#status')) ?? '';
  assert.match(status, done);
}

test('a browser identity mints, deposits and swaps on the exchange page, which shows the balances the canisters hold', { skip: !executablePath && NO_CHROMIUM, timeout: 300_000 }, async () => {
  const server = await startWithExchange();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready=true], #status.error', { timeout: 30_000 });
    assert.equal(await page.getAttribute('#status', 'class'), 'ok', (await page.textContent('#status')) ?? '');
    const me = Principal.fromText((await page.textContent('#principal'))!);
    await act(page, 'mint-form', { token: 'a', amount: '100' }, /^Minted 100 CAPA$/);
    await act(page, 'deposit-form', { token: 'a', amount: '60' }, /^Deposited 60 CAPA$/);
    await act(page, 'swap-form', { token: 'a', amount: '25', slippage: '1' }, /^Swapped 25 CAPA for [\d.]+ CAPB$/);

    const agent = await HttpAgent.create({ host: server.server.url, shouldFetchRootKey: true });
    const ids = await page.evaluate(() => ({ ...document.body.dataset }));
    const service = (id: string | undefined, methods: typeof ledgerMethods | typeof exchangeMethods) => Actor.createActor(idlFactory(methods), { agent, canisterId: id! }) as Service;
    const account = { owner: me, subaccount: [] };
    const onLedgers = [await service(ids.tokenA, ledgerMethods).icrc1_balance_of(account), await service(ids.tokenB, ledgerMethods).icrc1_balance_of(account)] as bigint[];
    const inExchange = (await service(ids.exchange, exchangeMethods).balances(me)) as Holding;
    // 100 minted, then 60 deposited plus one 0.0001 fee each for the approval and the transfer_from.
    assert.equal(onLedgers[0], 100n * 10n ** 8n - 60n * 10n ** 8n - 2n * 10_000n);
    assert.equal(onLedgers[1], 0n);
    assert.equal(inExchange.a, 35n * 10n ** 8n);
    assert.ok(inExchange.b > 0n);
    const shown = async (id: string) => ({ text: await page.textContent(`#${id}`), units: await page.getAttribute(`#${id}`, 'data-units') });
    for (const [id, units] of [
      ['ledger-a', onLedgers[0]!],
      ['ledger-b', onLedgers[1]!],
      ['exchange-a', inExchange.a],
      ['exchange-b', inExchange.b],
    ] as const) {
      assert.deepEqual(await shown(id), { text: formatAmount(units), units: String(units) }, id);
    }
    assert.match((await page.textContent('#price')) ?? '', /^1 CAPA = [\d.]+ CAPB \(fee 0.3%\)$/);

    const png = await page.screenshot({ fullPage: true });
    const summary = await summarizeScreenshot(browser, png);
    assert.equal(summary.width, 900);
    assert.ok(summary.colours > 20 && summary.inkShare > 0.02, `the screenshot shows the page: ${JSON.stringify(summary)}`);
    // The stylesheet's paper (#f6f4ee) or its white cards, as the summary rounds colours to 16 levels.
    assert.ok([[240, 240, 224], [240, 240, 240]].some((colour) => colour.join() === summary.background.join()), `background ${summary.background}`);
  } finally {
    await browser.close();
    await server.server.stop();
  }
});
