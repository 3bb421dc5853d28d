import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnitOfWork } from '../../src/database/unit-of-work';
import type { CreateGovernmentSpendDto } from '../../src/national/dto';
import { NationalRepository } from '../../src/national/national.repository';
import { NationalService } from '../../src/national/national.service';
import { createTestContext, TestContext } from '../support/test-context';
import { ORGANISATION_1 } from '../support/factories';

/** NationalService.governmentAt, the funding engine's read of the government figure, on a real database. */
describe(`governmentAt: the latest observation on or before a date (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestContext;
  let national: NationalService;
  const observe = async (body: Partial<CreateGovernmentSpendDto> & Pick<CreateGovernmentSpendDto, 'amount' | 'currency' | 'asAt'>) =>
    (await national.addSpend(ORGANISATION_1, { basis: 'allocated', periodStart: '2020-11-10', source: 'test document', ...body }, null)).body;

  beforeAll(async () => {
    t = await createTestContext();
    national = t.get(NationalService);
  });
  afterAll(() => t.close());

  it('is not recorded (null) while there is no observation at all', async () => {
    expect(await national.governmentAt('2030-01-01')).toBeNull();
  });

  it('is null before the first observation, the observation from its date on, and the earlier one between two', async () => {
    await observe({ amount: '464000000.00', currency: 'USD', asAt: '2025-03-31', source: '002', sourcePage: 'Annex 2' });
    await observe({ amount: '789000000.00', currency: 'AZN', asAt: '2025-05-06', source: '001' });

    expect(await national.governmentAt('2025-03-30')).toBeNull();
    const first = {
      amountMinor: 46400000000n,
      currency: 'USD',
      asAt: '2025-03-31',
      basis: 'allocated',
      periodStart: '2020-11-10',
      source: '002',
      sourcePage: 'Annex 2',
    };
    expect(await national.governmentAt('2025-03-31')).toEqual(first);
    expect(await national.governmentAt('2025-05-05')).toEqual(first);
    // A later observation in another currency wins by its date: the figure is one observation, never a sum.
    expect(await national.governmentAt('2025-05-06')).toEqual({
      ...first,
      amountMinor: 78900000000n,
      currency: 'AZN',
      asAt: '2025-05-06',
      source: '001',
      sourcePage: null,
    });
    expect((await national.governmentAt('2030-01-01'))?.asAt).toBe('2025-05-06');
  });

  it('takes the observation recorded last of two as at the same day, whatever their currencies', async () => {
    await observe({ amount: '100.00', currency: 'EUR', asAt: '2026-12-31', basis: 'spent', periodStart: null, source: 'yearly budget execution' });
    await observe({ amount: '200.00', currency: 'AZN', asAt: '2026-12-31', basis: 'spent', periodStart: null, source: 'corrected budget execution' });
    expect(await national.governmentAt('2026-12-31')).toEqual({
      amountMinor: 20000n,
      currency: 'AZN',
      asAt: '2026-12-31',
      basis: 'spent',
      periodStart: null,
      source: 'corrected budget execution',
      sourcePage: null,
    });
  });

  it("reads inside the caller's unit of work, seeing its own uncommitted observation", async () => {
    const uow = t.get(UnitOfWork);
    const rows = t.get(NationalRepository);
    const seen = await uow
      .transaction(async (tx) => {
        await rows.insertSpend(tx, {
          organisationId: 1,
          amountMinor: 1n,
          currency: 'USD',
          asAt: '2027-01-01',
          basis: 'spent',
          periodStart: null,
          periodEnd: null,
          source: 'rolled back',
          sourcePage: null,
          notes: null,
          createdBy: null,
        });
        const inside = await national.governmentAt('2027-01-01', tx);
        throw Object.assign(new Error('roll back'), { inside });
      })
      .catch((error: { inside?: unknown }) => error.inside);
    expect(seen).toMatchObject({ asAt: '2027-01-01', source: 'rolled back' });
    expect((await national.governmentAt('2027-01-01'))?.asAt).toBe('2026-12-31');
  });
});
