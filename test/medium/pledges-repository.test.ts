import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DonorsService } from '../../src/donors/donors.service';
import { FxService } from '../../src/fx/fx.service';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { PledgesService } from '../../src/pledges/pledges.service';
import { PriorityEntity } from '../../src/priorities/priority.entity';
import { createTestContext, TestContext } from '../support/test-context';
import { ORGANISATION_1 } from '../support/factories';

/** Receipts in another currency than their pledge's, recorded through the service on a real database. */
describe(`pledges on a real database (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestContext;
  let pledges: PledgesService;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestContext();
    pledges = t.get(PledgesService);
    await t.get(UnitOfWork).transaction(async (tx) => {
      await t.get(FxService).insertRates(tx, [{ base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11', source: 'ECB' }]);
      await tx
        .getRepository(PriorityEntity)
        .insert({ organisationId: 1, code: 'P01', rank: 1, title: 'Direct financial donations', description: 'd', source: null });
    });
    const donor = await t.get(DonorsService).create(ORGANISATION_1, { name: 'Repository Donor', type: 'government' }, null);
    const base = { donorId: donor.body.id, channel: 'direct' as const, priorityCodes: ['P01'], pledgedOn: '2024-10-11' };
    const create = async (name: string, extra: object) =>
      (ids[name] = (await pledges.create(ORGANISATION_1, { ...base, title: name, ...extra } as never, null)).body.id);
    await create('announced', { kind: 'cash', amount: '100.00', currency: 'EUR', status: 'announced' });
    await create('committed', { kind: 'cash', amount: '100.00', currency: 'EUR', status: 'committed' });
    await create('partly', { kind: 'cash', amount: '100.00', currency: 'EUR' });
    await create('fully', { kind: 'cash', amount: '100.00', currency: 'EUR' });
    await create('dogs-partly', { kind: 'in_kind', inKind: { quantity: 30, unit: 'dogs', upTo: true } });
    await create('cancelled', { kind: 'cash', amount: '100.00', currency: 'EUR' });
    await pledges.recordDisbursement(ORGANISATION_1, ids.partly, { amount: '40.00', receivedOn: '2024-10-12' }, null);
    // 109.38 USD at 1.0938 is exactly 100.00 EUR: a disbursement in another currency counts at its receipt date's rate
    await pledges.recordDisbursement(ORGANISATION_1, ids.fully, { amount: '109.38', currency: 'USD', receivedOn: '2024-10-12' }, null);
    await pledges.recordDisbursement(ORGANISATION_1, ids['dogs-partly'], { quantity: 12, receivedOn: '2024-10-12' }, null);
    await pledges.cancel(ORGANISATION_1, ids.cancelled, { reason: 'Test cancellation' });
  });
  afterAll(() => t.close());

  it('counts a USD disbursement against a EUR pledge at the receipt date’s rate, and keeps the rate', async () => {
    const fully = await pledges.get(ORGANISATION_1, ids.fully, 'USD');
    expect(fully.disbursed).toEqual({ amount: '100.00', currency: 'EUR' });
    expect(fully.disbursements[0]).toMatchObject({
      amount: '109.38',
      currency: 'USD',
      counted: { amount: '100.00', currency: 'EUR' },
      rate: '0.9142439203',
      rateDate: '2024-10-11',
    });
  });
});
