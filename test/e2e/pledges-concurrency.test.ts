import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, pledgeBody, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The measured trap: on SQLite, overlapping TypeORM transactions answered 201 while their rows were
 * rolled back. 200 concurrent POSTs (100 distinct, 100 retries with the same Idempotency-Key) must
 * leave exactly 100 pledges, and every answer must be a 201.
 */
describe(`200 concurrent pledge POSTs (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let officer: string;
  let donorId: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    officer = await t.tokenFor('officer');
    donorId = await makeDonor(t);
  });
  afterAll(() => t.close());

  it('creates exactly 100 pledges, replays the retries, and never answers 5xx', async () => {
    const bodies = Array.from({ length: 100 }, (_, i) =>
      pledgeBody(donorId, { title: `Concurrent pledge ${i}`, amount: `${1000 + i}.25`, currency: i % 2 ? 'EUR' : 'USD', pledgedOn: '2024-10-11' }),
    );
    const send = (i: number) =>
      t.http.post('/api/pledges').set('authorization', `Bearer ${officer}`).set('Idempotency-Key', `concurrency-${i}`).send(bodies[i]);
    const requests = [...bodies.keys(), ...bodies.keys()].map((i) => send(i));
    const responses = await Promise.all(requests);

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 201)).toBe(true);

    const firsts = responses.slice(0, 100);
    const retries = responses.slice(100);
    const replayed = responses.filter((r) => r.headers['idempotent-replayed'] === 'true');
    expect(replayed).toHaveLength(100);
    for (let i = 0; i < 100; i++) {
      expect(retries[i].body.id).toBe(firsts[i].body.id);
      expect(retries[i].body.amount).toBe(bodies[i].amount);
    }
    expect(new Set(firsts.map((r) => r.body.id)).size).toBe(100);

    // 201 means saved: every id answered is in the database, and nothing else is.
    const rows = await t.dataSource.getRepository(PledgeEntity).find({ where: { donorId } });
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(firsts.map((r) => r.body.id)));
    const audit = await t.dataSource.query(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'pledge.create'`);
    expect(Number(audit[0].n)).toBe(100);
  });

  it('refuses the same key with a different body with a 409, creating nothing', async () => {
    const key = 'reused-key';
    const first = await t.http
      .post('/api/pledges')
      .set('authorization', `Bearer ${officer}`)
      .set('Idempotency-Key', key)
      .send(pledgeBody(donorId, { title: 'First use' }));
    expect(first.status).toBe(201);
    const second = await t.http
      .post('/api/pledges')
      .set('authorization', `Bearer ${officer}`)
      .set('Idempotency-Key', key)
      .send(pledgeBody(donorId, { title: 'Other body' }));
    expect(second.status).toBe(409);
    expect(second.body.details).toEqual([{ field: 'Idempotency-Key', message: 'already used with a different body or route' }]);
    expect(await t.dataSource.getRepository(PledgeEntity).count({ where: { title: 'Other body' } })).toBe(0);
  });

  it('records concurrent disbursements against one pledge without losing or doubling any', async () => {
    const pledge = await t.http
      .post('/api/pledges')
      .set('authorization', `Bearer ${officer}`)
      .send(pledgeBody(donorId, { amount: '1000.00', currency: 'USD' }));
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.http
          .post(`/api/pledges/${pledge.body.id}/disbursements`)
          .set('authorization', `Bearer ${officer}`)
          .set('Idempotency-Key', `d-${i % 15}`)
          .send({ amount: '50.00', receivedOn: '2024-11-01' }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const after = await t.http.get(`/api/pledges/${pledge.body.id}`).set('authorization', `Bearer ${officer}`);
    expect(after.body.disbursements).toHaveLength(15);
    expect(after.body.disbursed).toEqual({ amount: '750.00', currency: 'USD' });
    expect(after.body.received).toEqual({ amount: '750.00', currency: 'USD' });
    expect(after.body.receiptNotDocumented).toEqual({ amount: '250.00', currency: 'USD' });
  });
});
