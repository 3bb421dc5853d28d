import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ErrorBody } from '../../src/common/http/http-exception.filter';
import { makeDonor, makePledge, pledgeBody, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Every line of the ledger issue's "Bad input" list: a 4xx naming the field, and nothing written. */
describe(`bad input (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let donorId: number;
  let pledgeId: number;
  let cancelledId: number;
  let dogsId: number;

  const counts = async () => {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT COUNT(*) FROM pledges) AS pledges, (SELECT COUNT(*) FROM disbursements) AS disbursements,
              (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM pledge_priorities) AS earmarks,
              (SELECT COUNT(*) FROM government_spend) AS spend, (SELECT COUNT(*) FROM fx_rates) AS rates`,
    );
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  };

  /** Sends a request and checks the status, the contract's error body and that nothing changed. */
  const expectRefused = async (send: () => Promise<{ status: number; body: ErrorBody }>, status: number, field: string) => {
    const before = await counts();
    const res = await send();
    expect({ status: res.status, fields: (res.body.details ?? []).map((d) => d.field) }).toEqual({
      status,
      fields: expect.arrayContaining([field]),
    });
    expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    expect(await counts()).toEqual(before);
    return res.body;
  };
  const postPledge = (body: unknown) => () =>
    t.http
      .post('/api/pledges')
      .set(auth)
      .send(body as object);
  const postDisbursement = (id: number, body: unknown) => () =>
    t.http
      .post(`/api/pledges/${id}/disbursements`)
      .set(auth)
      .send(body as object);

  beforeAll(async () => {
    t = await createTestApp();
    auth = { authorization: `Bearer ${t.adminToken}` };
    await seedReferenceData(t);
    donorId = await makeDonor(t);
    pledgeId = (await makePledge(t, donorId, { amount: '1000.00', currency: 'USD' })).id;
    cancelledId = (await makePledge(t, donorId)).id;
    await t.http.post(`/api/pledges/${cancelledId}/cancel`).set(auth).send({ reason: 'Withdrawn by the donor' }).expect(200);
    dogsId = (await makePledge(t, donorId, { kind: 'in_kind', amount: undefined, currency: undefined, inKind: { quantity: 8, unit: 'dogs' } })).id;
  });
  afterAll(() => t.close());

  describe('money', () => {
    it('refuses money as a JSON number', async () => {
      const body = await expectRefused(postPledge(pledgeBody(donorId, { amount: 1500000 })), 400, 'amount');
      expect(body.message).toContain('decimal string');
    });
    it.each([['-5.00'], ['0'], ['0.00']])('refuses a negative or zero amount %p', async (amount) => {
      await expectRefused(postPledge(pledgeBody(donorId, { amount })), 400, 'amount');
    });
    it('refuses more decimals than the currency has', async () => {
      const body = await expectRefused(postPledge(pledgeBody(donorId, { amount: '10.001', currency: 'USD' })), 400, 'amount');
      expect(body.details[0].message).toBe('amount has 3 decimals but USD has 2');
      await expectRefused(postPledge(pledgeBody(donorId, { amount: '10.5', currency: 'JPY' })), 400, 'amount');
    });
    it.each([['1e6'], ['1E+6'], ['1,000,000.00'], ['1 000 000'], ['1.000.000,00']])('refuses exponents and thousands separators %p', async (amount) => {
      await expectRefused(postPledge(pledgeBody(donorId, { amount })), 400, 'amount');
    });
    it('refuses amounts over 10^13', async () => {
      const body = await expectRefused(postPledge(pledgeBody(donorId, { amount: '10000000000000.01' })), 400, 'amount');
      expect(body.details[0].message).toContain('at most 10000000000000');
    });
    it.each([['usd'], ['XYZ'], ['US'], [840]])('refuses the unknown or lower-case currency %p', async (currency) => {
      await expectRefused(postPledge(pledgeBody(donorId, { currency })), 400, 'currency');
    });
  });

  describe('dates', () => {
    it.each([['2024-02-30'], ['2023-02-29'], ['2024-13-01'], ['24-01-16'], ['16/01/2024']])('refuses the impossible pledge date %p', async (pledgedOn) => {
      await expectRefused(postPledge(pledgeBody(donorId, { pledgedOn })), 400, 'pledgedOn');
    });
    it('refuses a receipt date in the future', async () => {
      const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      await expectRefused(postDisbursement(pledgeId, { amount: '10.00', receivedOn: tomorrow }), 400, 'receivedOn');
    });
    it('refuses an impossible receipt date', async () => {
      await expectRefused(postDisbursement(pledgeId, { amount: '10.00', receivedOn: '2024-02-30' }), 400, 'receivedOn');
    });
  });

  describe('disbursements', () => {
    it('refuses a disbursement on a cancelled pledge with a 422', async () => {
      await expectRefused(postDisbursement(cancelledId, { amount: '10.00', receivedOn: '2024-11-01' }), 422, 'pledge');
    });
    it('refuses more than the balance still to receive without a reason, and accepts it with one', async () => {
      const body = await expectRefused(postDisbursement(pledgeId, { amount: '1000.01', receivedOn: '2024-11-01' }), 422, 'amount');
      expect(body.details[0].message).toBe(
        '1000.01 USD is more than the 1000.00 USD balance still to receive; give overDisbursementReason to record it anyway',
      );
      const ok = await postDisbursement(pledgeId, {
        amount: '1000.01',
        receivedOn: '2024-11-01',
        overDisbursementReason: 'Donor rounded up the final tranche',
      })();
      expect(ok.status).toBe(201);
    });
    it('refuses more delivered units than pledged without a reason', async () => {
      await expectRefused(postDisbursement(dogsId, { quantity: 9, receivedOn: '2024-11-01' }), 422, 'quantity');
    });
    it('refuses cash fields on an in-kind delivery and a quantity on a cash disbursement', async () => {
      await expectRefused(postDisbursement(dogsId, { amount: '10.00', receivedOn: '2024-11-01' }), 400, 'amount');
      await expectRefused(postDisbursement(pledgeId, { quantity: 2, receivedOn: '2024-11-01' }), 400, 'quantity');
    });
    it('answers 404 for a disbursement on an unknown pledge', async () => {
      const res = await postDisbursement(999999, { amount: '10.00', receivedOn: '2024-11-01' })();
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Pledge 999999 not found' });
    });
  });

  describe('references', () => {
    it('refuses an unknown donor', async () => {
      await expectRefused(postPledge(pledgeBody(987654)), 422, 'donorId');
    });
    it('refuses an unknown priority', async () => {
      const body = await expectRefused(postPledge(pledgeBody(donorId, { priorityCodes: ['P01', 'P99'] })), 422, 'priorityCodes');
      expect(body.details[0].message).toBe('unknown priority code(s): P99');
    });
  });

  describe('shape', () => {
    it('refuses an in-kind pledge with cash fields, and a cash pledge with in-kind fields', async () => {
      await expectRefused(postPledge(pledgeBody(donorId, { kind: 'in_kind', inKind: { quantity: 3, unit: 'dogs' } })), 400, 'amount');
      await expectRefused(postPledge(pledgeBody(donorId, { inKind: { quantity: 3, unit: 'dogs' } })), 400, 'inKind');
      await expectRefused(postPledge(pledgeBody(donorId, { kind: 'in_kind', amount: undefined, currency: undefined })), 400, 'inKind');
    });
    it('refuses unknown fields, naming them', async () => {
      await expectRefused(postPledge({ ...pledgeBody(donorId), sneaky: true }), 400, 'sneaky');
      await expectRefused(
        postPledge(pledgeBody(donorId, { kind: 'in_kind', amount: undefined, currency: undefined, inKind: { quantity: 1, unit: 'dog', colour: 'brown' } })),
        400,
        'inKind.colour',
      );
    });
    it('refuses half a surrogate pair anywhere in a body with a 400 naming the field (isEmail used to throw on it: a 500)', async () => {
      const contact = (body: string) => () => t.http.post(`/api/donors/${donorId}/contacts`).set(auth).set('content-type', 'application/json').send(body);
      await expectRefused(contact('{"name":"Desk","digestEnabled":true,"email":"lone \\ud800 surrogate"}'), 400, 'email');
      await expectRefused(
        () =>
          t.http
            .post('/api/pledges')
            .set(auth)
            .set('content-type', 'application/json')
            .send(JSON.stringify(pledgeBody(donorId)).replace('"title":"', '"title":"\\udc00')),
        400,
        'title',
      );
    });
    it('refuses malformed JSON', async () => {
      const body = await expectRefused(
        () => t.http.post('/api/pledges').set(auth).set('content-type', 'application/json').send('{"donorId": 1, "title": '),
        400,
        'body',
      );
      expect(body.message).toBe('The request body is not valid JSON');
    });
    it('refuses a body over 1 MB with a 413', async () => {
      const body = await expectRefused(postPledge({ ...pledgeBody(donorId), notes: 'x'.repeat(1_100_000) }), 413, 'body');
      expect(body.error).toBe('Payload Too Large');
    });
  });

  describe('other creates', () => {
    it('refuses government spend with a JSON number and reported figures without a source', async () => {
      await expectRefused(
        () =>
          t.http
            .post('/api/government-spend')
            .set(auth)
            .send({ amount: 789000000, currency: 'AZN', periodStart: '2020-11-10', periodEnd: '2025-05-06', source: '001' }),
        400,
        'amount',
      );
      await expectRefused(
        () =>
          t.http
            .post('/api/government-spend')
            .set(auth)
            .send({ amount: '1.00', currency: 'AZN', periodStart: '2025-11-10', periodEnd: '2025-05-06', source: 'doc' }),
        400,
        'periodEnd',
      );
      await expectRefused(
        () => t.http.post('/api/reported-figures').set(auth).send({ key: 'foreign_share', value: '0.048', asOf: '2025-03-31' }),
        400,
        'source',
      );
      await expectRefused(
        () => t.http.post('/api/reported-figures').set(auth).send({ key: 'foreign_share', value: '4.8', asOf: '2025-03-31', source: '002' }),
        400,
        'value',
      );
    });
    it('refuses a rate of zero, a number, or a pair already recorded', async () => {
      await expectRefused(
        () => t.http.post('/api/fx-rates').set(auth).send({ base: 'USD', quote: 'AZN', rate: '0', date: '2024-01-01', source: 'x' }),
        400,
        'rate',
      );
      await expectRefused(
        () => t.http.post('/api/fx-rates').set(auth).send({ base: 'USD', quote: 'AZN', rate: 1.7, date: '2024-01-01', source: 'x' }),
        400,
        'rate',
      );
      await expectRefused(
        () => t.http.post('/api/fx-rates').set(auth).send({ base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01', source: 'CBAR' }),
        409,
        'date',
      );
    });
    it('refuses a pledge in a currency with no rate at all, naming the pair and date (never a silent 1:1)', async () => {
      const body = await expectRefused(postPledge(pledgeBody(donorId, { currency: 'GBP', amount: '100.00', pledgedOn: '2024-06-03' })), 422, 'currency');
      expect(body.message).toBe('No exchange rate from GBP to USD on or before 2024-06-03');
    });
  });
});
