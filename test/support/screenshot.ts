// What a screenshot shows, decoded by the browser that took it: a blank page draws the PNG on a canvas and
// reads its pixels back, so the tests need no PNG decoder of their own. For any test with a Chromium.
import type { Browser } from 'playwright-core';

export interface ScreenshotSummary {
  readonly width: number;
  readonly height: number;
  /** The most common colour, each channel rounded down to a multiple of 16: the page's background. */
  readonly background: readonly number[];
  /** The share of pixels clearly unlike the background: text, borders, images. */
  readonly inkShare: number;
  /** Distinct colours at 16 levels per channel. */
  readonly colours: number;
}

export async function summarizeScreenshot(browser: Browser, png: Uint8Array): Promise<ScreenshotSummary> {
  const blank = await browser.newPage();
  try {
    return await blank.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < pixels.length; i += 4) {
        const key = ((pixels[i]! >> 4) << 8) | ((pixels[i + 1]! >> 4) << 4) | (pixels[i + 2]! >> 4);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const [common] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
      const background = [((common >> 8) & 15) * 16, ((common >> 4) & 15) * 16, (common & 15) * 16];
      let ink = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const distance = Math.abs(pixels[i]! - background[0]!) + Math.abs(pixels[i + 1]! - background[1]!) + Math.abs(pixels[i + 2]! - background[2]!);
        if (distance > 96) ink++;
      }
      return { width: image.width, height: image.height, background, inkShare: ink / (pixels.length / 4), colours: counts.size };
    }, Buffer.from(png).toString('base64'));
  } finally {
    await blank.close();
  }
}
