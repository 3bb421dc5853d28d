import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** Issue 14, national figures from the browser; on the database TEST_DB names, with the report's data. */
describe('national figures screen', () => {
  let t: TestApp;
  let officer: WebSession;
  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists the report's observations with their sources, and an officer records one that the funding gap then uses", async () => {
    const page = await officer.get('/national');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Annex 2');
    expect(page.text).toContain('Foreign share of all funds');

    const saved = await officer.post('/national/spend', {
      amount: '900,000,000.00',
      currency: 'azn',
      asAt: '2025-12-31',
      basis: 'allocated',
      periodStart: '2020-11-10',
      source: 'Test: State budget execution report 2025',
      sourcePage: 'p. 4',
      notes: '',
    });
    expect(saved.status).toBe(303);
    expect((await officer.get(saved.headers.location)).text).toContain('Government funding observation recorded.');
    const gap = await t.http.get('/api/funding-gap').set(admin()).query({ currency: 'AZN', asOf: '2026-01-31' });
    expect(gap.body.government).toMatchObject({ total: { amount: '900000000.00', currency: 'AZN' }, asAt: '2025-12-31', sourcePage: 'p. 4' });
  });

  it('refuses hostile input beside the field, keeps what was typed, and records nothing', async () => {
    const before = (await t.http.get('/api/government-spend').set(admin())).body.items.length;
    const res = await officer.post('/national/spend', {
      amount: '12abc',
      currency: 'AZN',
      asAt: '2025-02-30',
      basis: 'stolen',
      source: '<img src=x onerror=alert(1)>',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please check the form');
    for (const id of ['spend-amount-error', 'spend-asAt-error', 'spend-basis-error']) expect(res.text).toContain(`id="${id}"`);
    expect(res.text).toContain('href="#spend-amount"');
    expect(res.text).toContain('value="12abc"');
    expect(res.text).not.toContain('<img src=x');
    expect((await t.http.get('/api/government-spend').set(admin())).body.items.length).toBe(before);

    const reported = await officer.post('/national/reported', { key: 'foreign_share', value: 'lots', asOf: '2025-03-31', source: 'x' });
    expect(reported.status).toBe(400);
    expect(reported.text).toContain('id="reported-value-error"');
  });

  it('leadership reads the page but cannot record', async () => {
    const lead = await makeUser(t, 'leadership');
    const web = await signInWeb(t, lead.email, lead.password);
    const page = await web.get('/national');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Record government funding');
    expect((await web.post('/national/spend', { amount: '1.00', currency: 'AZN', asAt: '2025-01-01', basis: 'spent', source: 'abc' })).status).toBe(403);
  });
});
