import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addDays, todayUtc } from '../../src/common/dates';
import { createTestApp, TestApp } from '../support/test-app';
import { recordedEarlier } from '../support/recorded-earlier';

type Body = Record<string, unknown> & { generatedAt: string; notes: string[] };

/** The figures of a body, without the time it was computed. */
const figures = ({ generatedAt: _generatedAt, ...rest }: Body) => rest;

/**
 * Issue 12's bitemporal reading: `knownOn=K` counts only what was recorded by the end of day K, each
 * pledge as it then stood and at the rates then recorded. The report's data is recorded "ten days
 * ago"; then a back-dated rate, a back-dated receipt, an edit and a cancellation are recorded today.
 */
describe(`funding gap as known on a past day (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: { authorization: string };
  const knownOn = addDays(todayUtc(), -5);
  const gap = async (query: string): Promise<Body> => {
    const res = await t.http.get(`/api/funding-gap${query}`).set(auth);
    expect(res.status).toBe(200);
    return res.body as Body;
  };
  const pledgeByRef = async (ref: string): Promise<{ id: number }> => {
    const list = await t.http.get('/api/pledges?limit=500').set(auth);
    return list.body.items.find((p: { externalRef: string }) => p.externalRef === ref);
  };
  const queries = ['?asOf=2025-03-31', '?asOf=2025-03-31&currency=EUR', ''];
  const before = new Map<string, { known: Body; today: Body }>();

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    auth = { authorization: `Bearer ${t.adminToken}` };
    await recordedEarlier(t.dataSource, 10);
    for (const q of queries) {
      const sep = q ? '&' : '?';
      before.set(q, { known: await gap(`${q}${sep}knownOn=${knownOn}`), today: await gap(q) });
    }
    const uae = await pledgeByRef('seed:002:uae-mou');
    const italy = await pledgeByRef('seed:002:italy-pledge');
    const writes = [
      // A back-dated EUR/USD rate: the EU's and Italy's pledges (value date 2025-03-31) convert at it today.
      await t.http.post('/api/fx-rates').set(auth).send({ base: 'EUR', quote: 'USD', rate: '1.2500', date: '2025-03-28', source: 'test: back-dated rate' }),
      // A back-dated receipt against the UAE's pledge.
      await t.http.post(`/api/pledges/${uae.id}/disbursements`).set(auth).send({ amount: '1000000.00', currency: 'USD', receivedOn: '2025-02-03' }),
      // An edit: the rest of the UAE's money becomes owed.
      await t.http
        .patch(`/api/pledges/${uae.id}`)
        .set(auth)
        .send({ receiptExpectation: 'owed', priorityCodes: ['P05'] }),
      await t.http.post(`/api/pledges/${italy.id}/cancel`).set(auth).send({ reason: 'Withdrawn in writing' }),
    ];
    expect(writes.map((w) => w.status)).toEqual([201, 201, 200, 200]);
  });
  afterAll(() => t.close());

  it('says what it was asked, and only what was known then counts', () => {
    const known = before.get('?asOf=2025-03-31')?.known as Body;
    expect(known.knownOn).toBe(knownOn);
    expect(known.notes[0]).toContain(`As known on ${knownOn}`);
    // Everything was recorded ten days ago, so before the writes the past and the present agree.
    const today = before.get('?asOf=2025-03-31')?.today as Body;
    expect({ ...figures(known), knownOn: null, notes: known.notes.slice(1) }).toEqual(figures(today));
  });

  it.each(queries)(
    'a back-dated rate, a back-dated receipt, an edit and a cancellation recorded after K leave knownOn=K unchanged but change today (%s)',
    async (q) => {
      const sep = q ? '&' : '?';
      const was = before.get(q) as { known: Body; today: Body };
      expect(figures(await gap(`${q}${sep}knownOn=${knownOn}`))).toEqual(figures(was.known));
      const now = await gap(q);
      expect(figures(now)).not.toEqual(figures(was.today));
      expect((now.foreign as { pledged: unknown }).pledged).not.toEqual((was.today.foreign as { pledged: unknown }).pledged);
    },
  );

  it('today sees each write: the receipt, the owed balance, the new earmark and the cancellation', async () => {
    const was = before.get('') as { known: Body; today: Body };
    const now = await gap('');
    type Foreign = Record<'received' | 'outstanding' | 'cancelled', { amount: string }>;
    const minor = (m: { amount: string }) => BigInt(m.amount.replace('.', ''));
    const [a, b] = [was.today.foreign as Foreign, now.foreign as Foreign];
    expect(minor(b.received) - minor(a.received)).toBe(100_000_000n);
    expect(minor(b.outstanding)).toBeGreaterThan(minor(a.outstanding));
    expect(minor(b.cancelled)).toBeGreaterThan(minor(a.cancelled));
    const p05 = (body: Body) =>
      (body.byPriority as Array<{ code: string; pledged: { amount: string } }>).find((p) => p.code === 'P05') as { pledged: { amount: string } };
    expect(minor(p05(now).pledged)).toBeGreaterThan(minor(p05(was.today).pledged));
    // As known on K, none of it.
    const known = await gap(`?knownOn=${knownOn}`);
    expect(figures(known)).toEqual(figures(was.known));
  });

  it('the page shows the figures as known on K, says so on screen and on every printed sheet, and keeps K in its CSV links', async () => {
    const res = await t.http.get(`/?asOf=2025-03-31&knownOn=${knownOn}`).set('cookie', `mat_session=${t.adminToken}`).set('accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`data-testid="known-on">${knownOn}</time>`);
    expect(res.text).toMatch(/data-testid="print-footer">Funding gap as of <strong>[^<]+<\/strong> as known on /);
    expect(res.text).toContain(`id="knownOn" name="knownOn" value="${knownOn}"`);
    expect(res.text).toContain(`knownOn&#x3D;${knownOn}`);
  });

  it('takes an instant too: a UTC time just before the writes sees none of them', async () => {
    const instant = `${knownOn}T23:59:59.999Z`;
    const body = await gap(`?knownOn=${instant}`);
    expect(body.knownOn).toBe(instant);
    expect(figures({ ...body, knownOn, notes: (before.get('') as { known: Body }).known.notes })).toEqual(figures((before.get('') as { known: Body }).known));
  });

  it('refuses a knownOn in the future or not a date, naming the field', async () => {
    for (const value of [addDays(todayUtc(), 1), '2025-02-30', 'yesterday', `${addDays(todayUtc(), 1)}T00:00:00Z`, '2025-02-30T10:00:00Z']) {
      const res = await t.http.get(`/api/funding-gap?knownOn=${value}`).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'knownOn' })]);
    }
  });
});
