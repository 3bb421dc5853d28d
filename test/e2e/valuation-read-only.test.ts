import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatAmount, parseAmount } from '../../src/common/money/money';
import { LedgerValuation } from '../../src/ledger/ledger-valuation';
import { WriteLog } from '../support/fingerprint';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { signInWeb } from './web-support';

const AS_OF = '2025-01-15';

/**
 * Reads never write (house style, rule 15). Writes store each row's values in the reporting
 * currencies in their own transaction; a new rate marks the rows it may change, and the worker
 * values them in the background. Here the worker is stopped (as while an instance shuts down), so
 * the marked rows stay waiting: the reads must still give exact figures, computed in memory, and
 * write nothing at all, the value columns included.
 */
describe(`reads write nothing, and stay exact while rows wait for valuation (${TEST_DB})`, () => {
  let t: TestApp;
  let auth: { authorization: string };
  const rows: Array<{ kind: 'pledge' | 'receipt'; amount: string; date: string }> = [];

  const waiting = async () => {
    const [p] = await t.dataSource.query('SELECT COUNT(*) AS n FROM pledges WHERE valued_at IS NULL');
    const [d] = await t.dataSource.query('SELECT COUNT(*) AS n FROM disbursements WHERE valued_at IS NULL');
    return Number(p.n) + Number(d.n);
  };

  /** What the ledger is worth in USD on AS_OF, each row converted on its own by GET /api/fx-rates/convert. */
  const expectedUsd = async (kind: 'pledge' | 'receipt') => {
    let minor = 0n;
    for (const row of rows.filter((r) => r.kind === kind)) {
      const res = await t.http.get(`/api/fx-rates/convert?amount=${row.amount}&from=EUR&to=USD&date=${row.date}`).set(auth);
      expect(res.status).toBe(200);
      minor += parseAmount(res.body.converted.amount, 'USD').minor;
    }
    return formatAmount(minor, 'USD');
  };

  beforeAll(async () => {
    t = await createTestApp();
    auth = { authorization: `Bearer ${t.adminToken}` };
    await seedReferenceData(t);
    const donorId = await makeDonor(t);
    for (const [amount, date] of [
      ['1000000.00', '2024-06-03'],
      ['500000.00', '2024-11-01'],
    ]) {
      const pledge = await makePledge(t, donorId, { amount, currency: 'EUR', pledgedOn: date });
      rows.push({ kind: 'pledge', amount, date });
      if (date === '2024-06-03') {
        const receipt = await t.http
          .post(`/api/pledges/${pledge.id}/disbursements`)
          .set(auth)
          .send({ amount: '100000.00', currency: 'EUR', receivedOn: '2024-07-01' });
        expect(receipt.status).toBe(201);
        rows.push({ kind: 'receipt', amount: '100000.00', date: '2024-07-01' });
      }
    }
  });
  afterAll(() => t.close());

  it('stores the values with the rows that create them: nothing waits after the writes', async () => {
    expect(await waiting()).toBe(0);
  });

  it('answers exact figures after a back-dated rate, from rows still waiting, and writes nothing', async () => {
    await t.app.get(LedgerValuation, { strict: false }).beforeApplicationShutdown();
    const rate = await t.http
      .post('/api/fx-rates')
      .set(auth)
      .send({ base: 'EUR', quote: 'USD', rate: '1.2000', date: '2024-05-02', source: 'test, back-dated' });
    expect(rate.status).toBe(201);
    const marked = await waiting();
    expect(marked).toBeGreaterThan(0);

    const writes = await WriteLog.install(t.dataSource, { everyColumn: true });
    const web = await signInWeb(t, 'admin@test.local', 'admin-password-1');
    await writes.since();

    const gap = await t.http.get(`/api/funding-gap?currency=USD&asOf=${AS_OF}`).set(auth);
    expect(gap.status).toBe(200);
    expect(gap.body.foreign.pledged.amount).toBe(await expectedUsd('pledge'));
    expect(gap.body.foreign.received.amount).toBe(await expectedUsd('receipt'));
    expect(gap.body.notes).toEqual(expect.arrayContaining([expect.stringContaining('still waiting for their stored values')]));
    for (const path of [
      `/api/funding-gap?currency=EUR&asOf=${AS_OF}`,
      `/api/funding-gap/rates?currency=USD&asOf=${AS_OF}`,
      '/api/pledges?displayCurrency=USD',
    ]) {
      expect([path, (await t.http.get(path).set(auth)).status]).toEqual([path, 200]);
    }
    for (const path of [`/?currency=AZN&asOf=${AS_OF}`, `/funding-gap/by-donor.csv?currency=USD&asOf=${AS_OF}`, '/pledges']) {
      expect([path, (await web.get(path)).status]).toEqual([path, 200]);
    }

    expect(await writes.since()).toEqual([]);
    expect(await waiting()).toBe(marked);
  });

  it('gives the same figures once another instance’s worker has stored the values', async () => {
    const before = (await t.http.get(`/api/funding-gap?currency=USD&asOf=${AS_OF}`).set(auth)).body;
    const other = await createTestApp({ database: t.db, signIn: false });
    try {
      expect(await other.app.get(LedgerValuation, { strict: false }).settled(60_000)).toBe(true);
    } finally {
      await other.close();
    }
    expect(await waiting()).toBe(0);
    // The worker's commits change no figure, so the cached answer stands; a write drops it, and the recomputed figures agree.
    await makeDonor(t);
    const after = (await t.http.get(`/api/funding-gap?currency=USD&asOf=${AS_OF}`).set(auth)).body;
    expect(after.foreign).toEqual(before.foreign);
    expect(after.byDonor).toEqual(before.byDonor);
    expect(after.notes).toEqual(before.notes.filter((n: string) => !n.includes('still waiting for their stored values')));
  });
});
