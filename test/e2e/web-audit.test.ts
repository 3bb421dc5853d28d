import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** The rows of the audit page: [when, who, what, record, changes] as shown. */
function entries(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr data-entry-id="\d+">([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]
        .replace(/<br>/g, ' | ')
        .replace(/<\/li><li>/g, '; ')
        .replace(/<[^>]+>/g, '')
        .replace(/&#x27;/g, "'")
        .trim(),
    ),
  );
}

describe('the audit log page', () => {
  let t: TestApp;
  let officer: WebSession;
  let officerEmail: string;
  let officerId: number;
  let dogs: number;
  let cash: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const donorId = await makeDonor(t, { name: 'Republic of Korea' });
    const user = await makeUser(t, 'officer');
    officerEmail = user.email;
    officerId = user.id;
    officer = await signInWeb(t, user.email, user.password);
    cash = (await makePledge(t, donorId, { title: 'Clearance of Aghdam', amount: '2000000.00', currency: 'EUR' })).id;
    dogs = (
      await makePledge(t, donorId, {
        title: 'Dogs for Fuzuli',
        kind: 'in_kind',
        amount: undefined,
        currency: undefined,
        inKind: { quantity: 30, unit: 'mine detection dogs', upTo: true },
      })
    ).id;
    // The officer records a delivery of five dogs and cancels the cash pledge, through the screens.
    const page = await officer.get(`/pledges/${dogs}`);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1] as string;
    expect((await officer.post(`/pledges/${dogs}/disbursements`, { idempotencyKey: key, quantity: '5', receivedOn: '2025-01-15' })).status).toBe(303);
    await officer.get(`/pledges/${cash}/cancel`);
    expect((await officer.post(`/pledges/${cash}/cancel`, { reason: 'Donor letter withdraws it', confirm: 'yes' })).status).toBe(303);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is open to desk officers and leadership, newest first, with names and times in words', async () => {
    const res = await officer.get('/audit');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a href="/audit" aria-current="page">Audit log</a>');
    const rows = entries(res.text);
    expect(rows[0].slice(1, 4)).toEqual([officerEmail, 'Pledge cancelled | Donor letter withdraws it', 'Pledge: Clearance of Aghdam (Republic of Korea)']);
    // A delivery of goods is a delivery, on its receipt record and on the pledge.
    expect(rows[1].slice(2, 4)).toEqual(['Delivery recorded', 'Pledge: Dogs for Fuzuli (Republic of Korea)']);
    expect(rows[2].slice(2, 4)).toEqual(['Delivery recorded', 'Receipt (money or goods): on Dogs for Fuzuli']);
    expect(rows[2][4]).toContain('Pledge: Dogs for Fuzuli');
    expect(rows[2][4]).toContain('Quantity: 5');
    expect(rows.flat().join(' ')).not.toContain('Disbursement recorded');
    // Timestamps to the minute, in words, in Baku time; never the stored ISO form with milliseconds.
    for (const row of rows)
      expect(row[0]).toMatch(/^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d{2}:\d{2}$/);
    expect(res.text).toContain('When (Baku time)');
    expect(rows.find((r) => r[2] === 'Donor added')?.[3]).toBe('Donor: Republic of Korea');
    expect(rows.at(-1)?.slice(2, 4)).toEqual(['User invited', 'User: admin@test.local']);
    const leadership = await makeUser(t, 'leadership');
    expect((await (await signInWeb(t, leadership.email, leadership.password)).get('/audit')).status).toBe(200);
  });

  it('filters by user, action, record and days, and pages from the newest', async () => {
    const byOfficer = entries((await officer.get(`/audit?actorId=${officerId}`)).text);
    expect(byOfficer.map((r) => r[1])).toEqual(Array(byOfficer.length).fill(officerEmail));
    expect(byOfficer).toHaveLength(3);
    expect(entries((await officer.get('/audit?action=pledge.cancel')).text).map((r) => r[2])).toEqual(['Pledge cancelled | Donor letter withdraws it']);
    expect(entries((await officer.get(`/audit?entityType=pledge&entityId=${dogs}`)).text).map((r) => r[2])).toEqual(['Delivery recorded', 'Pledge recorded']);
    expect(entries((await officer.get('/audit?from=2020-01-01&to=2020-12-31')).text)).toEqual([]);
    const wide = entries((await officer.get('/audit?from=2020-01-01&to=2099-12-31')).text);
    expect(wide.length).toBe(entries((await officer.get('/audit')).text).length);

    const first = await officer.get(`/audit?actorId=${officerId}&limit=2`);
    expect(entries(first.text)).toHaveLength(2);
    const older =
      /<a href="([^"]+)" rel="next">Older entries<\/a>/
        .exec(first.text)?.[1]
        .replace(/&amp;/g, '&')
        .replace(/&#x3D;/g, '=') ?? '';
    expect(older).toMatch(/^\/audit\?actorId=\d+&cursor=/);
    const second = await officer.get(`${older}&limit=2`);
    expect(entries(second.text).map((r) => r[3])).toEqual(['Receipt (money or goods): on Dogs for Fuzuli']);
    expect(second.text).toContain('>Newest entries</a>');

    const bad = await officer.get('/audit?from=2025-06-02&to=2025-06-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('to must be the same day as from or later');
  });

  it('gives the API the same filters, newest first on request, and keeps its old order by default', async () => {
    const token = await t.tokenFor('officer');
    const api = (query: string) => t.http.get(`/api/audit${query}`).set('authorization', `Bearer ${token}`);
    const oldest = await api('');
    expect(oldest.status).toBe(200);
    const ids = oldest.body.items.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const cancelled = await api(`?order=newest&action=pledge.cancel&actorId=${officerId}`);
    expect(cancelled.body.items).toEqual([
      expect.objectContaining({ action: 'pledge.cancel', entityId: String(cash), actorId: officerId, reason: 'Donor letter withdraws it' }),
    ]);
    const refused = await api('?actorId=abc');
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'actorId', message: 'actorId is the id of a user' }]);
  });
});
