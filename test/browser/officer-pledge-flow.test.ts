import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { launchChromium, screenshot, serveForBrowser } from './support/chromium';

async function createUser(t: TestApp, role: 'officer' | 'donor', email: string, donorId?: number) {
  const res = await t.http.post('/api/users').set('authorization', `Bearer ${t.adminToken}`).send({ email, password: 'browser-password-1', role, donorId });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
}

describe('a desk officer in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let italy: number;
  let croatia: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    italy = await makeDonor(t, { name: 'Italy' });
    croatia = await makeDonor(t, { name: 'Croatia' });
    await createUser(t, 'officer', 'officer@browser.test');
    await createUser(t, 'donor', 'croatia@browser.test', croatia);
    base = await serveForBrowser(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('records a EUR pledge for two priorities, fixes a bad amount, double-submits into one pledge and records a disbursement', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/pledges/new`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#email', 'officer@browser.test');
    await page.fill('#password', 'browser-password-1');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/pledges/new`);
    expect(await page.textContent('[data-role]')).toBe('Desk officer');
    await screenshot(page, 'officer-01-new-pledge-form');

    await page.selectOption('#donorId', String(italy));
    await page.fill('#title', 'Financing of demining programmes');
    await page.check('#kind-cash');
    await page.fill('#amount', '1.500.000');
    await page.selectOption('#currency', 'EUR');
    await page.fill('#pledgedOn', '2024-10-14');
    await page.check('#priority-P01');
    await page.check('#priority-P07');
    await page.click('button.button--primary');
    await page.waitForSelector('#amount-error');
    expect(await page.textContent('#amount-error')).toBe('Amount must be a number such as 1500000.00');
    expect(await page.inputValue('#title')).toBe('Financing of demining programmes');
    expect(await page.isChecked('#priority-P07')).toBe(true);
    await screenshot(page, 'officer-02-amount-error');

    await page.fill('#amount', '1,500,000');
    await Promise.all([page.waitForURL(/\/pledges\/\d+\?recorded=pledge$/), page.dblclick('button.button--primary')]);
    await page.waitForLoadState('networkidle');
    const pledges = await t.dataSource.getRepository(PledgeEntity).find({ relations: { earmarks: true } });
    expect(pledges).toHaveLength(1);
    expect(pledges[0].amountMinor).toBe(150000000n);
    expect(pledges[0].currency).toBe('EUR');
    expect(pledges[0].earmarks.map((e) => e.priorityCode).sort()).toEqual(['P01', 'P07']);
    expect(await page.textContent('[data-field=amount]')).toBe('1,500,000.00 EUR');
    await screenshot(page, 'officer-03-pledge-recorded');

    await page.fill('#amount', '500000');
    await page.fill('#receivedOn', '2024-11-05');
    await page.fill('#reference', 'Transfer 2024/118');
    await Promise.all([page.waitForURL(/recorded=disbursement$/), page.click('text=Record disbursement')]);
    expect(await page.textContent('[data-field=disbursed]')).toBe('500,000.00 EUR');
    expect(await page.textContent('[data-field=receipt-status]')).toBe('Receipt not documented');
    expect(await page.textContent('[data-field=receipt-not-documented]')).toBe('1,000,000.00 EUR');
    await screenshot(page, 'officer-04-disbursement-recorded');
    await page.close();
  });

  it('keeps a donor user on its own donor page: another donor is not found', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#email', 'croatia@browser.test');
    await page.fill('#password', 'browser-password-1');
    await Promise.all([page.waitForURL(`${base}/donors/${croatia}`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Croatia');
    const other = await page.goto(`${base}/donors/${italy}`);
    expect(other?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('Page not found');
    await screenshot(page, 'donor-01-other-donor-not-found');
    await page.close();
  });
});
