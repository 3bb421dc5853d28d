import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import ICAL from 'ical.js';
import { addDays, todayUtc } from '../../src/common/dates';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb } from './web-support';

/** Issue 13, obligations owed to donors, the calendar and its iCalendar feed; on the database TEST_DB names. */
describe('obligations, the calendar and the feed', () => {
  let t: TestApp;
  let officer: string;
  let pledgeId: number;
  let donorId: number;
  const today = todayUtc();
  const yesterday = addDays(today, -1);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  /** The VEVENTs of a feed, read with ical.js (a maintained RFC 5545 parser). */
  const events = (text: string) => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    return calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  };
  const feedPath = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    officer = await t.tokenFor('officer');
    donorId = await makeDonor(t, { name: 'Calendar Donor' });
    pledgeId = (await makePledge(t, donorId, { title: 'Clearance in Fuzuli', amount: '1000000.00', currency: 'EUR' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a report due yesterday and still open is overdue on the calendar, in the navigation and in the feed; once submitted it leaves the overdue list', async () => {
    const created = await t.http
      .post('/api/obligations')
      .set(as(officer))
      .send({ pledgeId, kind: 'narrative_report', title: 'Six-month narrative report', dueOn: yesterday, responsible: 'Programme unit' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ pledgeId, donorId, state: 'open', overdue: true, dueOn: yesterday });
    const upcoming = await t.http
      .post('/api/obligations')
      .set(as(officer))
      .send({ pledgeId, kind: 'financial_report', title: 'Financial report, first year', dueOn: addDays(today, 20) });
    expect(upcoming.body.overdue).toBe(false);

    const calendar = await t.http.get('/api/calendar').set(as(officer));
    expect(calendar.status).toBe(200);
    expect(calendar.body.overdueCount).toBe(1);
    expect(calendar.body.entries.map((e: { id: number; overdue: boolean }) => [e.id, e.overdue])).toEqual([
      [created.body.id, true],
      [upcoming.body.id, false],
    ]);
    expect(calendar.body.entries[0]).toMatchObject({ donorName: 'Calendar Donor', href: `/pledges/${pledgeId}`, kindLabel: 'Narrative report' });

    const web = await signInWeb(t, ...(await officerCredentials()));
    const page = await web.get('/calendar');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Overdue (1)');
    expect(page.text).toMatch(/Calendar <span class="nav-count">1<span class="visually-hidden"> overdue<\/span>/);
    expect(page.text).toContain(`Week of`);

    const feed = await t.http.post('/api/calendar/feed-key').set(as(officer));
    expect(feed.status).toBe(201);
    const ics = await t.http.get(feedPath(feed.body.url));
    expect(ics.status).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    const before = events(ics.text);
    expect(before.map((e) => e.summary)).toEqual([
      'OVERDUE: Narrative report for Calendar Donor: Six-month narrative report',
      'Financial report for Calendar Donor: Financial report, first year',
    ]);
    expect(before[0].startDate.toString()).toBe(yesterday);
    expect(ics.text).not.toContain('Programme unit');

    const submitted = await t.http.post(`/api/obligations/${created.body.id}/submit`).set(as(officer)).send({ submittedOn: today });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ state: 'submitted', overdue: false, submittedOn: today });
    expect((await t.http.get('/api/calendar').set(as(officer))).body.overdueCount).toBe(0);
    expect(events((await t.http.get(feedPath(feed.body.url))).text).map((e) => e.summary)).toEqual([
      'Financial report for Calendar Donor: Financial report, first year',
    ]);
    expect((await web.get('/pledges')).text).not.toContain('nav-count');

    // A rotated address answers 404; the new one works.
    const rotated = await t.http.post('/api/calendar/feed-key').set(as(officer));
    expect((await t.http.get(feedPath(feed.body.url))).status).toBe(404);
    expect((await t.http.get(feedPath(rotated.body.url))).status).toBe(200);
    expect((await t.http.get('/api/calendar.ics?key=not-a-key')).status).toBe(404);
  });

  let officerEmail = '';
  let officerPassword = '';
  async function officerCredentials(): Promise<[string, string]> {
    if (!officerEmail) {
      const user = await makeUser(t, 'officer');
      officerEmail = user.email;
      officerPassword = user.password;
    }
    return [officerEmail, officerPassword];
  }

  it('bad input is a 400 naming the field and records nothing; a closed obligation cannot be closed again', async () => {
    const countBefore = (
      await t.http
        .get('/api/calendar')
        .set(as(officer))
        .query({ from: addDays(today, -300), to: addDays(today, 700) })
    ).body.entries.length;
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ pledgeId, kind: 'thank_you_card', title: 'Card', dueOn: today }, 'kind'],
      [{ pledgeId, kind: 'audit', title: '', dueOn: today }, 'title'],
      [{ pledgeId, kind: 'audit', title: 'Audit', dueOn: '2026-02-30' }, 'dueOn'],
      [{ pledgeId, kind: 'audit', title: 'Audit', dueOn: '2999-01-01' }, 'dueOn'],
      [{ pledgeId: 'one', kind: 'audit', title: 'Audit', dueOn: today }, 'pledgeId'],
      [{ pledgeId, kind: 'audit', title: 'Audit\u0000', dueOn: today }, 'title'],
      [{ pledgeId, kind: 'audit', title: 'Audit', dueOn: today, state: 'submitted' }, 'state'],
    ];
    for (const [body, field] of bad) {
      const res = await t.http.post('/api/obligations').set(as(officer)).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    expect((await t.http.post('/api/obligations').set(as(officer)).send({ pledgeId: 999_999, kind: 'audit', title: 'Audit', dueOn: today })).status).toBe(404);
    const countAfter = (
      await t.http
        .get('/api/calendar')
        .set(as(officer))
        .query({ from: addDays(today, -300), to: addDays(today, 700) })
    ).body.entries.length;
    expect(countAfter).toBe(countBefore);

    const o = (await t.http.post('/api/obligations').set(as(officer)).send({ pledgeId, kind: 'visibility', title: 'Plaque at the site', dueOn: today })).body;
    expect(
      (
        await t.http
          .post(`/api/obligations/${o.id}/submit`)
          .set(as(officer))
          .send({ submittedOn: addDays(today, 2) })
      ).status,
    ).toBe(400);
    expect((await t.http.post(`/api/obligations/${o.id}/waive`).set(as(officer)).send({ reason: 'no' })).status).toBe(400);
    const waived = await t.http.post(`/api/obligations/${o.id}/waive`).set(as(officer)).send({ reason: 'The donor asked for none (email of 1 May)' });
    expect(waived.body).toMatchObject({ state: 'waived' });
    const again = await t.http.post(`/api/obligations/${o.id}/submit`).set(as(officer)).send({ submittedOn: today });
    expect(again.status).toBe(409);
    expect((await t.http.get(`/api/obligations/${o.id}`).set(as(officer))).body).toMatchObject({ state: 'waived', submittedOn: null });

    for (const query of [{ from: '2026-13-01' }, { to: 'soon' }, { donorId: 'x' }, { kind: 'card' }, { from: today, to: addDays(today, -1) }]) {
      const res = await t.http.get('/api/calendar').set(as(officer)).query(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it('donor users see no calendar and hold no feed; leadership reads but does not record', async () => {
    const donorToken = await t.tokenFor('donor', donorId);
    expect((await t.http.get('/api/calendar').set(as(donorToken))).status).toBe(403);
    expect((await t.http.post('/api/calendar/feed-key').set(as(donorToken))).status).toBe(403);
    const leadership = await t.tokenFor('leadership');
    expect((await t.http.get('/api/calendar').set(as(leadership))).status).toBe(200);
    expect((await t.http.post('/api/obligations').set(as(leadership)).send({ pledgeId, kind: 'audit', title: 'Audit', dueOn: today })).status).toBe(403);
  });

  it('the obligation screens: recorded from a form, hostile input refused beside the field, submitted from its page', async () => {
    const web = await signInWeb(t, ...(await officerCredentials()));
    const form = await web.get(`/obligations/new?pledgeId=${pledgeId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${pledgeId}" selected>`);
    const hostile = await web.post('/obligations/new', { pledgeId: String(pledgeId), kind: 'audit', title: '<script>x</script>\u0007', dueOn: 'tomorrow' });
    expect(hostile.status).toBe(400);
    expect(hostile.text).toContain('Please check the form');
    expect(hostile.text).toMatch(/id="dueOn-error"/);
    expect(hostile.text).not.toContain('<script>x</script>');

    const created = await web.post('/obligations/new', { pledgeId: String(pledgeId), kind: 'audit', title: 'External audit 2026', dueOn: addDays(today, 40) });
    expect(created.status).toBe(303);
    const show = await web.get(created.headers.location);
    expect(show.text).toContain('External audit 2026');
    const id = Number(created.headers.location.split('/').pop());
    const future = await web.post(`/obligations/${id}/submit`, { submittedOn: addDays(today, 5) });
    expect(future.status).toBe(400);
    expect((await t.http.get(`/api/obligations/${id}`).set(as(officer))).body.state).toBe('open');
    const done = await web.post(`/obligations/${id}/submit`, { submittedOn: today });
    expect(done.status).toBe(303);
    expect((await t.http.get(`/api/obligations/${id}`).set(as(officer))).body.state).toBe('submitted');
  });
});
