import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS_DIR } from './support/chromium';
import { seededBrowserApp, type SeededBrowserApp } from './support/seeded-browser-app';

interface PrintedPage {
  /** The sheet's text with every space taken out: a PDF splits words and ligatures ("fi gures") as it likes. */
  squeezed: string;
  height: number;
  /** Height above the bottom edge of the sheet of its lowest content, above the repeated footer and the margin boxes. */
  contentEndsAt: number;
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

/** Each sheet's text, as a PDF reader extracts it (pdfjs-dist, Mozilla's PDF library). */
async function printedPages(pdf: Buffer): Promise<PrintedPage[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: PrintedPage[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const items = (await page.getTextContent()).items.flatMap((item) =>
      'str' in item && item.str.trim() ? [{ str: item.str, y: item.transform[5] as number }] : [],
    );
    const footerAt = Math.max(...items.filter((i) => i.str.includes('Funding gap as of')).map((i) => i.y));
    pages.push({
      squeezed: squeeze(items.map((i) => i.str).join('')),
      height: page.getViewport({ scale: 1 }).height,
      contentEndsAt: Math.min(...items.filter((i) => i.y > footerAt + 2).map((i) => i.y)),
    });
  }
  return pages;
}

describe('the funding-gap page printed on A4', () => {
  let browser: Browser;
  let base: string;

  let app: SeededBrowserApp | undefined;

  beforeAll(async () => {
    app = await seededBrowserApp('print@browser.test', 'leadership');
    ({ base, browser } = app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('carries the as-of date and the generation time in words on every sheet, numbers the sheets and leaves none half empty', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=${encodeURIComponent('/?currency=USD&asOf=2025-06-30')}`);
    await page.fill('#email', 'print@browser.test');
    await page.fill('#password', 'browser-password-1');
    await Promise.all([page.waitForURL(/asOf=2025-06-30/), page.click('button[type=submit]')]);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    mkdirSync(join(ARTIFACTS_DIR, 'screens'), { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, 'screens', 'funding-gap-print.pdf'), pdf);
    await context.close();

    const pages = await printedPages(pdf);
    // The report's data takes a few sheets: charts whole, tables running on from sheet to sheet.
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.length).toBeLessThanOrEqual(6);
    pages.forEach((sheet, index) => {
      expect(sheet.squeezed).toContain(squeeze('Funding gap as of 30 June 2025, figures in USD'));
      expect(sheet.squeezed).toMatch(
        /generated\d{1,2}(January|February|March|April|May|June|July|August|September|October|November|December)\d{4},\d{2}:\d{2}\(Bakutime\)/,
      );
      expect(sheet.squeezed).toContain(squeeze(`Page ${index + 1} of ${pages.length}`));
    });
    // The generation time is never the raw ISO timestamp.
    expect(pages.map((p) => p.squeezed).join('')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    // No sheet but the last is left half empty: its content reaches into the lower third.
    const halfEmpty = pages
      .slice(0, -1)
      .flatMap((sheet, index) =>
        sheet.contentEndsAt > sheet.height / 3
          ? [`sheet ${index + 1}: content ends ${Math.round(sheet.height - sheet.contentEndsAt)} of ${Math.round(sheet.height)} pt down`]
          : [],
      );
    expect(halfEmpty).toEqual([]);
  });
});
