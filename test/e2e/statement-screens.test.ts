import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** Issue 12 from the browser: publish with a confirmation, read the statement, see what changed. */
describe(`statement screens (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let board: WebSession;
  let officer: WebSession;

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    const leadership = await makeUser(t, 'leadership');
    board = await signInWeb(t, leadership.email, leadership.password);
    const desk = await makeUser(t, 'officer');
    officer = await signInWeb(t, desk.email, desk.password);
  });
  afterAll(() => t?.close());

  it('refuses a bad quarter beside the field, keeping what was typed', async () => {
    await board.get('/statements');
    const res = await board.get('/statements/publish?period=2025-Q7&title=Draft');
    expect(res.status).toBe(400);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('id="period-error"');
    expect(res.text).toContain('value="2025-Q7"');
    expect(res.text).toContain('value="Draft"');
  });

  it('asks before publishing, publishes on the button, and shows the statement in the report structure; the diff links each change to its record', async () => {
    const confirm = await board.get('/statements/publish?period=2025-Q1');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Publish this statement?');
    expect(confirm.text).toContain('31 March 2025');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(confirm.text)?.[1] as string;
    const published = await board.post('/statements', { idempotencyKey: key, period: '2025-Q1', asOf: '', knownOn: '', title: '' });
    expect(published.status).toBe(303);
    const first = published.headers.location;
    expect(first).toMatch(/^\/statements\/\d+$/);
    // The same button pressed twice publishes once.
    const again = await board.post('/statements', { idempotencyKey: key, period: '2025-Q1', asOf: '', knownOn: '', title: '' });
    expect(again.headers.location).toBe(first);

    const page = await officer.get(first);
    expect(page.status).toBe(200);
    for (const heading of ['Foreign assistance', 'National picture', 'The twelve priorities', 'Clearance and projection'])
      expect(page.text).toContain(`>${heading}</h2>`);
    expect(page.text).toContain('464,000,000.00 USD');
    expect(page.text).toMatch(/data-testid="print-footer">As of 31 March 2025, as known at /);
    expect(page.text).toContain(`${first.replace('/statements', '/api/statements')}/document.docx`);

    const uae = (await t.http.get('/api/pledges?limit=500').set('authorization', `Bearer ${t.adminToken}`)).body.items.find(
      (p: { externalRef: string }) => p.externalRef === 'seed:002:uae-mou',
    );
    const receipt = await t.http
      .post(`/api/pledges/${uae.id}/disbursements`)
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ amount: '250000.00', currency: 'USD', receivedOn: '2025-03-10' });
    expect(receipt.status).toBe(201);
    const second = await board.post('/statements', {
      idempotencyKey: 'second',
      period: '2025-Q1',
      asOf: '',
      knownOn: '',
      title: 'Funding statement, Q1 2025 (corrected)',
    });
    expect(second.status).toBe(303);
    const diff = await officer.get(`${second.headers.location}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.text).toContain(`<a href="/pledges/${uae.id}">United Arab Emirates`);
    expect(diff.text).toContain('250000.00 USD received on 2025-03-10');
    expect(diff.text).toContain('data-testid="diff-shares"');
  });

  it("shows a donor user the national picture and its own donor's section only: no other donor, no diff, no publisher", async () => {
    const admin = { authorization: `Bearer ${t.adminToken}` };
    let id = (await t.http.get('/api/statements').set(admin)).body.items[0]?.id;
    if (id === undefined) id = (await t.http.post('/api/statements').set(admin).send({ period: '2025-Q1' })).body.id;
    const { figures } = (await t.http.get(`/api/statements/${id}`).set(admin)).body;
    const [own, other] = figures.byDonor as Array<{ donorId: number; name: string }>;
    const user = await makeUser(t, 'donor', own.donorId);
    const donor = await signInWeb(t, user.email, user.password);
    const page = await donor.get(`/statements/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(own.name);
    expect(page.text).not.toContain(other.name);
    expect(page.text).not.toContain(`/statements/${id}/diff`);
    expect(page.text).not.toMatch(/Published [^<]* by /);
    expect((await donor.get(`/statements/${id}/diff`)).status).toBe(403);
    expect((await donor.get('/statements')).status).toBe(403);
  });

  it('lets officers read but not publish', async () => {
    expect((await officer.get('/statements')).text).not.toContain('action="/statements/publish"');
    expect((await officer.get('/statements/publish?period=2025-Q1')).status).toBe(403);
  });
});
