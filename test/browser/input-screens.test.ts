import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { formatShare } from '../../src/common/presentation/format';
import { DonorEntity } from '../../src/donors/donor.entity';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { seedReferenceData } from '../support/factories';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';
import { launchChromium, screenshot, serveForBrowser } from './support/chromium';

/** Issue 14 in a real browser: the inputs the figures depend on, entered from the screens. */
describe('every input has a screen, in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  async function signIn(email: string, password: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('button[type=submit]')]);
    return page;
  }

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const officer = await t.http
      .post('/api/users')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ email: 'officer@inputs.test', password: 'browser-password-1', role: 'officer' });
    if (officer.status !== 201) throw new Error(`user: ${officer.status}`);
    base = await serveForBrowser(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a desk officer adds a donor from inside the new-pledge form, adds a contact, records a pledge to two priorities and finds it on the funding-gap page', async () => {
    const page = await signIn('officer@inputs.test', 'browser-password-1');
    await page.goto(`${base}/pledges/new`);
    await page.fill('#title', 'Mine detection dogs for Fuzuli');
    await page.check('#kind-cash');
    await page.fill('#amount', '400000');
    await page.fill('#pledgedOn', '2024-10-14');
    await page.check('#priority-P05');
    await page.check('#priority-P07');
    await Promise.all([page.waitForURL(/\/donors\/new\?returnTo=/), page.click('text=The donor is not listed')]);
    await page.fill('#name', 'Kingdom of Norway');
    await page.fill('#countryCode', 'NO');
    await page.fill('#contactEmail', 'mine.action@norway.example');
    await screenshot(page, 'inputs-01-donor-from-pledge');
    await Promise.all([page.waitForURL(/\/pledges\/new\?/), page.click('button.button--primary')]);
    const norway = await t.dataSource.getRepository(DonorEntity).findOneByOrFail({ name: 'Kingdom of Norway' });
    expect(await page.inputValue('#donorId')).toBe(String(norway.id));
    expect(await page.inputValue('#title')).toBe('Mine detection dogs for Fuzuli');
    expect(await page.isChecked('#priority-P07')).toBe(true);

    // Enter in a text field records the pledge: the form's default button is not "the donor is not listed".
    await Promise.all([page.waitForURL(/\/pledges\/\d+\?recorded=pledge$/), page.press('#title', 'Enter')]);
    const [pledge] = await t.dataSource.getRepository(PledgeEntity).find({ where: { donorId: norway.id }, relations: { earmarks: true } });
    expect(pledge.earmarks.map((e) => e.priorityCode).sort()).toEqual(['P05', 'P07']);

    await page.goto(`${base}/donors/${norway.id}`);
    await Promise.all([page.waitForURL(/contacts\/new$/), page.click('text=Add a contact')]);
    await page.fill('#email', 'second@norway.example');
    await page.fill('#language', 'nb');
    await Promise.all([page.waitForURL(/contact=added/), page.click('button.button--primary')]);
    expect(await page.textContent('#contacts')).toContain('second@norway.example');

    await page.goto(`${base}/`);
    expect(await page.textContent('main')).toContain('Kingdom of Norway');
    await screenshot(page, 'inputs-02-gap-with-new-donor');
    await page.close();
  });

  it('an admin sets a target for priority 7 and sees its gap and percentage funded; uploads the ECB daily file and sees the new rate', async () => {
    const page = await signIn(ADMIN.email, ADMIN.password);
    await page.goto(`${base}/priorities/P07`);
    await page.fill('#amount', '2000000');
    await page.fill('#currency', 'USD');
    await page.fill('#source', 'ANAMA estimate');
    await Promise.all([page.waitForURL(/\/priorities\/P07$/), page.click('button.button--primary')]);
    expect(await page.textContent('#target-history')).toContain('ANAMA estimate');
    const gap = await t.http.get('/api/funding-gap').set('authorization', `Bearer ${t.adminToken}`).query({ currency: 'USD' });
    const p07 = gap.body.byPriority.find((p: { code: string }) => p.code === 'P07');
    expect(p07.target).toEqual({ amount: '2000000.00', currency: 'USD' });
    await page.goto(`${base}/`);
    const row = await page.textContent('tr[data-priority-code="P07"]');
    expect(p07.percentFunded).toBe('0.1000');
    expect(row).toContain(formatShare(p07.percentFunded));
    expect(row).toContain('1,800,000 USD');
    await screenshot(page, 'inputs-03-target-on-gap-page');

    await page.goto(`${base}/rates`);
    await page.setInputFiles('#file', {
      name: 'eurofxref-daily.csv',
      mimeType: 'text/csv',
      buffer: await readFile(join(process.cwd(), 'test', 'fixtures', 'ecb', 'eurofxref-daily.csv')),
    });
    await Promise.all([page.waitForURL(/\/rates\/upload/), page.click('text=Preview the file')]);
    expect(await page.textContent('main')).toContain('are new');
    await screenshot(page, 'inputs-04-rates-preview');
    await Promise.all([page.waitForURL(/\/rates\?imported=/), page.click('button.button--primary')]);
    expect(await page.textContent('main')).toContain('EUR/GBP');
    await page.close();
  });

  it('a desk officer imports a CSV with one bad row (nothing saved, the row and column named), fixes it, creates its new donor and imports it', async () => {
    const page = await signIn('officer@inputs.test', 'browser-password-1');
    const header = 'externalRef,recordKind,donor,donorType,donorCountryCode,title,kind,amount,currency,pledgedOn,channel,priorityCodes,source,receivedOn';
    const rows = (amount: string) =>
      [
        header,
        'BR-1,pledge,Republic of Estonia,government,EE,Clearance in Aghdam,cash,250000.00,USD,2024-10-11,direct,P01,Note verbale p. 1,',
        `BR-2,pledge,Republic of Estonia,,,Risk education,cash,${amount},USD,2024-10-11,ngo,P12,Note verbale p. 2,`,
        'BR-1,receipt,,,,,,100000.00,USD,,,,Bank advice p. 1,2024-11-04',
      ].join('\n');
    const pledges = () => t.dataSource.getRepository(PledgeEntity).count();
    const before = await pledges();

    await page.goto(`${base}/import`);
    expect(await page.getAttribute('a[href="/api/import/pledges/template.csv"]', 'download')).not.toBeNull();
    await page.setInputFiles('#file', { name: 'pledges.csv', mimeType: 'text/csv', buffer: Buffer.from(rows('12.345')) });
    await Promise.all([page.waitForURL(/\/import\/check/), page.click('text=Check the file')]);
    const problems = await page.textContent('#import-errors');
    expect(problems).toContain('amount has 3 decimals but USD has 2');
    expect(await page.textContent('#import-errors tbody tr td.num')).toBe('3');
    expect(await page.textContent('#import-errors tbody tr th')).toBe('amount');
    expect(await page.locator('#createDonors').count()).toBe(0);
    await screenshot(page, 'inputs-05-import-bad-row');
    expect(await pledges()).toBe(before);

    await page.setInputFiles('#file', { name: 'pledges.csv', mimeType: 'text/csv', buffer: Buffer.from(rows('12345.00')) });
    await Promise.all([page.waitForURL(/\/import\/check/), page.click('text=Check the file')]);
    expect(await page.textContent('#import-to-create')).toBe('2 pledge(s)');
    expect(await page.textContent('#donors-to-create')).toContain('Republic of Estonia');
    await page.check('#createDonors');
    await screenshot(page, 'inputs-06-import-dry-run');
    await Promise.all([page.waitForURL(/\/import\?created=2/), page.click('button.button--primary')]);
    expect(await page.textContent('main')).toContain('Imported 2 pledge(s) and 1 receipt(s) or deliveries; created 1 donor(s).');
    const estonia = await t.dataSource.getRepository(DonorEntity).findOneByOrFail({ name: 'Republic of Estonia' });
    const imported = await t.dataSource.getRepository(PledgeEntity).findBy({ donorId: estonia.id });
    expect(imported.map((p) => p.externalRef).sort()).toEqual(['BR-1', 'BR-2']);
    expect(imported.find((p) => p.externalRef === 'BR-1')?.disbursedMinor).toBe(10000000n);
    expect(await pledges()).toBe(before + 2);
    await page.close();
  });
});
