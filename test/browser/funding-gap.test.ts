import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { screenshot } from './support/chromium';
import { seededBrowserApp, type SeededBrowserApp } from './support/seeded-browser-app';

describe('leadership reads the funding gap in a real browser', () => {
  let browser: Browser;
  let base: string;

  let app: SeededBrowserApp | undefined;

  beforeAll(async () => {
    app = await seededBrowserApp('board@browser.test', 'leadership');
    ({ base, browser } = app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs in, switches to EUR, goes back before the UAE pledge, downloads the by-priority CSV and prints on A4', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // The browser reports what the Content-Security-Policy refused (inline styles in the charts did, twice a load).
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#email', 'board@browser.test');
    await page.fill('#password', 'browser-password-1');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    expect(await page.textContent('[data-role]')).toBe('Leadership');

    const governmentFigure = page.locator('[data-testid=headline-government] .headline-figure__value');
    expect(await governmentFigure.textContent()).toBe('464M USD');
    expect(await governmentFigure.getAttribute('title')).toBe('464,117,647.06 USD');
    expect(await page.locator('[data-testid=by-donor] tbody th', { hasText: 'United Arab Emirates' }).count()).toBe(1);

    // The display currency switch is a plain GET form: no JavaScript needed.
    await page.selectOption('#currency', 'EUR');
    await Promise.all([page.waitForURL(/currency=EUR/), page.click('.currency-switch button[type=submit]')]);
    // 789,000,000 AZN → USD at 1.7000 → EUR at 1 / 1.0938 (ECB, 2024-10-11).
    expect(await governmentFigure.textContent()).toBe('424M EUR');
    expect(await governmentFigure.getAttribute('title')).toBe('424,316,737.12 EUR');

    // The UAE pledge has no date of its own; it counts from its source document's date, 31 March 2025.
    await page.fill('#asOf', '2025-03-30');
    await Promise.all([page.waitForURL(/asOf=2025-03-30/), page.click('.currency-switch button[type=submit]')]);
    expect(await page.textContent('[data-testid=as-of]')).toBe('2025-03-30');
    const donorNames = await page.locator('[data-testid=by-donor] tbody th').allTextContents();
    expect(donorNames).toEqual(['Saudi Arabia (KSrelief)']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv-by-priority]')]);
    expect(download.suggestedFilename()).toBe('funding-gap-by-priority-EUR-2025-03-30.csv');
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('rank,code,priority,pledged,received,target,gap,percent_funded,unfunded,currency,in_kind');
    expect(lines.slice(1, 13).map((line) => line.split(',')[1])).toEqual(['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10', 'P11', 'P12']);
    expect(lines[2]).toBe('2,P02,Mine Victim Assistance,0.00,0.00,,,,yes,EUR,');
    expect(lines[13]).toBe(',,Not earmarked to a priority,0.00,0.00,,,,,EUR,');
    // The day before the report's date no government figure is stated: the page says so rather than show 0.
    expect(await page.textContent('[data-testid=government-not-recorded]')).toBe('Not recorded for this date');

    await screenshot(page, 'funding-gap-01-eur-before-uae');

    await page.goto(`${base}/?currency=USD`);
    await screenshot(page, 'funding-gap-02-usd-today');
    expect(consoleErrors).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('.currency-switch').isVisible()).toBe(false);
    expect(await page.locator('.print-footer').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(page, 'funding-gap-03-print');
    await context.close();
  });
});
