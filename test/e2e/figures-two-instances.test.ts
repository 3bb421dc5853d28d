import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { makeDonor, pledgeBody } from '../support/factories';
import { createTestApp, TEST_DB, TestApp } from '../support/test-app';

/**
 * Two app instances on ONE database (PostgreSQL, or on SQLite two connections to one file, as two
 * processes would hold), each with its caches warmed: a write answered by instance A shows in
 * instance B's very next read of the gap and of the page, and in A's own. Derived-only writes
 * (valuation) leave both caches as they are.
 */
describe(`figures with two app instances on one ${TEST_DB} database`, () => {
  let a: TestApp;
  let b: TestApp;
  let leadership: string;
  let donorId: number;
  let pledgeId: number;

  const gap = async (t: TestApp) => {
    const res = await t.http.get('/api/funding-gap?currency=USD').set('authorization', `Bearer ${leadership}`);
    expect(res.status).toBe(200);
    return res.body as { generatedAt: string; byDonor: Array<Record<string, { amount: string } | number | string>> };
  };
  /** The page's content (its layout holds per-request parts, such as the CSRF token). */
  const page = async (t: TestApp) => {
    const res = await t.http.get('/?currency=USD').set('cookie', `mat_session=${leadership}`).set('accept', 'text/html');
    expect(res.status).toBe(200);
    const main = /<main[\s\S]*<\/main>/.exec(res.text);
    if (!main) throw new Error('no <main> on the page');
    return main[0];
  };
  const donorFigures = async (t: TestApp) => {
    const row = (await gap(t)).byDonor.find((d) => d.donorId === donorId) as Record<string, { amount: string }> | undefined;
    return row ? { pledged: row.pledged.amount, received: row.received.amount, cancelled: row.cancelled.amount } : null;
  };
  /** The donor's row of the page's donor table, as its cells' exact figures (the `title` of each). */
  const donorRowOnPage = async (t: TestApp) => {
    const row = new RegExp(`<tr data-donor-id="${donorId}">([\\s\\S]*?)</tr>`).exec(await page(t));
    return row ? [...row[1].matchAll(/title="([^"]+)"/g)].map((m) => m[1]) : null;
  };
  /** Reads the gap and the page on an instance twice: the second answers come from its caches. */
  const warm = async (t: TestApp) => {
    const first = await gap(t);
    const firstPage = await page(t);
    expect((await gap(t)).generatedAt).toBe(first.generatedAt);
    expect(await page(t)).toBe(firstPage);
  };
  const asAdmin = (t: TestApp) => ({ authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    a = await createTestApp({ seed: true });
    b = await createTestApp({ database: a.db });
    leadership = await a.tokenFor('leadership');
    donorId = await makeDonor(a, { name: 'Two Instances Trust' });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('runs both instances on one database, each with its own connection', () => {
    expect(b.config.database).toEqual(a.config.database);
    expect(b.dataSource).not.toBe(a.dataSource);
  });

  it("a pledge recorded through A shows in B's next gap and page, and in A's", async () => {
    await warm(a);
    await warm(b);
    expect(await donorFigures(b)).toBeNull();

    const res = await a.http
      .post('/api/pledges')
      .set(asAdmin(a))
      .send(pledgeBody(donorId, { amount: '1234567.00', currency: 'USD' }));
    expect(res.status).toBe(201);
    pledgeId = res.body.id;

    expect(await donorFigures(b)).toEqual({ pledged: '1234567.00', received: '0.00', cancelled: '0.00' });
    expect((await donorRowOnPage(b))?.[0]).toBe('1,234,567.00 USD');
    expect(await donorFigures(a)).toEqual({ pledged: '1234567.00', received: '0.00', cancelled: '0.00' });
    expect((await donorRowOnPage(a))?.[0]).toBe('1,234,567.00 USD');
  });

  it("a receipt recorded through A shows in B's next gap and page, and in A's", async () => {
    await warm(b);
    await warm(a);
    const res = await a.http.post(`/api/pledges/${pledgeId}/disbursements`).set(asAdmin(a)).send({ amount: '200000.00', receivedOn: '2025-01-15' });
    expect(res.status).toBe(201);

    expect(await donorFigures(b)).toEqual({ pledged: '1234567.00', received: '200000.00', cancelled: '0.00' });
    expect((await donorRowOnPage(b))?.slice(0, 2)).toEqual(['1,234,567.00 USD', '200,000.00 USD']);
    expect(await donorFigures(a)).toEqual({ pledged: '1234567.00', received: '200000.00', cancelled: '0.00' });
    expect((await donorRowOnPage(a))?.slice(0, 2)).toEqual(['1,234,567.00 USD', '200,000.00 USD']);
  });

  it("a cancellation through A shows in B's next gap and page, and in A's", async () => {
    await warm(b);
    await warm(a);
    const res = await a.http.post(`/api/pledges/${pledgeId}/cancel`).set(asAdmin(a)).send({ reason: 'The donor withdrew it (letter of 2 May)' });
    expect(res.status).toBe(200);

    for (const t of [b, a]) {
      // A cancelled pledge counts in `cancelled` only, its receipts included.
      expect(await donorFigures(t)).toEqual({ pledged: '0.00', received: '0.00', cancelled: '1234567.00' });
      // The page's donor row: pledged, received, outstanding, not documented, and the cancelled column it gains.
      expect(await donorRowOnPage(t)).toEqual(['0.00 USD', '0.00 USD', '0.00 USD', '0.00 USD', '1,234,567.00 USD']);
    }
  });

  it('a write that only fills derived columns leaves both instances serving what they hold', async () => {
    await warm(b);
    const before = await gap(b);
    const beforePage = await page(b);
    const version = await b.app.get(UnitOfWork).figuresVersion();
    await a.app.get(UnitOfWork).transaction(() => Promise.resolve(), { derivedOnly: true });
    expect(await b.app.get(UnitOfWork).figuresVersion()).toBe(version);
    expect((await gap(b)).generatedAt).toBe(before.generatedAt);
    expect(await page(b)).toBe(beforePage);
  });
});
