import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeDonor, makePledge } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/**
 * A converted figure whose rate is more than 7 days older than its value date says so beside it
 * (contract v2). The seeded EU pledge is the real case: valued at 2025-03-31, the end of the
 * report's quarter, with the ECB file ending on 2024-10-11.
 */
describe(`stale rates beside converted pledges (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: { authorization: string };
  let reader: WebSession;
  let eu: { id: number; donorId: number };
  let sameDay: { id: number; donorId: number };

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    auth = { authorization: `Bearer ${t.adminToken}` };
    const list = await t.http.get('/api/pledges?limit=500').set(auth);
    eu = list.body.items.find((p: { externalRef: string | null }) => p.externalRef === 'seed:002:eu-undp-idp-return');
    sameDay = await makePledge(t, await makeDonor(t, { name: 'Same-day donor' }), { amount: '4250000.00', currency: 'EUR', pledgedOn: '2024-10-11' });
    const user = await makeUser(t, 'leadership');
    reader = await signInWeb(t, user.email, user.password);
  });
  afterAll(() => t.close());

  it('gives the EU pledge in USD its rate date, 2024-10-11, and 171 days', async () => {
    const res = await t.http.get(`/api/pledges/${eu.id}`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.valueDate).toBe('2025-03-31');
    expect(res.body.converted).toMatchObject({ amount: '4648650.00', currency: 'USD', rateDate: '2024-10-11', staleDays: 171 });
    const listed = await t.http.get(`/api/pledges?donorId=${eu.donorId}&displayCurrency=USD`).set(auth);
    expect(listed.body.items.find((p: { id: number }) => p.id === eu.id).converted).toMatchObject({ rateDate: '2024-10-11', staleDays: 171 });
  });

  it('gives neither to a figure converted with a rate of its own day, nor to one that needs no rate', async () => {
    const res = await t.http.get(`/api/pledges/${sameDay.id}`).set(auth);
    expect(res.body.converted).toMatchObject({ amount: '4648650.00', currency: 'USD', valueDate: '2024-10-11' });
    expect(Object.keys(res.body.converted).sort()).toEqual(['amount', 'currency', 'rate', 'ratesUsed', 'valueDate']);
    const inEuro = await t.http.get(`/api/pledges/${eu.id}?currency=EUR`).set(auth);
    expect(inEuro.body.converted).toMatchObject({ amount: '4250000.00', currency: 'EUR', ratesUsed: [] });
    expect(inEuro.body.converted).not.toHaveProperty('rateDate');
    expect(inEuro.body.converted).not.toHaveProperty('staleDays');
  });

  it('shows the note beside the converted figure on the pledge page, and nothing on a same-day one', async () => {
    const page = await reader.get(`/pledges/${eu.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/4,648,650\.00 USD <small class="stale-rate" data-field="stale-rate">rate of 2024-10-11, 171 days earlier<\/small>/);
    const fresh = await reader.get(`/pledges/${sameDay.id}`);
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('4,648,650.00 USD');
    expect(fresh.text).not.toContain('stale-rate');
    expect(fresh.text).not.toContain('days earlier');
  });

  it('marks the stale figure in the pledges list, with the note as its title and label', async () => {
    const stale = await reader.get(`/pledges?donorId=${eu.donorId}`);
    expect(stale.status).toBe(200);
    expect(stale.text).toContain(
      '<span class="stale-rate" role="img" title="rate of 2024-10-11, 171 days earlier" aria-label="rate of 2024-10-11, 171 days earlier">†</span>',
    );
    const fresh = await reader.get(`/pledges?donorId=${sameDay.donorId}`);
    expect(fresh.text).toContain('4,648,650.00 USD');
    expect(fresh.text).not.toContain('stale-rate');
  });
});
