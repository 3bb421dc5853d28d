import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { LedgerValuation } from '../../src/ledger/ledger-valuation';
import { LedgerValuationRepository } from '../../src/ledger/ledger-valuation.repository';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18: with more pledges waiting for revaluation than a read values in memory
 * (FIGURES_EXACT_WAITING_PLEDGES, here 2 so the seeded ledger is enough), the gap answers at once
 * from the maintained aggregates, holding the waiting rows' previous values, and says so in the
 * API and on the page; once the worker has stored the new values it answers exactly again.
 */
describe('figures being brought up to date after a revaluation', () => {
  let t: TestApp;
  let leadership: string;
  const gap = async () => {
    const res = await t.http.get('/api/funding-gap?currency=USD&asOf=2026-01-01').set('authorization', `Bearer ${t.adminToken}`);
    expect(res.status).toBe(200);
    return res.body as { updating: { rowsWaiting: number } | null; notes: string[]; foreign: unknown; byDonor: unknown; byPriority: unknown };
  };
  const figures = (g: Awaited<ReturnType<typeof gap>>) => ({ foreign: g.foreign, byDonor: g.byDonor, byPriority: g.byPriority });

  beforeAll(async () => {
    t = await createTestApp({ seed: true, env: { FIGURES_EXACT_WAITING_PLEDGES: '2' } });
    leadership = await t.tokenFor('leadership');
    expect(await t.app.get(LedgerValuation, { strict: false }).settled(60_000)).toBe(true);
  });
  afterAll(() => t.close());

  it('answers at once with the previous values and says so, then exactly once the worker has caught up', async () => {
    const exact = await gap();
    expect(exact.updating).toBeNull();

    // Every row marks itself for revaluation, as a rate correction dated before the ledger does
    // (the worker is not woken: the first read finds the rows waiting).
    await t.app.get(UnitOfWork).transaction((tx) => t.app.get(LedgerValuationRepository, { strict: false }).revalueFrom(tx, '2000-01-01', null));
    const [{ n }] = await t.dataSource.query<Array<{ n: string | number }>>(
      'SELECT (SELECT COUNT(*) FROM pledges WHERE valued_at IS NULL) + (SELECT COUNT(*) FROM disbursements WHERE valued_at IS NULL) AS n',
    );
    expect(Number(n)).toBeGreaterThan(2);

    const updating = await gap();
    expect(updating.updating).toEqual({ rowsWaiting: Number(n) });
    expect(updating.notes.some((note) => note.startsWith('Figures are being brought up to date:'))).toBe(true);
    // The rates did not change, so the previous values are the values: the same figures.
    expect(figures(updating)).toEqual(figures(exact));
    const page = await t.http.get('/?currency=USD&asOf=2026-01-01').set('cookie', `mat_session=${leadership}`).set('accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="figures-updating"');

    // The read woke the worker; once it has stored every value the figures are exact again.
    expect(await t.app.get(LedgerValuation, { strict: false }).settled(60_000)).toBe(true);
    let after = await gap();
    for (let i = 0; i < 150 && after.updating !== null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await gap();
    }
    expect(after.updating).toBeNull();
    expect(figures(after)).toEqual(figures(exact));
    const pageNow = () => t.http.get('/?currency=USD&asOf=2026-01-01').set('cookie', `mat_session=${leadership}`).set('accept', 'text/html');
    let pageAfter = await pageNow();
    for (let i = 0; i < 150 && pageAfter.text.includes('figures-updating'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pageAfter = await pageNow();
    }
    expect(pageAfter.status).toBe(200);
    expect(pageAfter.text).not.toContain('figures-updating');
  });
});
