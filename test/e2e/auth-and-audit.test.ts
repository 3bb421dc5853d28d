import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FREE_FAILURES } from '../../src/auth/sign-in-policy';
import { makeDonor, makePledge, pledgeBody, seedReferenceData } from '../support/factories';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';

describe(`sign-in, roles and the audit trail (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let donorA: number;
  let donorB: number;
  let pledgeOfB: number;

  beforeAll(async () => {
    t = await createTestApp();
    admin = { authorization: `Bearer ${t.adminToken}` };
    await seedReferenceData(t);
    donorA = await makeDonor(t, { name: 'Donor A' });
    donorB = await makeDonor(t, { name: 'Donor B' });
    pledgeOfB = (await makePledge(t, donorB)).id;
  });
  afterAll(() => t.close());

  it('signs in with the contract’s body and stores only a hash of the password', async () => {
    const res = await t.http.post('/api/auth/login').send(ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), user: { email: ADMIN.email, role: 'admin', donorId: null } });
    const [row] = await t.dataSource.query(`SELECT password_hash FROM users WHERE email = '${ADMIN.email}'`);
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.password_hash).not.toContain(ADMIN.password);
  });

  it('answers 401 in the contract’s shape without a token or with a bad one', async () => {
    const none = await t.http.get('/api/pledges');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await t.http.get('/api/pledges').set('authorization', 'Bearer not-a-real-token-at-all-xxxxxxxx')).status).toBe(401);
    expect((await t.http.get('/api/health')).body).toEqual({ status: 'ok', db: 'up' });
  });

  it('makes an account wait after repeated wrong passwords, even for the right one: 429 with Retry-After, no lock', async () => {
    await t.tokenFor('officer');
    const email = 'officer1@test.local';
    for (let i = 0; i <= FREE_FAILURES; i++) expect((await t.http.post('/api/auth/login').send({ email, password: 'wrong-password' })).status).toBe(401);
    const waiting = await t.http.post('/api/auth/login').send({ email, password: 'officer-password-123' });
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(waiting.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('Too many sign-in attempts') });
    expect(waiting.body.message).not.toContain('locked');
  });

  it('enforces the four roles on writes', async () => {
    const leadership = { authorization: `Bearer ${await t.tokenFor('leadership')}` };
    const officer = { authorization: `Bearer ${await t.tokenFor('officer')}` };
    const donor = { authorization: `Bearer ${await t.tokenFor('donor', donorA)}` };
    expect((await t.http.post('/api/pledges').set(leadership).send(pledgeBody(donorA))).status).toBe(403);
    expect((await t.http.post('/api/pledges').set(donor).send(pledgeBody(donorA))).status).toBe(403);
    expect((await t.http.post('/api/pledges').set(officer).send(pledgeBody(donorA))).status).toBe(201);
    expect((await t.http.post('/api/users').set(officer).send({ email: 'x@y.zz', password: 'long-enough-1', role: 'admin' })).status).toBe(403);
    expect(
      (
        await t.http
          .patch('/api/priorities/P02')
          .set(officer)
          .send({ target: { amount: '5000000.00', currency: 'USD' } })
      ).status,
    ).toBe(403);
    const target = await t.http
      .patch('/api/priorities/P02')
      .set(leadership)
      .send({ target: { amount: '5000000.00', currency: 'USD' } });
    expect(target.status).toBe(200);
    expect(target.body.target).toEqual({ amount: '5000000.00', currency: 'USD' });
  });

  it('shows a donor user only its own donor; another donor’s records are 404, not 403', async () => {
    const donor = { authorization: `Bearer ${await t.tokenFor('donor', donorA)}` };
    expect((await t.http.get(`/api/donors/${donorB}`).set(donor)).status).toBe(404);
    expect((await t.http.get(`/api/pledges/${pledgeOfB}`).set(donor)).status).toBe(404);
    expect((await t.http.get(`/api/donors/${donorA}`).set(donor)).status).toBe(200);
    const list = await t.http.get('/api/pledges').set(donor);
    expect(list.body.items.every((p: { donorId: number }) => p.donorId === donorA)).toBe(true);
    const donors = await t.http.get('/api/donors').set(donor);
    expect(donors.body.items.map((d: { id: number }) => d.id)).toEqual([donorA]);
  });

  it('writes who, when, before and after for a cancellation, and keeps the record', async () => {
    const pledge = await makePledge(t, donorA, { amount: '2500.00' });
    const cancel = await t.http.post(`/api/pledges/${pledge.id}/cancel`).set(admin).send({ reason: 'Donor withdrew by letter' });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    const again = await t.http.post(`/api/pledges/${pledge.id}/cancel`).set(admin).send({ reason: 'Donor withdrew by letter' });
    expect(again.status).toBe(409);
    const detail = await t.http.get(`/api/pledges/${pledge.id}`).set(admin);
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['pledge.create', 'pledge.cancel']);
    const entry = detail.body.history[1];
    expect(entry).toMatchObject({
      actorEmail: ADMIN.email,
      reason: 'Donor withdrew by letter',
      before: { status: 'committed' },
      after: { status: 'cancelled' },
    });
    expect(new Date(entry.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const audit = await t.http.get(`/api/audit?entityType=pledge&entityId=${pledge.id}`).set(admin);
    expect(audit.body.items).toHaveLength(2);
  });

  it('pages lists with limit and an opaque cursor', async () => {
    const first = await t.http.get('/api/pledges?limit=2').set(admin);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http.get(`/api/pledges?limit=2&cursor=${first.body.nextCursor}`).set(admin);
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
    expect((await t.http.get('/api/pledges?limit=501').set(admin)).body.details).toEqual([
      { field: 'limit', message: 'limit must be a whole number from 1 to 500' },
    ]);
    expect((await t.http.get("/api/pledges?status=' OR 1=1 --").set(admin)).status).toBe(400);
  });
});
