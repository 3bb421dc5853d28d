import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ErrorBody } from '../../src/common/http/http-exception.filter';
import { addYears, todayUtc } from '../../src/common/dates';
import { createTestApp, TestApp } from '../support/test-app';

/** Contract v2: POST /api/government-spend records a dated observation of a cumulative figure; version 1 bodies still work. */
describe(`government spend observations (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const observation = {
    amount: '464000000.00',
    currency: 'USD',
    asAt: '2025-03-31',
    basis: 'allocated',
    periodStart: '2020-11-10',
    source: '002: ANAMA, Report on Mine Action in Azerbaijan, January-March 2025',
    sourcePage: 'Annex 2',
  };
  const post = (body: object) => t.http.post('/api/government-spend').set(auth).send(body);
  const count = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM government_spend'))[0].n);

  /** A 400 naming `field`, with nothing written. */
  const expectRefused = async (body: object, field: string) => {
    const before = await count();
    const res = await post(body);
    const error = res.body as ErrorBody;
    expect({ status: res.status, fields: [...new Set(error.details.map((d) => d.field))] }).toEqual({ status: 400, fields: [field] });
    expect(await count()).toBe(before);
    return error.details[0].message;
  };

  beforeAll(async () => {
    t = await createTestApp();
    auth = { authorization: `Bearer ${t.adminToken}` };
  });
  afterAll(() => t.close());

  it('records a version 2 observation: 201 with the observation, in the list and the audit trail', async () => {
    const res = await post({ ...observation, notes: '"$464 mln by government"' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      amount: '464000000.00',
      currency: 'USD',
      asAt: '2025-03-31',
      basis: 'allocated',
      periodStart: '2020-11-10',
      source: observation.source,
      sourcePage: 'Annex 2',
      notes: '"$464 mln by government"',
    });

    const list = await t.http.get('/api/government-spend').set(auth);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([res.body]);

    const audit = await t.http.get(`/api/audit?entityType=government_spend&entityId=${res.body.id}`).set(auth);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'government_spend.create', after: res.body })]);
  });

  it('takes an observation without a period start or source page, as null', async () => {
    const res = await post({ amount: '1.00', currency: 'AZN', asAt: '2025-12-31', basis: 'spent', source: 'budget execution 2025' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ asAt: '2025-12-31', basis: 'spent', periodStart: null, sourcePage: null, notes: null });
    expect(res.body).not.toHaveProperty('periodEnd');
    expect((await post({ amount: '1.00', currency: 'AZN', asAt: '2025-12-31', basis: 'spent', periodStart: null, source: 'budget' })).status).toBe(201);
  });

  it('refuses a body without basis or with an unknown one, naming basis', async () => {
    const { basis: _basis, ...withoutBasis } = observation;
    expect(await expectRefused(withoutBasis, 'basis')).toMatch(/allocated.*spent/);
    await expectRefused({ ...observation, basis: 'budgeted' }, 'basis');
    await expectRefused({ ...observation, basis: null }, 'basis');
  });

  it("refuses a body without asAt, or with one that is not a date in the ledger's range, naming asAt", async () => {
    const { asAt: _asAt, ...withoutAsAt } = observation;
    await expectRefused(withoutAsAt, 'asAt');
    await expectRefused({ ...observation, asAt: '2025-02-30' }, 'asAt');
    await expectRefused({ ...observation, asAt: '31/03/2025' }, 'asAt');
    await expectRefused({ ...observation, asAt: '1989-12-31' }, 'asAt');
    await expectRefused({ ...observation, asAt: addYears(todayUtc(), 11) }, 'asAt');
    await expectRefused({ ...observation, asAt: null }, 'asAt');
  });

  it('refuses a period start after asAt or not a date, naming periodStart', async () => {
    expect(await expectRefused({ ...observation, periodStart: '2025-04-01' }, 'periodStart')).toBe('periodStart must not be after asAt');
    await expectRefused({ ...observation, periodStart: '2025-13-01' }, 'periodStart');
  });

  it('refuses asAt beside version 1 periodEnd, and a source page that is blank or on two lines', async () => {
    await expectRefused({ ...observation, periodEnd: '2025-03-31' }, 'periodEnd');
    await expectRefused({ ...observation, sourcePage: '   ' }, 'sourcePage');
    await expectRefused({ ...observation, sourcePage: 'Annex\n2' }, 'sourcePage');
  });

  it('still accepts a version 1 body: spend as at the period end, and says how it was read', async () => {
    const res = await post({ amount: '1000.00', currency: 'AZN', periodStart: '2025-01-01', periodEnd: '2025-03-31', source: 'budget law' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      amount: '1000.00',
      currency: 'AZN',
      asAt: '2025-03-31',
      basis: 'spent',
      periodStart: '2025-01-01',
      periodEnd: '2025-03-31',
      source: 'budget law',
      sourcePage: null,
      notes: null,
      deprecated: expect.stringMatching(/^version 1 body .*send asAt and basis instead$/),
    });
    const { deprecated: _deprecated, ...stored } = res.body as Record<string, unknown>;
    const list = await t.http.get('/api/government-spend?limit=100').set(auth);
    expect(list.body.items).toContainEqual(stored);
    await expectRefused({ amount: '1.00', currency: 'AZN', periodStart: '2025-11-10', periodEnd: '2025-05-06', source: 'doc' }, 'periodEnd');
  });

  it('records where in its source a reported figure is', async () => {
    const res = await t.http
      .post('/api/reported-figures')
      .set(auth)
      .send({ key: 'foreign_share', value: '0.048', asOf: '2025-03-31', source: '002', sourcePage: 'Executive summary; Annex 2' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'foreign_share', asOf: '2025-03-31', sourcePage: 'Executive summary; Annex 2' });
    const without = await t.http.post('/api/reported-figures').set(auth).send({ key: 'foreign_share', value: '0.05', asOf: '2025-06-30', source: 'Q2 report' });
    expect({ status: without.status, sourcePage: without.body.sourcePage as unknown }).toEqual({ status: 201, sourcePage: null });
  });
});
