import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DisbursementEntity, PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

function pledgeForm(donorId: number, key: string, overrides: Record<string, string | string[]> = {}) {
  return {
    idempotencyKey: key,
    donorId: String(donorId),
    title: 'Support for mine detection dog training',
    kind: 'cash',
    amount: '1,250,000.50',
    currency: 'EUR',
    pledgedOn: '2024-10-14',
    status: 'committed',
    channel: 'direct',
    priorityCodes: ['P01', 'P07'],
    source: 'https://example.org/letter.pdf',
    ...overrides,
  };
}

describe('pledge, donor, audit and user pages', () => {
  let t: TestApp;
  let officer: WebSession;
  let donorId: number;
  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    donorId = await makeDonor(t, { name: 'Italy' });
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a bad amount beside its field, keeps what was typed, and records nothing', async () => {
    const form = await officer.get('/pledges/new');
    expect(form.status).toBe(200);
    for (const id of ['donorId', 'title', 'amount', 'currency', 'pledgedOn', 'channel', 'source', 'notes', 'priority-P01'])
      expect(form.text).toContain(`for="${id}"`);
    const res = await officer.post('/pledges/new', pledgeForm(donorId, 'key-bad-amount', { amount: '12,5x', title: 'Kept title' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('<span class="field__error" id="amount-error">Amount must be a number such as 1500000.00</span>');
    expect(res.text).toContain('value="12,5x"');
    expect(res.text).toContain('value="Kept title"');
    expect(res.text).toMatch(/id="priority-P07" name="priorityCodes" value="P07" checked/);
    expect(res.text).toContain('value="key-bad-amount"');
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(0);
    const zero = await officer.post('/pledges/new', pledgeForm(donorId, 'key-zero', { amount: '0' }));
    expect(zero.text).toContain('Amount must be more than zero');
  });

  it('records one pledge when the same form is submitted twice at once, with two earmarks', async () => {
    const body = pledgeForm(donorId, 'key-double-submit');
    const [a, b] = await Promise.all([officer.post('/pledges/new', body), officer.post('/pledges/new', body)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    const pledges = await t.dataSource.getRepository(PledgeEntity).find({ relations: { earmarks: true } });
    expect(pledges).toHaveLength(1);
    expect(pledges[0].amountMinor).toBe(125000050n);
    expect(pledges[0].currency).toBe('EUR');
    expect(pledges[0].earmarks.map((e) => e.priorityCode).sort()).toEqual(['P01', 'P07']);
    const page = await officer.get(a.headers.location);
    expect(page.text).toContain('Pledge recorded.');
    expect(page.text).toContain('<dd data-field="amount">1,250,000.50 EUR</dd>');
    expect(page.text).toMatch(/1,367,250.55 USD <small class="muted">at 1.0938 on 2024-10-14/);
    expect(page.text).toContain('<a href="https://example.org/letter.pdf" rel="noopener noreferrer">');
  });

  it('records a disbursement, refuses one over the balance beside the amount, and cancels with a reason', async () => {
    const [pledge] = await t.dataSource.getRepository(PledgeEntity).find();
    const page = await officer.get(`/pledges/${pledge.id}`);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const over = await officer.post(`/pledges/${pledge.id}/disbursements`, {
      idempotencyKey: key,
      amount: '2000000',
      currency: 'EUR',
      receivedOn: '2024-11-01',
    });
    expect(over.status).toBe(422);
    expect(over.text).toMatch(/id="amount-error">2,?000,?000.00 EUR is more than the 1,?250,?000.50 EUR balance still to receive/);
    // The form names its own field, not the API's.
    expect(over.text).toContain('fill in &quot;Reason, if more than the balance still to receive&quot; to record it anyway');
    expect(over.text).not.toContain('overDisbursementReason to record');
    // The receipt's source (document and page) is checked like the API's: a control character is refused beside the field.
    const hostile = await officer.post(`/pledges/${pledge.id}/disbursements`, {
      idempotencyKey: key,
      amount: '250000.50',
      currency: 'EUR',
      receivedOn: '2024-11-01',
      source: 'Credit advice\u0007',
    });
    expect(hostile.status).toBe(400);
    expect(hostile.text).toContain('id="source-error"');
    expect(hostile.text).toContain('value="Credit advice');
    const ok = await officer.post(`/pledges/${pledge.id}/disbursements`, {
      idempotencyKey: key,
      amount: '250000.50',
      currency: 'EUR',
      receivedOn: '2024-11-01',
      reference: 'MoF transfer 17',
      source: 'MoF credit advice, page 2',
    });
    expect(ok.status).toBe(303);
    expect((await t.dataSource.getRepository(DisbursementEntity).findOneByOrFail({ pledgeId: pledge.id })).source).toBe('MoF credit advice, page 2');
    const shown = await officer.get(ok.headers.location);
    expect(shown.text).toContain('Disbursement recorded.');
    expect(shown.text).toContain('<dd data-field="disbursed">250,000.50 EUR</dd>');
    expect(shown.text).toContain('<dd data-field="receipt-status">Receipt not documented</dd>');
    expect(shown.text).toContain('<dd data-field="outstanding">0.00 EUR</dd>');
    expect(shown.text).toContain('<dd data-field="receipt-not-documented">1,000,000.00 EUR</dd>');
    expect(shown.text).toContain('data-status="partly_disbursed"');
    const short = await officer.post(`/pledges/${pledge.id}/cancel`, { reason: 'no' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('Say why the pledge is cancelled, in at least 5 characters');
    // Without the tick box the pledge stands, and the reason typed is kept.
    const unconfirmed = await officer.post(`/pledges/${pledge.id}/cancel`, { reason: 'Donor letter of 3 May 2025 withdraws it' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick &quot;Yes, cancel this pledge&quot; to cancel it');
    expect(unconfirmed.text).toContain('Donor letter of 3 May 2025 withdraws it</textarea>');
    expect((await officer.get(`/pledges/${pledge.id}`)).text).not.toContain('data-status="cancelled"');
    const cancelled = await officer.post(`/pledges/${pledge.id}/cancel`, { reason: 'Donor letter of 3 May 2025 withdraws it', confirm: 'yes' });
    expect(cancelled.status).toBe(303);
    const after = await officer.get(`/pledges/${pledge.id}`);
    expect(after.text).toContain('data-status="cancelled"');
    expect(after.text).toContain('Pledge cancelled');
    expect(after.text).toContain('Donor letter of 3 May 2025 withdraws it');
    expect(after.text).not.toContain('Record a disbursement');
  });

  it('lists pledges with filters and a totals row in the chosen currency', async () => {
    await officer.post('/pledges/new', pledgeForm(donorId, 'key-usd', { amount: '1000000', currency: 'USD', title: 'Second pledge', priorityCodes: ['P03'] }));
    const all = await officer.get('/pledges?displayCurrency=USD');
    expect(all.status).toBe(200);
    // Every page of the list, from the funding engine: the cancelled pledge counts only in its own line.
    // Money for people: whole units from 10,000 up, the exact figure on hover.
    expect(all.text).toContain('<td class="num" data-total title="1,000,000.00 USD">1,000,000 USD</td>');
    expect(all.text).toContain('<td class="num" data-total-cancelled title="1,367,250.55 USD">1,367,251 USD</td>');
    const p03 = await officer.get('/pledges?priorityCode=P03&displayCurrency=USD');
    expect(p03.text).toContain('Second pledge');
    expect(p03.text).not.toContain('Support for mine detection dog training');
    expect(p03.text).toContain('<td class="num" data-total title="1,000,000.00 USD">1,000,000 USD</td>');
    const bad = await officer.get('/pledges?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status must be one of');
  });

  it('shows donors, the audit log to admins and lets an admin invite a user', async () => {
    const admin = await signInWeb(t, 'admin@test.local', 'admin-password-1');
    expect((await admin.get(`/donors/${donorId}`)).text).toContain('<h1>Italy</h1>');
    const audit = await admin.get('/audit?entityType=pledge');
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('Pledge recorded');
    expect(audit.text).toContain('Pledge cancelled');
    const users = await admin.get('/users');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(users.text)?.[1] as string;
    const bad = await admin.post('/users', { idempotencyKey: key, email: 'not-an-email', password: 'short', role: 'donor', donorId: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter an email address');
    expect(bad.text).toContain('The first password needs at least 10 characters');
    expect(bad.text).toContain('A donor user needs its donor');
    const ok = await admin.post('/users', {
      idempotencyKey: key,
      email: 'italy.desk@example.org',
      password: 'first-password-1',
      role: 'donor',
      donorId: String(donorId),
    });
    expect(ok.status).toBe(303);
    expect((await admin.get('/users')).text).toContain('italy.desk@example.org');
  });
});
