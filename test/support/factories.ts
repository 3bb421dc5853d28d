import { actingFor, SYSTEM_ACTOR } from '../../src/access/actor';

/**
 * Start-up work of the test database's organisation. Every test database is created empty, so its
 * first organisation (made at first start, or by the migration of an older database) is number 1.
 */
export const ORGANISATION_1 = actingFor(SYSTEM_ACTOR, 1);
import type { RateQuote } from '../../src/common/money/conversion';
import { UnitOfWork } from '../../src/database/unit-of-work';
import type { CreateDonorDto } from '../../src/donors/dto';
import { DonorsService } from '../../src/donors/donors.service';
import { FxService } from '../../src/fx/fx.service';
import type { CreateDisbursementDto, CreatePledgeDto } from '../../src/pledges/dto';
import { PledgesService, type DisbursementView, type PledgeView } from '../../src/pledges/pledges.service';
import { PrioritiesService } from '../../src/priorities/priorities.service';
import { PriorityEntity } from '../../src/priorities/priority.entity';
import type { TestApp } from './test-app';
import type { TestContext } from './test-context';

let sequence = 0;

/** Creates a donor through the API; returns its id. */
export async function makeDonor(t: TestApp, overrides: Record<string, unknown> = {}): Promise<number> {
  const res = await t.http
    .post('/api/donors')
    .set('authorization', `Bearer ${t.adminToken}`)
    .send({ name: `Donor ${++sequence} ${Date.now()}`, type: 'government', countryCode: 'DK', ...overrides });
  if (res.status !== 201) throw new Error(`makeDonor: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export function pledgeBody(donorId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    donorId,
    title: `Pledge ${++sequence}`,
    kind: 'cash',
    amount: '1000000.00',
    currency: 'USD',
    pledgedOn: '2024-06-03',
    status: 'committed',
    channel: 'direct',
    priorityCodes: ['P01'],
    source: 'test factory',
    ...overrides,
  };
}

/** Creates a pledge through the API; returns the response body. */
export async function makePledge(t: TestApp, donorId: number, overrides: Record<string, unknown> = {}) {
  const res = await t.http.post('/api/pledges').set('authorization', `Bearer ${t.adminToken}`).send(pledgeBody(donorId, overrides));
  if (res.status !== 201) throw new Error(`makePledge: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Loads only what conversions need (EUR/USD and USD/AZN), and the twelve priorities. */
export async function seedReferenceData(t: TestApp): Promise<void> {
  const auth = { authorization: `Bearer ${t.adminToken}` };
  const rates = [
    { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01', source: 'Central Bank of Azerbaijan' },
    { base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11', source: 'ECB' },
    { base: 'EUR', quote: 'USD', rate: '1.0850', date: '2024-01-02', source: 'ECB' },
  ];
  for (const r of rates) {
    const res = await t.http.post('/api/fx-rates').set(auth).send(r);
    if (res.status !== 201) throw new Error(`rate: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const repo = t.dataSource.getRepository(PriorityEntity);
  for (let rank = 1; rank <= 12; rank++) {
    const code = `P${String(rank).padStart(2, '0')}`;
    if (!(await repo.exists({ where: { code } })))
      await repo.insert({ organisationId: 1, code, rank, title: `Priority ${rank}`, description: 'test', source: null });
  }
}

/** Published rates as a test states them; the source is the factory's. */
export type TestRate = Pick<RateQuote, 'base' | 'quote' | 'rate' | 'date'>;

/**
 * Factories for the medium tier: records made through the services, with the rules, audit and
 * stored values the API gives them, and typed as the services take them (no raw SQL, no casts).
 */
export function serviceFactories(t: TestContext) {
  const actor = ORGANISATION_1;
  const uow = t.get(UnitOfWork);
  return {
    /** The first `count` priorities, P01 upwards, without targets. */
    async priorities(count = 12): Promise<string[]> {
      const codes = Array.from({ length: count }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);
      await uow.transaction(async (tx) => {
        for (const [i, code] of codes.entries()) {
          const priority = Object.assign(new PriorityEntity(), {
            organisationId: 1,
            code,
            rank: i + 1,
            title: `Priority ${i + 1}`,
            description: 'test factory',
            targetMinor: null,
            targetCurrency: null,
            source: null,
          });
          await t.get(PrioritiesService).insertIfMissing(tx, priority);
        }
      });
      return codes;
    },

    async rates(rates: readonly TestRate[]): Promise<void> {
      await uow.transaction((tx) =>
        t.get(FxService).insertRates(
          tx,
          rates.map((r) => ({ ...r, source: 'test factory' })),
        ),
      );
    },

    async donor(overrides: Partial<CreateDonorDto> = {}): Promise<number> {
      const dto: CreateDonorDto = { name: `Donor ${++sequence}`, type: 'government', ...overrides };
      return (await t.get(DonorsService).create(actor, dto, null)).body.id;
    },

    /** A committed cash pledge of 1,000,000.00 USD dated 2024-06-03, earmarked to P01, unless told otherwise. */
    async pledge(donorId: number, overrides: Partial<CreatePledgeDto> = {}): Promise<PledgeView> {
      const dto: CreatePledgeDto = {
        donorId,
        title: `Pledge ${++sequence}`,
        kind: 'cash',
        amount: '1000000.00',
        currency: 'USD',
        pledgedOn: '2024-06-03',
        status: 'committed',
        channel: 'direct',
        priorityCodes: ['P01'],
        source: 'test factory',
        ...overrides,
      };
      return (await t.get(PledgesService).create(actor, dto, null)).body;
    },

    /** Money received or goods delivered against a pledge. */
    async receipt(pledgeId: number, dto: CreateDisbursementDto): Promise<DisbursementView> {
      return (await t.get(PledgesService).recordDisbursement(actor, pledgeId, dto, null)).body;
    },

    async cancel(pledgeId: number, reason = 'test factory: withdrawn'): Promise<void> {
      await t.get(PledgesService).cancel(actor, pledgeId, { reason });
    },
  };
}
