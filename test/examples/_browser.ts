// Headless Chromium (Debian's `chromium`, driven by playwright-core) opening the example web app's page
// and reporting what a user sees: the DOM after the backend call, whether the image and the stylesheet
// loaded, and the colours of a screenshot at the logo and the greeting.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

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
    // The screenshot is decoded by the browser itself, on a blank page: a canvas reads its pixels back.
    const blank = await browser.newPage();
    const pixels = await blank.evaluate(
      async ({ data, logo, greeting }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${data}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const at = (x: number, y: number) => [...context.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)];
        const row = context.getImageData(Math.round(greeting.x), Math.round(greeting.y), Math.round(greeting.width), Math.round(greeting.height)).data;
        let ink = false;
        // Green text: a pixel whose green clearly dominates, as the stylesheet colours a ready greeting.
        for (let i = 0; i < row.length && !ink; i += 4) ink = row[i + 1]! > row[i]! + 40 && row[i + 1]! > row[i + 2]! + 40;
        return { logoPixel: at(logo.x + logo.width * 0.2, logo.y + logo.height / 2), greetingInk: ink, cornerPixel: at(image.width - 5, image.height - 5) };
      },
      { data: png.toString('base64'), logo, greeting },
    );
    return { ...seen, ...pixels };
  } finally {
    await browser.close();
  }
}
