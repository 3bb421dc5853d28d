import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Every POST that creates a record honours Idempotency-Key: same body replays, other body is a 409. */
describe(`Idempotency-Key on every create (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let donorId: number;
  let pledgeId: number;

  beforeAll(async () => {
    t = await createTestApp();
    auth = { authorization: `Bearer ${t.adminToken}` };
    await seedReferenceData(t);
    donorId = await makeDonor(t);
    pledgeId = (await makePledge(t, donorId)).id;
  });
  afterAll(() => t.close());

  const creates: Array<[string, () => string, () => object, () => object, string]> = [
    ['donor', () => '/api/donors', () => ({ name: 'Idempotent Donor', type: 'ngo' }), () => ({ name: 'Other Donor', type: 'ngo' }), 'donors'],
    ['contact', () => `/api/donors/${donorId}/contacts`, () => ({ email: 'desk@donor.example' }), () => ({ email: 'other@donor.example' }), 'donor_contacts'],
    [
      'disbursement',
      () => `/api/pledges/${pledgeId}/disbursements`,
      () => ({ amount: '10.00', receivedOn: '2024-11-01' }),
      () => ({ amount: '11.00', receivedOn: '2024-11-01' }),
      'disbursements',
    ],
    [
      'rate',
      () => '/api/fx-rates',
      () => ({ base: 'EUR', quote: 'GBP', rate: '0.83705', date: '2024-10-11', source: 'ECB' }),
      () => ({ base: 'EUR', quote: 'GBP', rate: '0.83686', date: '2024-10-10', source: 'ECB' }),
      'fx_rates',
    ],
    [
      'government spend',
      () => '/api/government-spend',
      () => ({ amount: '1000.00', currency: 'AZN', periodStart: '2025-01-01', periodEnd: '2025-03-31', source: 'budget law' }),
      () => ({ amount: '1001.00', currency: 'AZN', periodStart: '2025-01-01', periodEnd: '2025-03-31', source: 'budget law' }),
      'government_spend',
    ],
    [
      'reported figure',
      () => '/api/reported-figures',
      () => ({ key: 'foreign_share', value: '0.05', asOf: '2025-06-30', source: 'Q2 report' }),
      () => ({ key: 'foreign_share', value: '0.06', asOf: '2025-06-30', source: 'Q2 report' }),
      'reported_figures',
    ],
    [
      'user',
      () => '/api/users',
      () => ({ email: 'new.officer@anama.local', password: 'officer-pass-123', role: 'officer' }),
      () => ({ email: 'other.officer@anama.local', password: 'officer-pass-123', role: 'officer' }),
      'users',
    ],
  ];

  it.each(creates)('%s: replays the first answer and refuses another body', async (_name, url, body, otherBody, table) => {
    const count = async () => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    const key = `key-${table}`;
    const before = await count();
    const first = await t.http.post(url()).set(auth).set('Idempotency-Key', key).send(body());
    expect(first.status).toBe(201);
    const replay = await t.http.post(url()).set(auth).set('Idempotency-Key', key).send(body());
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await t.http.post(url()).set(auth).set('Idempotency-Key', key).send(otherBody());
    expect(conflict.status).toBe(409);
    expect(await count()).toBe(before + 1);
  });

  it('refuses an unusable key', async () => {
    const res = await t.http.post('/api/donors').set(auth).set('Idempotency-Key', 'x'.repeat(201)).send({ name: 'Long Key', type: 'ngo' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 200 visible ASCII characters' }]);
  });
});
