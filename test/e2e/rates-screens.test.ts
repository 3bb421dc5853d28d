import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'ecb');

/** Issue 14, exchange rates from the browser: an ECB file with a preview, and one rate by hand; on the database TEST_DB names. */
describe('exchange rates screen', () => {
  let t: TestApp;
  let officer: WebSession;
  let daily: string;
  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });
  const usdOn = async (date: string) => (await t.http.get('/api/fx-rates/convert').set(admin()).query({ amount: '100.00', from: 'EUR', to: 'USD', date })).body;

  beforeAll(async () => {
    t = await createTestApp();
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
    daily = await readFile(join(FIXTURES, 'eurofxref-daily.csv'), 'utf8');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('previews the ECB daily file without saving anything, then adds its rates once, and a second confirmation changes nothing', async () => {
    await officer.get('/rates');
    const preview = await officer.upload('/rates/upload', { name: 'eurofxref-daily.csv', content: daily });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Check the rates file');
    expect(preview.text).toContain('eurofxref-daily.csv');
    expect(preview.text).toMatch(/<strong>\d+ are new<\/strong>; 0 are already on record/);
    expect(preview.text).toContain('EUR/USD');
    expect((await usdOn('2024-10-11')).statusCode).toBe(422);

    const id = /action="\/rates\/upload\/([0-9a-f-]{36})"/.exec(preview.text)?.[1] as string;
    const applied = await officer.post(`/rates/upload/${id}`, {});
    expect(applied.status).toBe(303);
    const page = await officer.get(applied.headers.location);
    expect(page.text).toMatch(/Imported \d+ new rate\(s\); 0 already on record/);
    expect(page.text).toContain('EUR/USD');
    expect((await usdOn('2024-10-11')).converted).toEqual({ amount: '109.38', currency: 'USD' });

    const again = await officer.post(`/rates/upload/${id}`, {});
    expect(again.status).toBe(400);
    expect(again.text).toContain('upload the file again');

    const second = await officer.upload('/rates/upload', { name: 'eurofxref-daily.csv', content: daily });
    expect(second.text).toMatch(/<strong>0 are new<\/strong>/);
    expect(second.text).toMatch(/<button type="submit" class="button--primary" disabled>/);
  });

  it('a broken file, no file, or a missing CSRF token is refused with a message and saves nothing', async () => {
    await officer.get('/rates');
    const before = (await t.http.get('/api/fx-rates/coverage').set(admin())).body;
    const broken = await officer.upload('/rates/upload', { name: 'rates.csv', content: 'Date,USD,\n2024-10-11,one point one,\n' });
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('id="file-error"');
    expect(broken.text).toContain('line 2');
    const none = await officer.upload('/rates/upload', null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose an ECB rates file');
    const forged = await t.http
      .post('/rates/upload')
      .set('accept', 'text/html')
      .set('cookie', [...officer.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      .attach('file', Buffer.from(daily), 'eurofxref-daily.csv');
    expect(forged.status).toBe(403);
    expect((await t.http.get('/api/fx-rates/coverage').set(admin())).body).toEqual(before);
  });

  it('records one rate by hand; hostile or contradictory input is refused beside the field and saves nothing', async () => {
    await officer.get('/rates');
    const bad = await officer.post('/rates/add', { base: 'GEL', quote: 'GEL', rate: '-1', date: '2024-02-30', source: '<script>x</script>' });
    expect(bad.status).toBe(400);
    for (const id of ['rate-rate-error', 'rate-date-error']) expect(bad.text).toContain(`id="${id}"`);
    expect(bad.text).not.toContain('<script>x</script>');
    const ok = await officer.post('/rates/add', { base: 'gel', quote: 'AZN', rate: '0.6300', date: '2024-10-11', source: 'National Bank of Georgia' });
    expect(ok.status).toBe(303);
    expect((await officer.get(ok.headers.location)).text).toContain('GEL/AZN rate recorded.');
    const dup = await officer.post('/rates/add', { base: 'GEL', quote: 'AZN', rate: '0.6400', date: '2024-10-11', source: 'National Bank of Georgia' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('a rate for this pair and date exists');
  });
});
