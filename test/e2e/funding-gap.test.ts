import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';

type Money = { amount: string; currency: string };

/** Sums decimal strings of one currency exactly, through minor units. */
function sumAmounts(amounts: string[]): string {
  const minor = amounts.reduce((total, a) => total + BigInt(a.replace('.', '')), 0n);
  const text = minor.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

describe('GET /api/funding-gap on the seeded report data', () => {
  let t: TestApp;
  let leadership: string;
  const get = (query: string, token = leadership) => t.http.get(`/api/funding-gap${query}`).set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    leadership = await t.tokenFor('leadership');
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives the acceptance figures in USD', async () => {
    const res = await get('?currency=USD');
    expect(res.status).toBe(200);
    const gap = res.body;
    expect(gap.currency).toBe('USD');
    expect(gap.government.total).toEqual({ amount: '464117647.06', currency: 'USD' });
    expect(gap.foreignShare.reported).toBe('0.048');
    // 23,300,000 / (464,117,647.06 + 23,300,000), to four places.
    expect(gap.foreignShare.reportedComputed).toBe('0.0478');
    // Saudi 3,000,000 + UAE 5,000,000 USD; EU 4,250,000 and Italy 1,500,000 EUR at 1.0938 (ECB, 2024-10-11); no in-kind is valued.
    expect(gap.foreign.pledged).toEqual({ amount: '14289350.00', currency: 'USD' });
    expect(gap.foreign.inKindValue).toEqual({ amount: '0.00', currency: 'USD' });
    expect(gap.foreign.itemised).toEqual({ amount: '14289350.00', currency: 'USD' });
    expect(gap.foreign.reportedTotal).toEqual({ amount: '23300000.00', currency: 'USD' });
    expect(gap.foreign.notItemised).toEqual({ amount: '9010650.00', currency: 'USD' });
    expect(gap.foreign.disbursed).toEqual({ amount: '3000000.00', currency: 'USD' });
    expect(gap.foreignShare.pledged).toBe('0.0299');
    expect(gap.foreignShare.disbursed).toBe('0.0064');
    // One entry per pair; both are stale: the ECB file ends 171 days before the pledges' value date, and the
    // manat's peg is recorded once, in 2018.
    expect(gap.ratesUsed).toEqual([
      {
        base: 'EUR',
        quote: 'USD',
        firstDate: '2024-10-11',
        lastDate: '2024-10-11',
        count: 1,
        source: expect.stringMatching(/ECB|European Central Bank/),
        staleDays: 171,
      },
      expect.objectContaining({ base: 'USD', quote: 'AZN', firstDate: '2018-01-01', lastDate: '2018-01-01', count: 1, staleDays: 2682 }),
    ]);
    const full = await t.http.get('/api/funding-gap/rates?currency=USD').set('authorization', `Bearer ${leadership}`);
    expect(full.body.items).toEqual([
      expect.objectContaining({ base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11' }),
      expect.objectContaining({ base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01' }),
    ]);
  });

  it('itemises exactly the USD value of the seeded pledges, as the pledges API converts them', async () => {
    const list = await t.http.get('/api/pledges?limit=500&displayCurrency=USD').set('authorization', `Bearer ${leadership}`);
    expect(list.status).toBe(200);
    const valued = (list.body.items as Array<{ converted: Money | null; cancelledAt: string | null }>).filter((p) => p.converted && !p.cancelledAt);
    const gap = (await get('?currency=USD')).body;
    expect(gap.foreign.itemised.amount).toBe(sumAmounts(valued.map((p) => (p.converted as Money).amount)));
    expect(sumAmounts([gap.foreign.itemised.amount, gap.foreign.notItemised.amount])).toBe(gap.foreign.reportedTotal.amount);
  });

  it('lists all twelve priorities in the report order, zero where nothing is pledged, and the unearmarked pledges apart', async () => {
    const gap = (await get('?currency=USD')).body;
    expect(gap.byPriority.map((p: { code: string }) => p.code)).toEqual(['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10', 'P11', 'P12']);
    expect(gap.byPriority[0]).toMatchObject({
      code: 'P01',
      pledged: { amount: '8000000.00', currency: 'USD' },
      disbursed: { amount: '3000000.00', currency: 'USD' },
      target: null,
      gap: null,
    });
    for (const p of gap.byPriority.slice(1)) expect(p.pledged).toEqual({ amount: '0.00', currency: 'USD' });
    // Unvalued goods add no money, but leadership must see them under the priority they serve.
    // Croatia's 8 and MLI's 12 delivered; MLI's separate pledge of up to 30 for 2025-2026 still to come.
    expect(gap.byPriority[6]).toMatchObject({
      code: 'P07',
      inKind: [{ unit: 'mine detection dogs', pledged: 50, delivered: 20, upTo: true, toCome: 30, toComeUpTo: true }],
    });
    expect(gap.byPriority[0].inKind).toEqual([]);
    // EU and Italy name no priority: 4,648,650 + 1,640,700 USD.
    expect(gap.notEarmarked.pledged).toEqual({ amount: '6289350.00', currency: 'USD' });
    expect(gap.earmarkSplit).toEqual({ rule: 'stated shares or even split', pledgesWithStatedShares: 0, pledgesSplitEvenly: 0 });
    const rows = [...gap.byPriority.map((p: { pledged: Money }) => p.pledged.amount), gap.notEarmarked.pledged.amount];
    expect(sumAmounts(rows)).toBe(gap.foreign.itemised.amount);
  });

  it('lists donors with received, outstanding and undocumented money, and in-kind quantities in their own units', async () => {
    const gap = (await get('?currency=USD')).body;
    const byName = new Map(gap.byDonor.map((d: { name: string }) => [d.name, d]));
    // The sources never say whether the UAE's money arrived: not documented, not outstanding.
    expect(byName.get('United Arab Emirates')).toMatchObject({
      pledged: { amount: '5000000.00' },
      disbursed: { amount: '0.00' },
      outstanding: { amount: '0.00' },
      receiptNotDocumented: { amount: '5000000.00' },
    });
    expect(byName.get('Saudi Arabia (KSrelief)')).toMatchObject({
      pledged: { amount: '3000000.00' },
      disbursed: { amount: '3000000.00' },
      outstanding: { amount: '0.00' },
    });
    expect(byName.get('Marshall Legacy Institute')).toMatchObject({
      inKind: [{ unit: 'mine detection dogs', pledged: 42, delivered: 12, upTo: true, toCome: 30, toComeUpTo: true }],
    });
    expect(byName.get('Croatia')).toMatchObject({
      inKind: [{ unit: 'mine detection dogs', pledged: 8, delivered: 8, upTo: false, toCome: 0, toComeUpTo: false }],
    });
    expect(sumAmounts(gap.byDonor.map((d: { pledged: Money }) => d.pledged.amount))).toBe(gap.foreign.itemised.amount);
  });

  it('converts to EUR and AZN: euro pledges keep their own amount, the government total is the 789 million manat', async () => {
    const eur = (await get('?currency=EUR')).body;
    const eu = eur.byDonor.find((d: { name: string }) => d.name === 'European Union');
    expect(eu.pledged).toEqual({ amount: '4250000.00', currency: 'EUR' });
    // 464,117,647.06 USD is not converted again: 789,000,000 AZN → USD (1.7) → EUR (1 / 1.0938, the newest ECB rate before 2025-05-06).
    expect(eur.government.total).toEqual({ amount: '424316737.12', currency: 'EUR' });
    const azn = (await get('?currency=AZN')).body;
    expect(azn.government.total).toEqual({ amount: '789000000.00', currency: 'AZN' });
    expect(azn.projection.costPerHectare).toEqual({ amount: '4135.35', currency: 'AZN' });
  });

  it('projects the remaining clearance cost with its assumptions', async () => {
    const gap = (await get('?currency=USD&asOf=2025-06-30')).body;
    expect(gap.projection).toMatchObject({
      costPerHectare: { amount: '2432.56', currency: 'USD' },
      remainingHectares: '975905.8',
      remainingCost: { amount: '2373945872.82', currency: 'USD' },
      workPlan: { year: 2025, hectares: '65092.6', need: { amount: '158341418.94', currency: 'USD' } },
    });
    expect(gap.projection.assumptions).toContain('The 2025 work plan (65,092.6 ha; document 002) is costed at the same cost per hectare.');
  });

  it('gives the state as it stood on asOf: pledges dated 31 March 2025 are not there the day before', async () => {
    const before = (await get('?currency=USD&asOf=2025-03-30')).body;
    expect(before.asOf).toBe('2025-03-30');
    expect(before.byDonor.map((d: { name: string }) => d.name)).toEqual(['Saudi Arabia (KSrelief)']);
    expect(before.foreign.itemised).toEqual({ amount: '3000000.00', currency: 'USD' });
    // The first government figure is stated as at 31 March 2025: the day before it is not recorded.
    expect(before.government.total).toBeNull();
    expect(before.foreignShare.pledged).toBeNull();
    expect(before.foreign.reportedTotal).toBeNull();
    expect(before.foreignShare.reported).toBeNull();
    expect(before.projection).toBeNull();
    const early = (await get('?currency=USD&asOf=2024-03-30')).body;
    expect(early.foreign.disbursed).toEqual({ amount: '0.00', currency: 'USD' });
    // Nothing says when Saudi Arabia's money was due, only that it arrived in the first quarter of 2024.
    expect(early.byDonor[0]).toMatchObject({
      name: 'Saudi Arabia (KSrelief)',
      outstanding: { amount: '0.00' },
      receiptNotDocumented: { amount: '3000000.00' },
    });
  });

  it('refuses bad input with the field named, and roles that may not read it', async () => {
    const gbp = await get('?currency=GBP');
    expect(gbp.status).toBe(400);
    expect(gbp.body.details).toEqual([{ field: 'currency', message: 'currency must be one of USD, EUR, AZN' }]);
    const date = await get('?asOf=2025-02-30');
    expect(date.status).toBe(400);
    expect(date.body.details[0].field).toBe('asOf');
    expect((await get('?year=2025')).status).toBe(400);
    expect((await t.http.get('/api/funding-gap')).status).toBe(401);
    const donorId = (await t.http.get('/api/donors?limit=1').set('authorization', `Bearer ${t.adminToken}`)).body.items[0].id;
    expect((await get('', await t.tokenFor('donor', donorId))).status).toBe(403);
  });
});

describe('GET /api/funding-gap on a ledger built through the API', () => {
  let t: TestApp;
  const auth = () => ({ authorization: `Bearer ${t.adminToken}` });
  const gapNow = async (query = '?currency=USD') => {
    const res = await t.http.get(`/api/funding-gap${query}`).set(auth());
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('splits a pledge over its priorities by stated shares, or evenly to the cent, and says which', async () => {
    const donorId = await makeDonor(t);
    await makePledge(t, donorId, { amount: '100.00', priorityCodes: ['P02', 'P03', 'P04'] });
    await makePledge(t, donorId, { amount: '1000.00', priorityCodes: ['P05', 'P06'], priorityShares: ['25', '75'] });
    const gap = await gapNow();
    const pledged = Object.fromEntries(gap.byPriority.map((p: { code: string; pledged: Money }) => [p.code, p.pledged.amount]));
    expect(pledged).toMatchObject({ P02: '33.34', P03: '33.33', P04: '33.33', P05: '250.00', P06: '750.00', P07: '0.00' });
    expect(gap.earmarkSplit).toEqual({ rule: 'stated shares or even split', pledgesWithStatedShares: 1, pledgesSplitEvenly: 1 });
    expect(gap.foreign.itemised.amount).toBe('1100.00');
  });

  it('reflects a new pledge, a disbursement and a cancellation at once (the cached result is dropped on write)', async () => {
    const before = await gapNow();
    const donorId = await makeDonor(t);
    const pledge = await makePledge(t, donorId, { amount: '500.00', pledgedOn: '2024-06-03', priorityCodes: [] });
    const afterPledge = await gapNow();
    expect(sumAmounts([before.foreign.itemised.amount, '500.00'])).toBe(afterPledge.foreign.itemised.amount);

    const paid = await t.http.post(`/api/pledges/${pledge.id}/disbursements`).set(auth()).send({ amount: '200.00', receivedOn: '2024-07-01' });
    expect(paid.status).toBe(201);
    expect((await gapNow()).foreign.disbursed.amount).toBe(sumAmounts([before.foreign.disbursed.amount, '200.00']));
    expect((await gapNow('?currency=USD&asOf=2024-06-30')).foreign.disbursed.amount).toBe(before.foreign.disbursed.amount);

    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await t.http.post(`/api/pledges/${pledge.id}/cancel`).set(auth()).send({ reason: 'withdrawn by the donor' })).status).toBe(200);
    expect((await gapNow(`?currency=USD&asOf=${today}`)).foreign.itemised.amount).toBe(before.foreign.itemised.amount);
    expect((await gapNow(`?currency=USD&asOf=${yesterday}`)).foreign.itemised.amount).toBe(afterPledge.foreign.itemised.amount);
  });

  it('answers 422 naming the pair and date when a figure cannot be converted', async () => {
    const spend = await t.http
      .post('/api/government-spend')
      .set(auth())
      .send({ amount: '1000.00', currency: 'GBP', periodStart: '2024-01-01', periodEnd: '2024-12-31', source: 'test' });
    expect(spend.status).toBe(201);
    const res = await t.http.get('/api/funding-gap?currency=USD').set(auth());
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('No exchange rate from GBP to USD on or before 2024-12-31');
  });
});
