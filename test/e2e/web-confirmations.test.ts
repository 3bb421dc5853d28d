import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DigestMessageEntity } from '../../src/digests/digest-message.entity';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** Irreversible steps ask first, on a page of their own: the GET says what will change and writes nothing; only its form's POST acts. */
describe('confirmation pages for irreversible steps', () => {
  let t: TestApp;
  let officer: WebSession;
  let admin: WebSession;
  let pledgeId: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const donorId = await makeDonor(t, { name: 'Norway' });
    const contact = await t.http
      .post(`/api/donors/${donorId}/contacts`)
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ name: 'Desk', email: 'desk@norway.example', digestEnabled: true });
    expect(contact.status).toBe(201);
    pledgeId = (await makePledge(t, donorId, { title: 'Clearance in Tartar', amount: '2500000.50', currency: 'EUR', pledgedOn: '2024-10-14' })).id;
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
    admin = await signInWeb(t, 'admin@test.local', 'admin-password-1');
  });
  afterAll(async () => {
    await t.close();
  });

  it('links the pledge page to a cancel page that says what will change and changes nothing itself', async () => {
    const show = await officer.get(`/pledges/${pledgeId}`);
    expect(show.text).toContain(`<a class="button button--danger" href="/pledges/${pledgeId}/cancel">Cancel this pledge…</a>`);
    expect(show.text).not.toContain('name="reason"');
    const ask = await officer.get(`/pledges/${pledgeId}/cancel`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<h1>Cancel this pledge?</h1>');
    const effects = /data-testid="cancel-effects">[\s\S]*?<\/ul>/.exec(ask.text)?.[0] ?? '';
    // The record's own figure, exactly, and its value in the reporting currency.
    expect(effects).toContain('The <strong>2,500,000.50 EUR</strong> pledged (2,734,501 USD) leave every total');
    expect(effects).toContain('It cannot be undone from the screens');
    expect(ask.text).toContain(`<form class="form" method="post" action="/pledges/${pledgeId}/cancel" novalidate>`);
    expect((await t.dataSource.getRepository(PledgeEntity).findOneByOrFail({ id: pledgeId })).cancelledAt).toBeNull();
  });

  it('keeps the reason and asks again when the box is not ticked, then cancels and says so', async () => {
    await officer.get(`/pledges/${pledgeId}/cancel`);
    const unticked = await officer.post(`/pledges/${pledgeId}/cancel`, { reason: 'Letter of 2 June 2025 withdraws it' });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('<h1>Cancel this pledge?</h1>');
    expect(unticked.text).toContain('Letter of 2 June 2025 withdraws it</textarea>');
    expect(unticked.text).toContain('id="confirm-error"');
    const done = await officer.post(`/pledges/${pledgeId}/cancel`, { reason: 'Letter of 2 June 2025 withdraws it', confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/pledges/${pledgeId}?recorded=cancel`);
    const again = await officer.get(`/pledges/${pledgeId}/cancel`);
    expect(again.text).toContain('This pledge is cancelled already.');
    expect(again.text).not.toContain('name="reason"');
    expect((await officer.get(`/pledges/${pledgeId}`)).text).not.toContain('Cancel this pledge…');
  });

  it('asks before a digest run, with how many emails it writes, and queues only from its form', async () => {
    const outbox = await admin.get('/digests');
    expect(outbox.text).toContain('<form method="get" action="/digests/run" class="form-inline">');
    const ask = await admin.get('/digests/run?period=2025-04');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<h1>Run the digests for April 2025?</h1>');
    expect(ask.text).toContain('<strong>1</strong> contact(s) of <strong>1</strong> donor(s)');
    expect(ask.text).toContain('<input type="hidden" name="period" value="2025-04">');
    expect(await t.dataSource.getRepository(DigestMessageEntity).count()).toBe(0);
    expect((await admin.get('/digests/run?period=2025-13')).status).toBe(400);
    const run = await admin.post('/digests/run', { period: '2025-04' });
    expect(run.status).toBe(303);
    expect(await t.dataSource.getRepository(DigestMessageEntity).count()).toBe(1);
  });

  it('shows the plain-text part of a digest under its envelope', async () => {
    const [message] = await t.dataSource.getRepository(DigestMessageEntity).find();
    const page = await admin.get(`/digests/messages/${message.id}`);
    const text = /data-testid="text-part">([\s\S]*?)<\/pre>/.exec(page.text)?.[1] ?? '';
    expect(text).toContain('ANAMA FUNDING DIGEST FOR Norway, April 2025');
    expect(text).toContain('Pledged 2,500,001 EUR');
  });
});
