import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DigestMessageEntity } from '../../src/digests/digest-message.entity';
import { DIGEST_CRON_JOB, DigestScheduler } from '../../src/digests/digest-scheduler';
import { DigestsRepository } from '../../src/digests/digests.repository';
import { RunDigests } from '../../src/digests/run-digests';
import { DonorsService } from '../../src/donors/donors.service';
import { createTestContext, TestContext } from '../support/test-context';
import { ORGANISATION_1 } from '../support/factories';

const DONORS = 8;

/** The outbox on a real database (SQLite and PostgreSQL): runs that race, senders that race. */
describe(`digest outbox (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestContext;
  let runDigests: RunDigests;
  let repo: DigestsRepository;
  let uow: UnitOfWork;

  beforeAll(async () => {
    t = await createTestContext();
    runDigests = t.get(RunDigests);
    repo = t.get(DigestsRepository);
    uow = t.get(UnitOfWork);
    const donors = t.get(DonorsService);
    for (let n = 1; n <= DONORS; n++) {
      await donors.create(
        ORGANISATION_1,
        { name: `Medium donor ${n}`, type: 'government', contacts: [{ email: `a${n}@medium.example` }, { email: `b${n}@medium.example` }] },
        null,
      );
    }
  });
  afterAll(() => t.close());

  it('queues each donor contact once per period even when runs overlap', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runDigests.execute({ actor: ORGANISATION_1, period: '2025-03' })));
    expect(results.map((r) => r.queued).reduce((a, b) => a + b, 0)).toBe(2 * DONORS);
    expect(await t.dataSource.getRepository(DigestMessageEntity).count({ where: { period: '2025-03' } })).toBe(2 * DONORS);
    expect((await runDigests.execute({ actor: ORGANISATION_1, period: '2025-03' })).queued).toBe(0);
    expect((await runDigests.execute({ actor: ORGANISATION_1, period: '2025-04' })).queued).toBe(2 * DONORS);
  });

  it('refuses a second row for the same donor, contact and period at the database', async () => {
    const existing = await t.dataSource.getRepository(DigestMessageEntity).findOneOrFail({ where: { period: '2025-03' }, order: { id: 'ASC' } });
    const { id: _id, createdAt: _createdAt, ...copy } = existing;
    await expect(uow.transaction((tx) => repo.insertMessages(tx, [{ ...copy, messageId: '<another@medium.example>' }]))).rejects.toThrow(
      /UNIQUE constraint failed|duplicate key value/,
    );
    expect(await t.dataSource.getRepository(DigestMessageEntity).count({ where: { period: '2025-03' } })).toBe(2 * DONORS);
  });

  it('gives each due message to exactly one of several concurrent claimers, with the attempt counted', async () => {
    const now = new Date(Date.now() + 1000);
    const lease = new Date(now.getTime() + 60_000);
    const claims = await Promise.all([1, 2, 3, 4].map(() => uow.transaction((tx) => repo.claimDue(tx, now, lease, 10))));
    const ids = claims.flat().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    // 4 claimers × 10 at most, of 32 due messages: every claimed row is claimed once.
    expect(ids.length).toBe(Math.min(40, 4 * DONORS));
    const rows = await t.dataSource.getRepository(DigestMessageEntity).find();
    for (const row of rows) expect(row.attempts).toBe(ids.includes(row.id) ? 1 : 0);

    // Leased rows are not handed out again until the lease has passed.
    expect(await uow.transaction((tx) => repo.claimDue(tx, new Date(lease.getTime() - 1), lease, 100))).toHaveLength(4 * DONORS - ids.length);
    const afterLease = await uow.transaction((tx) => repo.claimDue(tx, new Date(lease.getTime() + 1), new Date(lease.getTime() + 60_000), 100));
    expect(afterLease.map((m) => m.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
  });

  it('registers the scheduled run from DIGEST_CRON (default: 07:00 UTC on the 1st) and queues the month it fires in', async () => {
    const job = t.get(SchedulerRegistry).getCronJob(DIGEST_CRON_JOB);
    expect(job.cronTime.source).toBe('0 7 1 * *');
    expect(job.isActive).toBe(true);
    await t.get(DigestScheduler).runScheduled(new Date('2025-05-01T07:00:00Z'));
    expect(await t.dataSource.getRepository(DigestMessageEntity).count({ where: { period: '2025-05' } })).toBe(2 * DONORS);
    // Without SMTP_URL nothing is sent: the messages stay queued, readable at /digests.
    expect(await t.dataSource.getRepository(DigestMessageEntity).count({ where: { period: '2025-05', status: 'queued' } })).toBe(2 * DONORS);
  });
});
