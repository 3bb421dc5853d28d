import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, makePledge, pledgeBody, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb } from './web-support';

/** Receipt status as its own fact: received, outstanding (known to be owed), not documented, or cancelled. */
describe(`what is known of a pledge's receipt (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: { authorization: string };
  let donorId: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    auth = { authorization: `Bearer ${t.adminToken}` };
    donorId = await makeDonor(t, { name: 'Receipt Donor' });
  });
  afterAll(() => t.close());

  const create = (overrides: Record<string, unknown>) => t.http.post('/api/pledges').set(auth).send(pledgeBody(donorId, overrides));
  const disburse = (id: number, body: Record<string, unknown>) => t.http.post(`/api/pledges/${id}/disbursements`).set(auth).send(body);
  const get = async (id: number) => (await t.http.get(`/api/pledges/${id}`).set(auth)).body;
  const usd = (amount: string) => ({ amount, currency: 'USD' });

  it('calls a balance nobody has said is owed "not documented", never outstanding', async () => {
    const res = await create({ title: 'Nothing said about receipt' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      receiptExpectation: 'not_documented',
      receiptDueOn: null,
      receiptStatus: 'not_documented',
      disbursed: usd('0.00'),
      received: usd('0.00'),
      outstanding: usd('0.00'),
      receiptNotDocumented: usd('1000000.00'),
    });
  });

  it('counts the balance as outstanding when an officer says it is owed, and as received once it arrived', async () => {
    const res = await create({ title: 'Owed, says the officer', receiptExpectation: 'owed', channel: null });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ channel: null, receiptStatus: 'outstanding', outstanding: usd('1000000.00'), receiptNotDocumented: usd('0.00') });
    expect((await disburse(res.body.id, { amount: '400000.00', receivedOn: '2024-11-01' })).status).toBe(201);
    expect(await get(res.body.id)).toMatchObject({ receiptStatus: 'outstanding', received: usd('400000.00'), outstanding: usd('600000.00') });
    expect((await disburse(res.body.id, { amount: '600000.00', receivedOn: '2024-11-02' })).status).toBe(201);
    expect(await get(res.body.id)).toMatchObject({
      receiptStatus: 'received',
      received: usd('1000000.00'),
      outstanding: usd('0.00'),
      receiptNotDocumented: usd('0.00'),
    });
    // The audit trail records what was stated about receipt.
    const [created] = (await get(res.body.id)).history;
    expect(created.after).toMatchObject({ receiptExpectation: 'owed', receiptDueOn: null, channel: null });
  });

  it('counts the balance as outstanding once the promised date has passed, not before', async () => {
    const late = await create({ title: 'Promised by January 2025', receiptDueOn: '2025-01-31' });
    expect(late.body).toMatchObject({ receiptDueOn: '2025-01-31', receiptStatus: 'outstanding', outstanding: usd('1000000.00') });
    const ahead = await create({ title: 'Promised for 2036', receiptDueOn: '2036-01-31' });
    expect(ahead.body).toMatchObject({ receiptStatus: 'not_documented', outstanding: usd('0.00'), receiptNotDocumented: usd('1000000.00') });
  });

  it('gives a cancelled pledge no outstanding balance, in the pledge and in the list', async () => {
    const owed = await create({ title: 'Owed, then cancelled', receiptExpectation: 'owed', receiptDueOn: '2025-01-31' });
    await disburse(owed.body.id, { amount: '100000.00', receivedOn: '2024-11-01' });
    const cancelled = await t.http.post(`/api/pledges/${owed.body.id}/cancel`).set(auth).send({ reason: 'Donor withdrew the rest' });
    expect(cancelled.status).toBe(200);
    const expected = {
      status: 'cancelled',
      receiptStatus: 'cancelled',
      received: usd('100000.00'),
      outstanding: usd('0.00'),
      receiptNotDocumented: usd('0.00'),
    };
    expect(cancelled.body).toMatchObject(expected);
    const listed = (await t.http.get(`/api/pledges?donorId=${donorId}&status=cancelled`).set(auth)).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: owed.body.id, ...expected })]);
  });

  it('counts goods in their units', async () => {
    const dogs = await create({
      title: 'Dogs owed',
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 10, unit: 'dogs', upTo: true },
      receiptExpectation: 'owed',
    });
    expect(dogs.status).toBe(201);
    await disburse(dogs.body.id, { quantity: 4, receivedOn: '2024-11-01' });
    expect(await get(dogs.body.id)).toMatchObject({
      receiptStatus: 'outstanding',
      deliveredQuantity: 4,
      outstandingQuantity: 6,
      notDocumentedQuantity: 0,
      outstanding: null,
      receiptNotDocumented: null,
    });
    const over = await disburse(dogs.body.id, { quantity: 7, receivedOn: '2024-11-02' });
    expect(over.status).toBe(422);
    expect(over.body.details).toEqual([
      { field: 'quantity', message: '7 is more than the 6 dogs still to receive; give overDisbursementReason to record it anyway' },
    ]);
  });

  it('refuses a bad receipt value or a missing channel with a 400 naming the field, and writes nothing', async () => {
    const before = await t.dataSource.getRepository(PledgeEntity).count();
    const refused = async (body: Record<string, unknown>, field: string, message?: string | RegExp) => {
      const res = await t.http.post('/api/pledges').set(auth).send(body);
      expect(res.status).toBe(400);
      const details = res.body.details as Array<{ field: string; message: string }>;
      expect(new Set(details.map((d) => d.field))).toEqual(new Set([field]));
      if (message) expect(details.map((d) => d.message)).toContainEqual(expect.stringMatching(message));
    };
    const noChannel = pledgeBody(donorId);
    delete noChannel.channel;
    const missing = await t.http.post('/api/pledges').set(auth).send(noChannel);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([
      { field: 'channel', message: 'channel must be one of direct, un_agency, ngo, other, or null when the source does not say' },
      { field: 'channel', message: 'channel must be given: null when the source does not say how the money or goods come' },
    ]);
    await refused(pledgeBody(donorId, { channel: 'bank' }), 'channel');
    await refused(pledgeBody(donorId, { receiptExpectation: 'late' }), 'receiptExpectation', 'receiptExpectation must be not_documented or owed');
    await refused(pledgeBody(donorId, { receiptExpectation: null }), 'receiptExpectation', 'receiptExpectation cannot be null: leave it out instead');
    await refused(pledgeBody(donorId, { receiptDueOn: '2026-02-30' }), 'receiptDueOn');
    await refused(pledgeBody(donorId, { receiptDueOn: '2999-12-31' }), 'receiptDueOn', /^receiptDueOn must be a date from 1990-01-01 to /);
    await refused(pledgeBody(donorId, { receiptDueOn: 20261231 }), 'receiptDueOn');
    const pledge = await makePledge(t, donorId);
    const patched = await t.http.patch(`/api/pledges/${pledge.id}`).set(auth).send({ receiptExpectation: 'maybe' });
    expect(patched.status).toBe(400);
    expect(patched.body.details.map((d: { field: string }) => d.field)).toEqual(['receiptExpectation']);
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(before + 1);
  });

  it('changes what is known of receipt with a PATCH, in the audit log', async () => {
    const pledge = await makePledge(t, donorId, { title: 'Later found to be owed' });
    const res = await t.http.patch(`/api/pledges/${pledge.id}`).set(auth).send({ receiptExpectation: 'owed', receiptDueOn: '2026-06-30', channel: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ receiptExpectation: 'owed', receiptDueOn: '2026-06-30', channel: null, receiptStatus: 'outstanding' });
    const update = (await get(pledge.id)).history.find((h: { action: string }) => h.action === 'pledge.update');
    expect(update.before).toMatchObject({ receiptExpectation: 'not_documented', receiptDueOn: null, channel: 'direct', receiptStatus: 'not_documented' });
    expect(update.after).toMatchObject({ receiptExpectation: 'owed', receiptDueOn: '2026-06-30', channel: null, receiptStatus: 'outstanding' });
  });

  it('shows the receipt in words and an unstated channel on the pledge page, and records both through the forms', async () => {
    const user = await makeUser(t, 'officer');
    const session = await signInWeb(t, user.email, user.password);
    const form = await session.get('/pledges/new');
    for (const id of ['receiptExpectation-not-documented', 'receiptExpectation-owed', 'receiptDueOn']) expect(form.text).toContain(`for="${id}"`);
    expect(form.text).toContain('<option value="">Not stated in the source</option>');

    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.text)?.[1] as string;
    const typed = {
      idempotencyKey: key,
      donorId: String(donorId),
      title: 'Recorded through the form',
      kind: 'cash',
      amount: '2500.00',
      currency: 'USD',
      pledgedOn: '2024-10-14',
      status: 'committed',
      channel: '',
      receiptExpectation: 'not_documented',
      receiptDueOn: '2025-02-28',
    };
    const bad = await session.post('/pledges/new', { ...typed, receiptDueOn: '28/02/2025' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="receiptDueOn-error">Enter the date as YYYY-MM-DD, or leave it empty when no date was promised</span>');
    const ok = await session.post('/pledges/new', typed);
    expect(ok.status).toBe(303);
    const id = Number(/\/pledges\/(\d+)/.exec(ok.headers.location)?.[1]);
    expect(await get(id)).toMatchObject({ channel: null, receiptDueOn: '2025-02-28', receiptStatus: 'outstanding' });
    const shown = await session.get(`/pledges/${id}`);
    expect(shown.text).toContain('<dd data-field="receipt-status">Outstanding since 2025-02-28</dd>');
    expect(shown.text).toContain('<dd data-field="outstanding">2,500.00 USD</dd>');
    expect(shown.text).toContain('<dt>Channel</dt><dd>not stated</dd>');

    const edit = await session.get(`/pledges/${id}/edit`);
    expect(edit.text).toMatch(/id="receiptExpectation-not-documented" name="receiptExpectation" value="not_documented" checked/);
    expect(edit.text).toContain('id="receiptDueOn" name="receiptDueOn" value="2025-02-28"');
    const saved = await session.post(`/pledges/${id}/edit`, {
      title: typed.title,
      status: 'committed',
      channel: 'direct',
      pledgedOn: '2024-10-14',
      receiptExpectation: 'owed',
      receiptDueOn: '',
    });
    expect(saved.status).toBe(303);
    const owed = await session.get(`/pledges/${id}`);
    expect(owed.text).toContain('<dd data-field="receipt-status">Owed</dd>');
    expect(owed.text).toContain('<dt>Channel</dt><dd>Direct to ANAMA</dd>');

    const notDocumented = await makePledge(t, donorId, { title: 'Nothing known' });
    expect((await session.get(`/pledges/${notDocumented.id}`)).text).toContain('<dd data-field="receipt-status">Receipt not documented</dd>');
  });
});
