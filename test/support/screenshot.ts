// What a screenshot shows, decoded by the browser that took it: a blank page draws the PNG on a canvas
// and hands its pixels back, so the tests need no PNG decoder of their own.
import type { Browser } from 'playwright-core';

/** A decoded screenshot: RGBA bytes, row by row. */
export interface Screenshot {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

export interface ScreenshotSummary {
  readonly width: number;
  readonly height: number;
  /** The most common colour (RGB): the page's background. */
  readonly background: readonly number[];
  /** Share of pixels that differ clearly from the background: text, borders, images. */
  readonly inkShare: number;
  /** Distinct colours, each channel rounded to 16 levels. */
  readonly colours: number;
}

export async function decodeScreenshot(browser: Browser, png: Uint8Array): Promise<Screenshot> {
  const blank = await browser.newPage();
  try {
    const decoded = await blank.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      let binary = '';
      for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000));
      return { width: image.width, height: image.height, rgba: btoa(binary) };
    }, Buffer.from(png).toString('base64'));
    return { width: decoded.width, height: decoded.height, rgba: new Uint8Array(Buffer.from(decoded.rgba, 'base64')) };
  } finally {
    await blank.close();
  }
}

/** The RGB colour at (x, y), rounded to whole pixels. */
export function pixelAt(shot: Screenshot, x: number, y: number): number[] {
  const offset = (Math.round(y) * shot.width + Math.round(x)) * 4;
  return [shot.rgba[offset]!, shot.rgba[offset + 1]!, shot.rgba[offset + 2]!];
}

export async function summarizeScreenshot(browser: Browser, png: Uint8Array): Promise<ScreenshotSummary> {
  const { width, height, rgba } = await decodeScreenshot(browser, png);
  const counts = new Map<number, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const key = ((rgba[i]! >> 4) << 8) | ((rgba[i + 1]! >> 4) << 4) | (rgba[i + 2]! >> 4);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [common] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const background = [((common >> 8) & 15) * 16, ((common >> 4) & 15) * 16, (common & 15) * 16];
  let ink = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const distance = Math.abs(rgba[i]! - background[0]!) + Math.abs(rgba[i + 1]! - background[1]!) + Math.abs(rgba[i + 2]! - background[2]!);
    if (distance > 96) ink++;
  }
  return { width, height, background, inkShare: ink / (rgba.length / 4), colours: counts.size };
}
