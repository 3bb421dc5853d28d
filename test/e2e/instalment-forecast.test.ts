import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { addDays, todayUtc } from '../../src/common/dates';
import { formatAmount, parseAmount } from '../../src/common/money/money';
import { quarterOf } from '../../src/ledger/instalment-rules';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb } from './web-support';

/** Issue 13, the forecast: expected foreign money by quarter beside this year's work-plan need; on the database TEST_DB names. */
describe('GET /api/funding-gap/forecast', () => {
  let t: TestApp;
  let officer: string;
  const today = todayUtc();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    officer = await t.tokenFor('officer');
  });
  afterAll(async () => {
    await t?.close();
  });

  type Instalment = { dueOn: string; expected: { amount: string; currency: string } | null };

  it('each quarter is the sum of the instalments not yet received in it, in the pledge currency and converted at the pledge value date', async () => {
    const donorId = await makeDonor(t, { name: 'Forecast Donor' });
    const euros = await makePledge(t, donorId, { amount: '1000000.00', currency: 'EUR', pledgedOn: '2024-06-03' });
    const dollars = await makePledge(t, donorId, { amount: '90000.00', currency: 'USD', pledgedOn: '2024-06-03' });
    const cancelled = await makePledge(t, donorId, { amount: '5000.00', currency: 'EUR' });
    const dogs = await makePledge(t, donorId, { kind: 'in_kind', amount: undefined, currency: undefined, inKind: { quantity: 4, unit: 'dogs' } });
    const plan = (pledgeId: number, dueOn: string, body: Record<string, unknown>) =>
      t.http
        .post(`/api/pledges/${pledgeId}/instalments`)
        .set(as(officer))
        .send({ dueOn, ...body });
    for (const [offset, amount] of [
      [-40, '250000.00'],
      [5, '250000.00'],
      [100, '250000.00'],
      [200, '250000.00'],
    ] as const) {
      expect((await plan(euros.id, addDays(today, offset), { amount })).status).toBe(201);
    }
    for (const [offset, amount] of [
      [6, '30000.00'],
      [101, '60000.00'],
    ] as const) {
      expect((await plan(dollars.id, addDays(today, offset), { amount })).status).toBe(201);
    }
    expect((await plan(cancelled.id, addDays(today, 5), { amount: '5000.00' })).status).toBe(201);
    expect((await plan(dogs.id, addDays(today, 5), { quantity: 4 })).status).toBe(201);
    await t.http.post(`/api/pledges/${cancelled.id}/cancel`).set(as(officer)).send({ reason: 'Withdrawn by the donor (letter)' });
    for (const amount of ['250000.00', '125000.00']) {
      await t.http.post(`/api/pledges/${euros.id}/disbursements`).set(as(officer)).send({ amount, currency: 'EUR', receivedOn: today });
    }
    await t.http.post(`/api/pledges/${dollars.id}/disbursements`).set(as(officer)).send({ amount: '10000.00', receivedOn: today });

    // What each pledge's own schedule says is still expected, summed per quarter and currency.
    const expectedBy = new Map<string, Map<string, bigint>>();
    for (const pledge of [euros, dollars]) {
      const schedule: Instalment[] = (await t.http.get(`/api/pledges/${pledge.id}`).set(as(officer))).body.instalments;
      for (const i of schedule) {
        if (!i.expected) continue;
        const quarter = expectedBy.get(quarterOf(i.dueOn)) ?? new Map<string, bigint>();
        const minor = parseAmount(i.expected.amount, i.expected.currency, 'amount', { allowZero: true }).minor;
        quarter.set(i.expected.currency, (quarter.get(i.expected.currency) ?? 0n) + minor);
        expectedBy.set(quarterOf(i.dueOn), quarter);
      }
    }
    // Overdue, this quarter and later quarters: more than one quarter to check.
    expect(expectedBy.size).toBeGreaterThan(1);
    const convert = async (minor: bigint, from: string, to: string): Promise<bigint> => {
      if (minor === 0n) return 0n;
      if (from === to) return minor;
      const res = await t.http
        .get('/api/fx-rates/convert')
        .set(as(officer))
        .query({ amount: formatAmount(minor, from), from, to, date: '2024-06-03' });
      expect(res.status).toBe(200);
      return parseAmount(res.body.converted.amount, to).minor;
    };
    for (const currency of ['EUR', 'USD']) {
      const res = await t.http.get('/api/funding-gap/forecast').set(as(officer)).query({ currency });
      expect(res.status).toBe(200);
      const want = [];
      for (const [quarter, byCurrency] of [...expectedBy].sort(([a], [b]) => a.localeCompare(b))) {
        let sum = 0n;
        for (const [from, minor] of byCurrency) sum += await convert(minor, from, currency);
        if (sum > 0n) want.push({ quarter, expected: { amount: formatAmount(sum, currency), currency } });
      }
      expect(res.body.quarters).toEqual(want);
      expect(res.body.currency).toBe(currency);
    }
  });

  it("gives this year's work-plan need from the projection, or null when the projection has none for this year", async () => {
    const [forecast, gap] = await Promise.all([
      t.http.get('/api/funding-gap/forecast').set(as(officer)).query({ currency: 'AZN' }),
      t.http.get('/api/funding-gap').set(as(officer)).query({ currency: 'AZN' }),
    ]);
    const plan = gap.body.projection?.workPlan ?? null;
    expect(forecast.body.workPlanNeed).toEqual(plan && plan.year === Number(today.slice(0, 4)) ? plan.need : null);
    expect((await t.http.get('/api/funding-gap/forecast').set(as(officer)).query({ currency: 'GBP' })).status).toBe(400);
  });

  it('the funding-gap page shows the forecast table', async () => {
    const user = await makeUser(t, 'leadership');
    const web = await signInWeb(t, user.email, user.password);
    const page = await web.get('/?currency=EUR');
    expect(page.status).toBe(200);
    const api = (await t.http.get('/api/funding-gap/forecast').set(as(officer)).query({ currency: 'EUR' })).body;
    expect(page.text).toContain('Expected foreign money by quarter');
    for (const q of api.quarters) expect(page.text).toContain(`<tr><th scope="row">${q.quarter}</th>`);
  });
});
