// Headless Chromium (Debian's `chromium`, driven by playwright-core) opening the example web app's page
// and reporting what a user sees: the DOM after the backend call, whether the image and the stylesheet
// loaded, and the colours of a screenshot at the logo and the greeting.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { decodeScreenshot, pixelAt } from '../support/screenshot.ts';

/** The Chromium executable, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path && existsSync(path)) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

export const NO_CHROMIUM = 'chromium is not installed (apt-get install -y chromium; .ci/run installs it)';

export interface SeenPage {
  readonly title: string;
  readonly route: string;
  readonly greeting: string;
  readonly greetingClass: string;
  readonly visits: string;
  readonly logoWidth: number;
  readonly bodyBackground: string;
  /** The screenshot's RGB at the logo's left half, at the greeting's first letter, and at an empty corner. */
  readonly logoPixel: readonly number[];
  readonly greetingInk: boolean;
  readonly cornerPixel: readonly number[];
}

/** Opens `url` (Chromium resolves every *.localhost to loopback), waits for the backend's answer, screenshots it. */
export async function seePage(url: string, executablePath: string): Promise<SeenPage> {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
    await page.goto(url);
    await page.waitForSelector('#greeting.ready, #greeting.failed', { timeout: 15_000 });
    // The page shows the greeting (a query) before its update call `visit` returns: wait for that too.
    await page.waitForFunction(() => document.querySelector('#greeting.failed') || document.querySelector('#visits')?.textContent, undefined, { timeout: 15_000 });
    const text = async (selector: string) => (await page.textContent(selector)) ?? '';
    const seen = {
      title: await page.title(),
      route: await text('#route'),
      greeting: await text('#greeting'),
      greetingClass: (await page.getAttribute('#greeting', 'class')) ?? '',
      visits: await text('#visits'),
      logoWidth: await page.$eval('#logo', (image) => (image as HTMLImageElement).naturalWidth),
      bodyBackground: await page.$eval('body', (body) => getComputedStyle(body).backgroundColor),
    };
    const logo = (await page.locator('#logo').boundingBox())!;
    const greeting = (await page.locator('#greeting').boundingBox())!;
    const png = await page.screenshot();
    // The screenshot, decoded by the browser: the logo's colour, green ink in the greeting, the page's corner.
    const shot = await decodeScreenshot(browser, png);
    let greetingInk = false;
    for (let y = greeting.y; y < greeting.y + greeting.height && !greetingInk; y++) {
      for (let x = greeting.x; x < greeting.x + greeting.width && !greetingInk; x++) {
        const [red, green, blue] = pixelAt(shot, x, y) as [number, number, number];
        greetingInk = green > red + 40 && green > blue + 40; // as the stylesheet colours a ready greeting
      }
    }
    const pixels = {
      logoPixel: pixelAt(shot, logo.x + logo.width * 0.2, logo.y + logo.height / 2),
      greetingInk,
      cornerPixel: pixelAt(shot, shot.width - 5, shot.height - 5),
    };
    return { ...seen, ...pixels };
  } finally {
    await browser.close();
  }
}
