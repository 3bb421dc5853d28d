import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';
import { signInWeb } from './web-support';

/** Issue 14, priority targets with their history; on the database TEST_DB names. */
describe('priority targets', () => {
  let t: TestApp;
  let leadership: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const p07At = async (asOf: string) => {
    const gap = await t.http.get('/api/funding-gap').set(as(leadership)).query({ currency: 'USD', asOf });
    return gap.body.byPriority.find((p: { code: string }) => p.code === 'P07');
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    leadership = await t.tokenFor('leadership');
    const donor = await makeDonor(t);
    await makePledge(t, donor, { amount: '500000.00', currency: 'USD', pledgedOn: '2024-06-03', priorityCodes: ['P07'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a target with its source gives priority 7 its gap and percentage funded on the funding gap; the history keeps every setting', async () => {
    expect(await p07At('2024-12-31')).toMatchObject({ target: null, gap: null, percentFunded: null });
    const set = await t.http
      .post('/api/priorities/P07/targets')
      .set(as(leadership))
      .send({ amount: '2000000.00', currency: 'USD', source: 'ANAMA, Priorities and Needs, Q1 2025', sourcePage: 'p. 9' });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ target: { amount: '2000000.00', currency: 'USD' }, basis: 'document', sourcePage: 'p. 9', periodStart: null });
    expect(await p07At('2024-12-31')).toMatchObject({
      pledged: { amount: '500000.00', currency: 'USD' },
      target: { amount: '2000000.00', currency: 'USD' },
      gap: { amount: '1500000.00', currency: 'USD' },
      percentFunded: '0.2500',
    });

    // A need for 2026 only, ANAMA's own estimate: in force in 2026, not before.
    const year = await t.http
      .post('/api/priorities/P07/targets')
      .set(as(leadership))
      .send({ amount: '1000000.00', currency: 'USD', periodStart: '2026-01-01', periodEnd: '2026-12-31', source: 'anama estimate' });
    expect(year.body).toMatchObject({ basis: 'anama_estimate', source: 'ANAMA estimate', sourcePage: null });
    expect((await p07At('2026-06-30')).percentFunded).toBe('0.5000');
    expect((await p07At('2025-06-30')).percentFunded).toBe('0.2500');
    expect((await p07At('2027-01-01')).percentFunded).toBe('0.2500');

    const history = await t.http.get('/api/priorities/P07').set(as(leadership));
    expect(history.body.history.map((h: { target: { amount: string } }) => h.target.amount)).toEqual(['1000000.00', '2000000.00']);
    expect(history.body.history[0]).toMatchObject({ setBy: expect.any(Number), setAt: expect.any(String) });
    const listed = await t.http.get('/api/priorities').set(as(leadership)).query({ asOf: '2026-03-01' });
    expect(listed.body.find((p: { code: string }) => p.code === 'P07')).toMatchObject({
      target: { amount: '1000000.00', currency: 'USD' },
      targetSource: { basis: 'anama_estimate', periodStart: '2026-01-01', periodEnd: '2026-12-31' },
    });
  });

  it("version 1's PATCH still sets and clears a target, as new rows of the history", async () => {
    const set = await t.http
      .patch('/api/priorities/P03')
      .set(as(leadership))
      .send({ target: { amount: '750000.00', currency: 'EUR' } });
    expect(set.status).toBe(200);
    expect(set.body.target).toEqual({ amount: '750000.00', currency: 'EUR' });
    const cleared = await t.http.patch('/api/priorities/P03').set(as(leadership)).send({ target: null });
    expect(cleared.body.target).toBeNull();
    const history = await t.http.get('/api/priorities/P03').set(as(leadership));
    expect(history.body.history.map((h: { target: unknown; basis: string }) => [h.target, h.basis])).toEqual([
      [null, 'not_recorded'],
      [{ amount: '750000.00', currency: 'EUR' }, 'not_recorded'],
    ]);
  });

  it('bad input is a 400 naming the field and sets nothing; officers and donors may not set targets', async () => {
    const count = async () => (await t.http.get('/api/priorities/P05').set(as(leadership))).body.history.length;
    const before = await count();
    const ok = { amount: '100.00', currency: 'USD', source: 'Budget note' };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, amount: '-5.00' }, 'amount'],
      [{ ...ok, amount: '0' }, 'amount'],
      [{ ...ok, amount: '1.001' }, 'amount'],
      [{ ...ok, amount: 100 }, 'amount'],
      [{ ...ok, currency: 'usd' }, 'currency'],
      [{ ...ok, currency: 'ABC' }, 'currency'],
      [{ ...ok, periodStart: '2026-02-30' }, 'periodStart'],
      [{ ...ok, periodStart: '2026-06-01', periodEnd: '2026-01-01' }, 'periodEnd'],
      [{ amount: '100.00', currency: 'USD' }, 'source'],
      [{ ...ok, source: 'x\u0000y' }, 'source'],
      [{ ...ok, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of bad) {
      const res = await t.http.post('/api/priorities/P05/targets').set(as(leadership)).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    expect((await t.http.post('/api/priorities/P99/targets').set(as(leadership)).send(ok)).status).toBe(404);
    expect(
      (
        await t.http
          .post('/api/priorities/P05/targets')
          .set(as(await t.tokenFor('officer')))
          .send(ok)
      ).status,
    ).toBe(403);
    expect(await count()).toBe(before);
    expect((await t.http.get('/api/priorities').set(as(leadership)).query({ asOf: 'yesterday' })).status).toBe(400);
  });

  it('the priority screen: an admin sets a target from the form and the funding-gap page shows its gap; hostile input is refused beside the field', async () => {
    const web = await signInWeb(t, ADMIN.email, ADMIN.password);
    const list = await web.get('/priorities');
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/priorities/P11"');
    const hostile = await web.post('/priorities/P11/targets', { amount: '1e9', currency: '<b>', source: '<script>x</script>', periodStart: '2026-13-01' });
    expect(hostile.status).toBe(400);
    expect(hostile.text).toContain('Please check the form');
    for (const field of ['amount', 'currency', 'periodStart']) expect(hostile.text).toContain(`id="${field}-error"`);
    expect(hostile.text).not.toContain('<script>x</script>');
    expect((await t.http.get('/api/priorities/P11').set(as(leadership))).body.history).toEqual([]);

    const saved = await web.post('/priorities/P11/targets', {
      amount: '3,000,000.00',
      currency: 'usd',
      source: 'ANAMA estimate',
      periodStart: '',
      periodEnd: '',
    });
    expect(saved.status).toBe(303);
    const page = await web.get('/priorities/P11');
    expect(page.text).toContain('ANAMA estimate');
    expect(page.text).toContain(ADMIN.email);
    const gap = await web.get('/');
    expect(gap.status).toBe(200);
    const p11 = (await t.http.get('/api/funding-gap').set(as(leadership)).query({ currency: 'USD' })).body.byPriority.find(
      (p: { code: string }) => p.code === 'P11',
    );
    expect(p11).toMatchObject({ target: { amount: '3000000.00', currency: 'USD' }, gap: { amount: '3000000.00', currency: 'USD' }, percentFunded: '0.0000' });
  });
});
