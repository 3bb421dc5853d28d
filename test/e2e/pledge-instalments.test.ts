import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { addDays, todayUtc } from '../../src/common/dates';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb } from './web-support';

/** Issue 13, planned instalments on a pledge: states, the schedule's bound, edits and their audit; on the database TEST_DB names. */
describe('planned instalments', () => {
  let t: TestApp;
  let officer: string;
  let donorId: number;
  const today = todayUtc();
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const plan = (pledgeId: number, body: Record<string, unknown>) =>
    t.http.post(`/api/pledges/${pledgeId}/instalments`).set(as(officer)).set('Idempotency-Key', randomUUID()).send(body);
  const scheduleOf = async (pledgeId: number) => (await t.http.get(`/api/pledges/${pledgeId}`).set(as(officer))).body.instalments;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    officer = await t.tokenFor('officer');
    donorId = await makeDonor(t, { name: 'Schedule Donor' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('1,000,000 EUR in four quarterly instalments, receipts covering one and a half: received, partly received, then overdue once its date has passed', async () => {
    const pledge = await makePledge(t, donorId, { amount: '1000000.00', currency: 'EUR' });
    const dates = [addDays(today, -60), addDays(today, 30), addDays(today, 120), addDays(today, 210)];
    const created = [];
    for (const dueOn of dates) {
      const res = await plan(pledge.id, { dueOn, amount: '250000.00' });
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    expect(created.map((c) => c.state)).toEqual(['overdue', 'due', 'due', 'due']);
    expect(created[0]).toMatchObject({ pledgeId: pledge.id, amount: { amount: '250000.00', currency: 'EUR' }, overdue: true, quantity: null });

    for (const amount of ['250000.00', '125000.00']) {
      const receipt = await t.http.post(`/api/pledges/${pledge.id}/disbursements`).set(as(officer)).send({ amount, currency: 'EUR', receivedOn: today });
      expect(receipt.status).toBe(201);
    }
    const schedule = await scheduleOf(pledge.id);
    expect(schedule.map((i: { id: number; state: string }) => [i.id, i.state])).toEqual([
      [created[0].id, 'received'],
      [created[1].id, 'partly_received'],
      [created[2].id, 'due'],
      [created[3].id, 'due'],
    ]);
    expect(schedule[1]).toMatchObject({
      received: { amount: '125000.00', currency: 'EUR' },
      expected: { amount: '125000.00', currency: 'EUR' },
      overdue: false,
    });

    // The second instalment's date moved to yesterday: it is now past, with half of it still to come.
    const moved = await t.http
      .patch(`/api/pledges/${pledge.id}/instalments/${created[1].id}`)
      .set(as(officer))
      .send({ dueOn: addDays(today, -1) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ state: 'overdue', overdue: true, expected: { amount: '125000.00', currency: 'EUR' } });
    const history = (await t.http.get(`/api/pledges/${pledge.id}`).set(as(officer))).body.history;
    const change = history.find((h: { action: string }) => h.action === 'pledge.instalment_change');
    expect(change.before.instalment).toMatchObject({ dueOn: dates[1], state: 'partly_received' });
    expect(change.after.instalment).toMatchObject({ dueOn: addDays(today, -1), state: 'overdue' });
    expect(history.filter((h: { action: string }) => h.action === 'pledge.instalment_add')).toHaveLength(4);

    // The calendar lists the instalments beside obligations, the overdue one first; so does the feed.
    const year = { from: today, to: addDays(today, 365) };
    const calendar = await t.http
      .get('/api/calendar')
      .set(as(officer))
      .query({ donorId, ...year });
    expect(calendar.status).toBe(200);
    const mine = calendar.body.entries.filter((e: { pledgeId: number }) => e.pledgeId === pledge.id);
    expect(mine.map((e: Record<string, unknown>) => [e.type, e.id, e.state, e.overdue])).toEqual([
      ['instalment', created[1].id, 'overdue', true],
      ['instalment', created[2].id, 'due', false],
      ['instalment', created[3].id, 'due', false],
    ]);
    expect(mine[0]).toMatchObject({ kindLabel: 'Instalment', href: `/pledges/${pledge.id}`, expected: { amount: '125000.00', currency: 'EUR' } });
    expect(calendar.body.overdueCount).toBe(1);
    const onlyInstalments = await t.http
      .get('/api/calendar')
      .set(as(officer))
      .query({ donorId, kind: 'instalment', ...year });
    expect(onlyInstalments.body.entries).toHaveLength(3);
    expect(
      (
        await t.http
          .get('/api/calendar')
          .set(as(officer))
          .query({ donorId, kind: 'audit', ...year })
      ).body.entries,
    ).toEqual([]);

    const feed = await t.http.post('/api/calendar/feed-key').set(as(officer));
    const ics = await t.http.get(new URL(feed.body.url).pathname + new URL(feed.body.url).search);
    const summaries = new ICAL.Component(ICAL.parse(ics.text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).summary);
    expect(summaries).toContain(`OVERDUE: Instalment from Schedule Donor: 250000.00 EUR of ${pledge.title}`);
    expect(summaries).toContain(`Instalment from Schedule Donor: 250000.00 EUR of ${pledge.title}`);
  });

  it('the schedule sums to no more than the pledge: the one too many is refused naming the field, and nothing is written', async () => {
    const pledge = await makePledge(t, donorId, { amount: '1000.00', currency: 'USD' });
    expect((await plan(pledge.id, { dueOn: today, amount: '600.00' })).status).toBe(201);
    const over = await plan(pledge.id, { dueOn: today, amount: '400.01' });
    expect(over.status).toBe(422);
    expect(over.body.details).toEqual([{ field: 'amount', message: expect.stringContaining('400.00 USD is left unscheduled') }]);
    const exact = await plan(pledge.id, { dueOn: addDays(today, 1), amount: '400.00' });
    expect(exact.status).toBe(201);
    // Growing one instalment past the pledge is refused too; shrinking it is fine.
    const grow = await t.http.patch(`/api/pledges/${pledge.id}/instalments/${exact.body.id}`).set(as(officer)).send({ amount: '401.00' });
    expect(grow.status).toBe(422);
    expect(grow.body.details[0].field).toBe('amount');
    expect((await scheduleOf(pledge.id)).map((i: { amount: { amount: string } }) => i.amount.amount)).toEqual(['600.00', '400.00']);

    const bad: Array<[Record<string, unknown>, string, number]> = [
      [{ amount: '10.00' }, 'dueOn', 400],
      [{ dueOn: '2026-02-30', amount: '10.00' }, 'dueOn', 400],
      [{ dueOn: today }, 'amount', 400],
      [{ dueOn: today, amount: 10 }, 'amount', 400],
      [{ dueOn: today, amount: '0.00' }, 'amount', 400],
      [{ dueOn: today, amount: '1.001' }, 'amount', 400],
      [{ dueOn: today, quantity: 3 }, 'quantity', 400],
      [{ dueOn: today, amount: '1.00', state: 'received' }, 'state', 400],
    ];
    for (const [body, field, status] of bad) {
      const res = await plan(pledge.id, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    expect(await scheduleOf(pledge.id)).toHaveLength(2);
    expect((await plan(999_999, { dueOn: today, amount: '1.00' })).status).toBe(404);
    expect((await t.http.patch(`/api/pledges/${pledge.id}/instalments/999999`).set(as(officer)).send({ dueOn: today })).status).toBe(404);
    expect((await t.http.patch(`/api/pledges/${pledge.id}/instalments/${exact.body.id}`).set(as(officer)).send({})).status).toBe(400);
  });

  it('removing an instalment frees its room and is audited; a removed instalment is gone for good', async () => {
    const pledge = await makePledge(t, donorId, { amount: '500.00', currency: 'USD' });
    const first = (await plan(pledge.id, { dueOn: today, amount: '500.00' })).body;
    const removed = await t.http.delete(`/api/pledges/${pledge.id}/instalments/${first.id}`).set(as(officer));
    expect(removed.status).toBe(204);
    expect(await scheduleOf(pledge.id)).toEqual([]);
    expect((await t.http.delete(`/api/pledges/${pledge.id}/instalments/${first.id}`).set(as(officer))).status).toBe(404);
    expect((await plan(pledge.id, { dueOn: today, amount: '500.00' })).status).toBe(201);
    const history = (await t.http.get(`/api/pledges/${pledge.id}`).set(as(officer))).body.history;
    expect(history.find((h: { action: string }) => h.action === 'pledge.instalment_remove').before.instalment).toMatchObject({ id: first.id, dueOn: today });
  });

  it('in kind: instalments in units, deliveries matched oldest first; a cancelled pledge expects nothing more and takes no change', async () => {
    const dogs = await makePledge(t, donorId, {
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 30, unit: 'mine detection dogs', upTo: true },
    });
    expect((await plan(dogs.id, { dueOn: addDays(today, -5), amount: '1.00' })).body.details[0].field).toBe('amount');
    for (const dueOn of [addDays(today, -5), addDays(today, 60)]) expect((await plan(dogs.id, { dueOn, quantity: 15 })).status).toBe(201);
    expect((await plan(dogs.id, { dueOn: today, quantity: 1 })).status).toBe(422);
    await t.http.post(`/api/pledges/${dogs.id}/disbursements`).set(as(officer)).send({ quantity: 20, receivedOn: today });
    const schedule = await scheduleOf(dogs.id);
    expect(schedule.map((i: Record<string, unknown>) => [i.state, i.quantity, i.receivedQuantity, i.expectedQuantity, i.unit, i.amount])).toEqual([
      ['received', 15, 15, 0, 'mine detection dogs', null],
      ['partly_received', 15, 5, 10, 'mine detection dogs', null],
    ]);

    const cancel = await t.http.post(`/api/pledges/${dogs.id}/cancel`).set(as(officer)).send({ reason: 'The donor withdrew the rest (letter)' });
    expect(cancel.status).toBe(200);
    expect((await scheduleOf(dogs.id)).map((i: { state: string; expectedQuantity: number }) => [i.state, i.expectedQuantity])).toEqual([
      ['received', 0],
      ['cancelled', 0],
    ]);
    expect((await plan(dogs.id, { dueOn: today, quantity: 1 })).status).toBe(422);
  });

  it('an Idempotency-Key replays the same instalment; donors and leadership cannot plan', async () => {
    const pledge = await makePledge(t, donorId, { amount: '100.00', currency: 'USD' });
    const key = randomUUID();
    const send = () =>
      t.http.post(`/api/pledges/${pledge.id}/instalments`).set(as(officer)).set('Idempotency-Key', key).send({ dueOn: today, amount: '60.00' });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect(await scheduleOf(pledge.id)).toHaveLength(1);
    const leadership = await t.tokenFor('leadership');
    expect((await t.http.post(`/api/pledges/${pledge.id}/instalments`).set(as(leadership)).send({ dueOn: today, amount: '1.00' })).status).toBe(403);
    const donor = await t.tokenFor('donor', donorId);
    expect((await t.http.get(`/api/pledges/${pledge.id}`).set(as(donor))).body.instalments).toHaveLength(1);
    expect((await t.http.delete(`/api/pledges/${pledge.id}/instalments/${first.body.id}`).set(as(donor))).status).toBe(403);
  });
});

describe('the schedule on the pledge page', () => {
  let t: TestApp;
  const today = todayUtc();

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('plans an instalment from the form, refuses bad input beside the field keeping what was typed, and removes one', async () => {
    const donorId = await makeDonor(t, { name: 'Page Donor' });
    const pledge = await makePledge(t, donorId, { amount: '1000.00', currency: 'EUR' });
    const user = await makeUser(t, 'officer');
    const web = await signInWeb(t, user.email, user.password);
    const page = await web.get(`/pledges/${pledge.id}`);
    expect(page.text).toContain('No instalments planned.');
    expect(page.text).toContain(`action="/pledges/${pledge.id}/instalments"`);

    const tooMuch = await web.post(`/pledges/${pledge.id}/instalments`, { dueOn: addDays(today, 10), amount: '1,200.00' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('Please check the form');
    expect(tooMuch.text).toMatch(/id="instalmentAmount-error"[^>]*>the schedule may not add up to more than the pledge: 1000.00 EUR is left unscheduled/);
    expect(tooMuch.text).toContain('value="1,200.00"');
    const badDate = await web.post(`/pledges/${pledge.id}/instalments`, { dueOn: 'soon', amount: '<b>x</b>' });
    expect(badDate.status).toBe(400);
    expect(badDate.text).toMatch(/id="instalmentDueOn-error"/);
    expect(badDate.text).toMatch(/id="instalmentAmount-error"/);
    expect(badDate.text).not.toContain('<b>x</b>');

    const planned = await web.post(`/pledges/${pledge.id}/instalments`, { dueOn: addDays(today, -1), amount: '400.00' });
    expect(planned.status).toBe(303);
    const shown = await web.get(planned.headers.location);
    expect(shown.text).toContain('Instalment planned.');
    expect(shown.text).toMatch(/<span class="tag tag--overdue" data-state="overdue">Overdue<\/span>/);
    const id = Number(/data-instalment="(\d+)"/.exec(shown.text)?.[1]);
    const calendar = await web.get('/calendar');
    expect(calendar.text).toContain('Overdue (1)');
    expect(calendar.text).toContain(`Instalment from Page Donor: <a href="/pledges/${pledge.id}">400.00 EUR of ${pledge.title}</a>`);
    expect(calendar.text).toMatch(/Calendar <span class="nav-count">1<span class="visually-hidden"> overdue<\/span>/);
    const removed = await web.post(`/pledges/${pledge.id}/instalments/${id}/remove`, {});
    expect(removed.status).toBe(303);
    expect((await web.get(`/pledges/${pledge.id}`)).text).toContain('No instalments planned.');
  });
});
