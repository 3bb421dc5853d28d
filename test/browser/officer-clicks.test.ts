import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { launchChromium, serveForBrowser } from './support/chromium';

/**
 * Clicks per desk-officer task, counted. A click is anything done with the pointer: following a
 * link, pressing a button, ticking a box, choosing from a list. Typing is not counted. Each task
 * starts on the page an officer lands on after signing in (/pledges).
 */
async function createUser(t: TestApp, role: 'officer', email: string) {
  const res = await t.http.post('/api/users').set('authorization', `Bearer ${t.adminToken}`).send({ email, password: 'browser-password-1', role });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * Today's counts, measured on main at afd4408 (2026-12-05) with this test before the screens changed:
 * the same tasks, the same counting, the cheapest path the screens offered. On main a desk officer
 * could not open the audit log at all; that count was taken as an administrator.
 */
const CLICKS_ON_MAIN = {
  newPledge: 5,
  partialDisbursement: 2,
  deliveryOfFiveDogs: 2,
  cancellation: 4,
  findInList: 1,
  findInAudit: 1,
} as const;

class Clicks {
  count = 0;
  constructor(private readonly page: Page) {}
  async click(selector: string) {
    this.count += 1;
    await this.page.click(selector);
  }
  async clickToNavigate(selector: string) {
    this.count += 1;
    await Promise.all([this.page.waitForNavigation(), this.page.click(selector)]);
  }
  async check(selector: string) {
    this.count += 1;
    await this.page.check(selector);
  }
  async select(selector: string, value: string) {
    this.count += 1;
    await this.page.selectOption(selector, value);
  }
}

describe('clicks per officer task', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let korea: number;
  const counted: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const others = await makeDonor(t, { name: 'Other donor' });
    for (let i = 0; i < 5; i++) await makePledge(t, others, { title: `Other pledge ${i}` });
    // There is no donor form on the screens: a new donor is added through POST /api/donors.
    korea = await makeDonor(t, { name: 'Republic of Korea', countryCode: 'KR' });
    await makePledge(t, korea, {
      title: 'Mine detection dogs for Fuzuli',
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 30, unit: 'mine detection dogs', upTo: true },
    });
    await makePledge(t, korea, { title: 'Survey equipment', amount: '250000.00' });
    await createUser(t, 'officer', 'clicks.officer@browser.test');
    base = await serveForBrowser(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', 'browser-password-1');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return page;
  }

  it('counts the clicks of each task', async () => {
    const page = await signedIn('clicks.officer@browser.test');
    expect(new URL(page.url()).pathname).toBe('/pledges');

    let c = new Clicks(page);
    await c.clickToNavigate('text=Record a pledge');
    await c.select('#donorId', String(korea));
    await page.fill('#title', 'Clearance of Aghdam district');
    await page.fill('#amount', '2,000,000');
    await c.select('#currency', 'EUR');
    await page.fill('#pledgedOn', '2024-11-20');
    await c.check('#priority-P01');
    await c.clickToNavigate('button.button--primary');
    expect(page.url()).toMatch(/recorded=pledge$/);
    counted.newPledge = c.count;

    await page.goto(`${base}/pledges`);
    c = new Clicks(page);
    await c.clickToNavigate('a:text("Clearance of Aghdam district")');
    await page.fill('#amount', '500000');
    await c.clickToNavigate('text=Record disbursement');
    expect(page.url()).toMatch(/recorded=disbursement$/);
    counted.partialDisbursement = c.count;

    await page.goto(`${base}/pledges`);
    c = new Clicks(page);
    await c.clickToNavigate('a:text("Mine detection dogs for Fuzuli")');
    await page.fill('#quantity', '5');
    await c.clickToNavigate('text=Record delivery');
    expect(page.url()).toMatch(/recorded=disbursement$/);
    counted.deliveryOfFiveDogs = c.count;

    await page.goto(`${base}/pledges`);
    c = new Clicks(page);
    await c.clickToNavigate('a:text("Survey equipment")');
    // The pledge page links to a page that says what cancelling changes (on main: a fold-out form).
    await c.clickToNavigate('text=Cancel this pledge…');
    await page.fill('#reason', 'Donor letter of 3 May 2025 withdraws it');
    await c.check('#confirm');
    await c.clickToNavigate('button.button--danger');
    expect(page.url()).toMatch(/recorded=cancel$/);
    counted.cancellation = c.count;

    await page.goto(`${base}/pledges`);
    c = new Clicks(page);
    // The search applies when it is left or submitted with Enter (app.js): typing, no click.
    await page.fill('#filter-q', 'Korea');
    await Promise.all([page.waitForNavigation(), page.press('#filter-q', 'Enter')]);
    const titles = await page.locator('#pledges tbody tr td:nth-child(2)').allTextContents();
    expect(titles.map((title) => title.trim()).sort()).toEqual(['Clearance of Aghdam district', 'Mine detection dogs for Fuzuli', 'Survey equipment']);
    expect(await page.locator('#pledges tbody .tag--cancelled').count()).toBe(1);
    counted.findInList = c.count;

    // The desk officer reads the audit log itself now, newest first: today's work is on top.
    c = new Clicks(page);
    await c.clickToNavigate('nav >> text=Audit log');
    const audit = (await page.locator('#audit tbody').textContent()) ?? '';
    for (const record of [
      'Mine detection dogs for Fuzuli (Republic of Korea)',
      'Survey equipment (Republic of Korea)',
      'Clearance of Aghdam district (Republic of Korea)',
    ])
      expect(audit).toContain(record);
    for (const action of ['Pledge recorded', 'Disbursement recorded', 'Delivery recorded', 'Pledge cancelled']) expect(audit).toContain(action);
    counted.findInAudit = c.count;
    await page.close();

    expect(Object.keys(counted).sort()).toEqual(Object.keys(CLICKS_ON_MAIN).sort());
    const moreThanToday = Object.entries(CLICKS_ON_MAIN)
      .filter(([task, most]) => counted[task] > most)
      .map(([task, most]) => `${task}: ${counted[task]} clicks, ${most} on main`);
    expect(moreThanToday).toEqual([]);
  });
});
