import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(process.cwd(), 'test', 'fixtures', 'ecb', name), 'utf8');

describe(`exchange rates (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const convert = (amount: string, from: string, to: string, date: string) =>
    t.http.get(`/api/fx-rates/convert?amount=${amount}&from=${from}&to=${to}&date=${date}`).set(auth);

  beforeAll(async () => {
    t = await createTestApp();
    auth = { authorization: `Bearer ${t.adminToken}` };
    await t.http
      .post('/api/fx-rates')
      .set(auth)
      .send({ base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01', source: 'Central Bank of Azerbaijan' })
      .expect(201);
  });
  afterAll(() => t.close());

  it('imports the ECB history layout, then skips what it already has', async () => {
    const first = await t.http.post('/api/fx-rates/import?format=ecb').set(auth).set('content-type', 'text/csv').send(fixture('eurofxref-hist-head.csv'));
    expect(first.status).toBe(200);
    // 5 days × 30 quoted currencies; the 11 withdrawn ones (CYP, EEK, LTL…) are N/A on each day
    expect(first.body).toEqual({ imported: 150, skipped: 0, notQuoted: 55 });
    const again = await t.http.post('/api/fx-rates/import?format=ecb').set(auth).set('content-type', 'text/csv').send(fixture('eurofxref-hist-head.csv'));
    expect(again.body).toEqual({ imported: 0, skipped: 150, notQuoted: 55 });
  });

  it('accepts the daily layout of the same feed; its rates are already known', async () => {
    const res = await t.http.post('/api/fx-rates/import').set(auth).set('content-type', 'text/csv').send(fixture('eurofxref-daily.csv'));
    expect(res.body).toEqual({ imported: 0, skipped: 30, notQuoted: 0 });
  });

  it('refuses a file that is not an ECB layout, naming the line and column, and writes nothing', async () => {
    const res = await t.http.post('/api/fx-rates/import').set(auth).set('content-type', 'text/csv').send('Date,USD,\n2024-10-12,1.09x,\n');
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'line 2: USD', message: 'line 2, USD: "1.09x" is not a positive decimal rate' }]);
    const check = await convert('1.00', 'EUR', 'USD', '2024-10-12');
    expect(check.body.ratesUsed[0].date).toBe('2024-10-11');
  });

  it('uses the nearest earlier rate and says which date it used', async () => {
    const res = await convert('1000.00', 'EUR', 'USD', '2024-10-13');
    expect(res.body).toMatchObject({
      converted: { amount: '1093.80', currency: 'USD' },
      rate: '1.0938',
      valueDate: '2024-10-13',
      ratesUsed: [{ base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11' }],
    });
  });

  it('says beside the figure when its rate is more than 7 days older than the value date, and only then', async () => {
    const weekOld = await convert('1000.00', 'EUR', 'USD', '2024-10-18');
    expect(weekOld.body.converted).toEqual({ amount: '1093.80', currency: 'USD' });
    const eightDays = await convert('1000.00', 'EUR', 'USD', '2024-10-19');
    expect(eightDays.body.converted).toEqual({ amount: '1093.80', currency: 'USD', rateDate: '2024-10-11', staleDays: 8 });
  });

  it('inverts a published rate: USD to EUR', async () => {
    const res = await convert('1093.80', 'USD', 'EUR', '2024-10-11');
    expect(res.body.converted).toEqual({ amount: '1000.00', currency: 'EUR' });
  });

  it('crosses through the pivots: EUR → USD → AZN and GBP → EUR → USD → AZN', async () => {
    const eurAzn = await convert('1500000.00', 'EUR', 'AZN', '2024-10-11');
    expect(eurAzn.body).toMatchObject({ converted: { amount: '2789190.00', currency: 'AZN' }, rate: '1.85946' });
    expect(eurAzn.body.ratesUsed.map((r: { base: string; quote: string }) => `${r.base}/${r.quote}`)).toEqual(['EUR/USD', 'USD/AZN']);
    const gbpAzn = await convert('100.00', 'GBP', 'AZN', '2024-10-11');
    // 100 / 0.83705 × 1.0938 × 1.7 = 222.1420…
    // The USD/AZN leg, of 2018-01-01, dates the chain: 2,475 days before the value date.
    expect(gbpAzn.body.converted).toEqual({ amount: '222.14', currency: 'AZN', rateDate: '2018-01-01', staleDays: 2475 });
    expect(gbpAzn.body.ratesUsed.map((r: { base: string; quote: string }) => `${r.base}/${r.quote}`)).toEqual(['EUR/GBP', 'EUR/USD', 'USD/AZN']);
  });

  it('answers 422 naming the pair and date when there is no rate at all, never 1:1', async () => {
    const before = await convert('100.00', 'EUR', 'USD', '2024-10-06');
    expect(before.status).toBe(422);
    expect(before.body).toMatchObject({ statusCode: 422, message: 'No exchange rate from EUR to USD on or before 2024-10-06', details: [{ field: 'to' }] });
  });

  it('lets no desk officer import rates without signing in, and leadership only read them', async () => {
    expect((await t.http.post('/api/fx-rates/import').set('content-type', 'text/csv').send('x')).status).toBe(401);
    const leadership = await t.tokenFor('leadership');
    expect(
      (
        await t.http
          .post('/api/fx-rates')
          .set('authorization', `Bearer ${leadership}`)
          .send({ base: 'USD', quote: 'AZN', rate: '1.7', date: '2019-01-01', source: 'x y' })
      ).status,
    ).toBe(403);
    expect((await t.http.get('/api/fx-rates/coverage').set('authorization', `Bearer ${leadership}`)).status).toBe(200);
  });
});
