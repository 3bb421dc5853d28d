import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { createTestApp, TestApp } from '../support/test-app';
import { unzip } from '../support/zip';
import { launchChromium, screenshot, serveForBrowser } from './support/chromium';

/** Issue 12 in a real browser: leadership publishes a statement, opens what changed, and downloads both documents. */
describe('published statements in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    const res = await t.http
      .post('/api/users')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ email: 'board@browser.test', password: 'browser-password-1', role: 'leadership' });
    if (res.status !== 201) throw new Error(`user: ${res.status}`);
    // A first statement, then a receipt: the one published in the browser has something to show as changed.
    const first = await t.http.post('/api/statements').set('authorization', `Bearer ${t.adminToken}`).send({ period: '2025-Q1' });
    if (first.status !== 201) throw new Error(`statement: ${first.status}`);
    const pledges = await t.http.get('/api/pledges?limit=500').set('authorization', `Bearer ${t.adminToken}`);
    const uae = pledges.body.items.find((p: { externalRef: string }) => p.externalRef === 'seed:002:uae-mou');
    const receipt = await t.http
      .post(`/api/pledges/${uae.id}/disbursements`)
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ amount: '500000.00', currency: 'USD', receivedOn: '2025-03-14' });
    if (receipt.status !== 201) throw new Error(`receipt: ${receipt.status}`);
    base = await serveForBrowser(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('publishes after a confirmation, opens the diff against the previous statement, and downloads the Word and PDF documents', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/statements`);
    await page.fill('#email', 'board@browser.test');
    await page.fill('#password', 'browser-password-1');
    await Promise.all([page.waitForURL(`${base}/statements`), page.click('button[type=submit]')]);

    await page.fill('#period', '2025-Q1');
    await page.fill('#title', 'Funding statement, Q1 2025 (with March receipts)');
    await Promise.all([page.waitForURL(/\/statements\/publish\?/), page.click('form[action="/statements/publish"] button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Publish this statement?');
    await screenshot(page, 'statements-01-confirm');
    await Promise.all([page.waitForURL(/\/statements\/\d+$/), page.click('form[action="/statements"] button.button--primary')]);
    expect(await page.textContent('h1')).toBe('Funding statement, Q1 2025 (with March receipts)');
    expect(await page.textContent('[data-testid="statement-as-of"]')).toContain('As of 31 March 2025');
    await screenshot(page, 'statements-02-published');

    await Promise.all([page.waitForURL(/\/diff$/), page.click('a[href$="/diff"]')]);
    const receipts = await page.textContent('[data-testid="diff-receipts"]');
    expect(receipts).toContain('500000.00 USD received on 2025-03-14');
    await screenshot(page, 'statements-03-diff');
    await Promise.all([page.waitForURL(/\/statements\/\d+$/), page.click('a:text("Back to the statement")')]);

    const [docx] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/document.docx"]')]);
    expect(docx.suggestedFilename()).toMatch(/^statement-\d+\.docx$/);
    const xml =
      unzip(readFileSync(await docx.path()))
        .get('word/document.xml')
        ?.toString('utf8') ?? '';
    expect(xml).toContain('Funding statement, Q1 2025 (with March receipts)');
    expect(xml).toContain('United Arab Emirates');

    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/document.pdf"]')]);
    expect(pdf.suggestedFilename()).toMatch(/^statement-\d+\.pdf$/);
    const bytes = readFileSync(await pdf.path());
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(bytes.toString('latin1')).toMatch(/\(Page 1 of \d+\) Tj/);
    await context.close();
  });
});
