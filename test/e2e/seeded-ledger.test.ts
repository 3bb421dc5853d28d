import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { todayUtc } from '../../src/common/dates';
import { SeedService } from '../../src/seed/seed.service';
import { createTestApp, TestApp } from '../support/test-app';

/** Acceptance of the ledger issue against the report's data, loaded exactly as on a first start. */
describe(`seeded ledger (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: { authorization: string };
  const pledgeByRef = async (ref: string) => {
    const list = await t.http.get('/api/pledges?limit=500').set(auth);
    const found = list.body.items.find((p: { externalRef: string }) => p.externalRef === ref);
    const res = await t.http.get(`/api/pledges/${found.id}`).set(auth);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    auth = { authorization: `Bearer ${t.adminToken}` };
  });
  afterAll(() => t.close());

  it('lists the twelve priorities in the report order', async () => {
    const res = await t.http.get('/api/priorities').set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(12);
    expect(res.body.map((p: { rank: number }) => p.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(res.body[0]).toMatchObject({ code: 'P01', title: 'Direct financial donations', target: null });
    expect(res.body[6].title).toBe('Mine Detection Dogs (MDD) Training');
    expect(res.body[11].title).toBe('Explosive Ordnance Risk Education (EORE)');
    // In the report's own words: P10's heading says nothing of drones; its sentence does.
    expect(res.body[9]).toMatchObject({
      title: 'Ground Penetrating Radar (GPR)',
      description: 'Mounted on a drone with data logging and mapping software integrated for detection of deep buried minimum metallic mines.',
    });
    expect(res.body[0].description).toMatch(/^The most critical form of assistance needed at this juncture is direct financial donations\./);
  });

  it('holds the government funding as two dated observations, 464,000,000.00 USD (002) and 789,000,000.00 AZN (001), which converts to 464,117,647.06 USD at 1.7000', async () => {
    const spend = await t.http.get('/api/government-spend').set(auth);
    expect(spend.body.items).toEqual([
      expect.objectContaining({
        amount: '464000000.00',
        currency: 'USD',
        asAt: '2025-03-31',
        basis: 'allocated',
        periodStart: '2020-11-10',
        source: expect.stringMatching(/^002: ANAMA, Report on Mine Action/),
        sourcePage: 'Annex 2',
      }),
      expect.objectContaining({
        amount: '789000000.00',
        currency: 'AZN',
        asAt: '2025-05-06',
        basis: 'allocated',
        periodStart: '2020-11-10',
        source: expect.stringMatching(/^001: OSCE FSC\.EMI\/122\/25/),
        sourcePage: expect.stringMatching(/question 10.*question 3/),
      }),
    ]);
    const converted = await t.http.get('/api/fx-rates/convert?amount=789000000.00&from=AZN&to=USD&date=2025-05-06').set(auth);
    expect(converted.status).toBe(200);
    expect(converted.body).toMatchObject({
      converted: { amount: '464117647.06', currency: 'USD' },
      ratesUsed: [{ base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01' }],
    });
  });

  it('shows the EU pledge as 4,250,000.00 EUR with its USD value, rate, rate date and source, and how stale that rate is', async () => {
    const eu = await pledgeByRef('seed:002:eu-undp-idp-return');
    expect(eu).toMatchObject({
      amount: '4250000.00',
      currency: 'EUR',
      channel: 'un_agency',
      channelName: 'UNDP',
      pledgedOn: null,
      valueDate: '2025-03-31',
      valueDateBasis: 'source_date',
    });
    // The ECB file ends on 2024-10-11, 171 days before the value date: the figure says so (contract v2).
    expect(eu.converted).toEqual({
      amount: '4648650.00',
      currency: 'USD',
      rateDate: '2024-10-11',
      staleDays: 171,
      rate: '1.0938',
      valueDate: '2025-03-31',
      ratesUsed: [{ base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11', source: 'European Central Bank euro foreign exchange reference rates' }],
    });
    expect(eu.source).toMatch(/^002: ANAMA, Report on Mine Action/);
  });

  it('records Saudi Arabia as fully disbursed, dated on or before the end of Q1 2024', async () => {
    const saudi = await pledgeByRef('seed:002:saudi-ksrelief-mofc-2024');
    expect(saudi).toMatchObject({
      amount: '3000000.00',
      currency: 'USD',
      pledgedOn: '2024-01-16',
      status: 'fully_disbursed',
      receiptStatus: 'received',
      received: { amount: '3000000.00', currency: 'USD' },
      outstanding: { amount: '0.00', currency: 'USD' },
      receiptNotDocumented: { amount: '0.00', currency: 'USD' },
    });
    expect(saudi.disbursements).toEqual([expect.objectContaining({ amount: '3000000.00', receivedOn: '2024-03-31', receivedOnBasis: 'on_or_before' })]);
  });

  it('shows Croatia’s 8 dogs, MLI’s 12 delivered under the MoU and MLI’s up to 30 for 2025-2026 as three pledges', async () => {
    const croatia = await pledgeByRef('seed:002:croatia-mdd');
    expect(croatia).toMatchObject({ kind: 'in_kind', amount: null, deliveredQuantity: 8, outstandingQuantity: 0, status: 'fully_disbursed' });
    expect(croatia.inKind).toMatchObject({ quantity: 8, unit: 'mine detection dogs', upTo: false, value: null });
    const mou = await pledgeByRef('seed:002:mli-mdd-mou');
    expect(mou).toMatchObject({ deliveredQuantity: 12, status: 'fully_disbursed', receiptStatus: 'received', instrument: 'Memorandum of Understanding' });
    expect(mou.inKind).toMatchObject({ quantity: 12, unit: 'mine detection dogs', upTo: false });
    expect(mou.disbursements).toEqual([expect.objectContaining({ quantity: 12, receivedOn: '2025-03-31', receivedOnBasis: 'on_or_before' })]);
    const upTo30 = await pledgeByRef('seed:002:mli-mdd-2025-2026');
    expect(upTo30).toMatchObject({ donorId: mou.donorId, deliveredQuantity: 0, status: 'committed', receiptDueOn: '2026-12-31', disbursements: [] });
    expect(upTo30.inKind).toMatchObject({ quantity: 30, upTo: true });
    // Promised "during 2025-2026": not documented until the end of 2026 has passed, outstanding after.
    const due = todayUtc() > '2026-12-31';
    expect(upTo30).toMatchObject({
      receiptStatus: due ? 'outstanding' : 'not_documented',
      notDocumentedQuantity: due ? 0 : 30,
      outstandingQuantity: due ? 30 : 0,
    });
  });

  it('says of UAE, EU and Italy only what the report says: receipt not documented, and no channel for Italy', async () => {
    const uae = await pledgeByRef('seed:002:uae-mou');
    expect(uae).toMatchObject({
      receiptExpectation: 'not_documented',
      receiptStatus: 'not_documented',
      outstanding: { amount: '0.00', currency: 'USD' },
      receiptNotDocumented: { amount: '5000000.00', currency: 'USD' },
    });
    const eu = await pledgeByRef('seed:002:eu-undp-idp-return');
    expect(eu).toMatchObject({
      receiptStatus: 'not_documented',
      outstanding: { amount: '0.00', currency: 'EUR' },
      receiptNotDocumented: { amount: '4250000.00', currency: 'EUR' },
    });
    const italy = await pledgeByRef('seed:002:italy-pledge');
    expect(italy).toMatchObject({
      channel: null,
      channelName: null,
      receiptStatus: 'not_documented',
      outstanding: { amount: '0.00', currency: 'EUR' },
      receiptNotDocumented: { amount: '1500000.00', currency: 'EUR' },
    });
  });

  it('keeps unknown dates null and the reported headline figures apart from the ledger', async () => {
    const uae = await pledgeByRef('seed:002:uae-mou');
    expect(uae.pledgedOn).toBeNull();
    const reported = await t.http.get('/api/reported-figures').set(auth);
    expect(reported.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'foreign_assistance_total', value: '23300000.00', currency: 'USD', asOf: '2025-03-31', sourcePage: 'Annex 2' }),
        expect.objectContaining({ key: 'foreign_share', value: '0.048', currency: null }),
      ]),
    );
  });

  it('seeds only once: a second run creates nothing', async () => {
    const report = await t.app.get(SeedService).run();
    expect(report).toEqual({ priorities: 0, donors: 0, pledges: 0, governmentSpend: 0, reportedFigures: 0, rates: 0 });
  });
});
