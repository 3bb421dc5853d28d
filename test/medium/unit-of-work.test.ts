import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { DonorEntity } from '../../src/donors/donor.entity';
import { createTestContext, TestContext } from '../support/test-context';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The trap from stack-notes §1, reproduced: transactions that await real I/O overlap. Without the
 * write lock, on SQLite, rollbacks of some undo the rows of others that already reported success.
 */
describe(`UnitOfWork under overlapping transactions (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('saves every transaction that resolved and none that rejected', async () => {
    const uow = t.get(UnitOfWork);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        uow.transaction(async (tx) => {
          await tx.getRepository(DonorEntity).insert({ organisationId: 1, name: `uow-${i}`, type: 'government', displayCurrency: 'USD' });
          await pause(2 + (i % 3));
          if (i % 10 === 0) throw new Error(`planned rollback ${i}`);
          return i;
        }),
      ),
    );
    const committed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [`uow-${o.value}`] : []));
    const rejected = outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason));
    expect(rejected.every((r) => r.includes('planned rollback'))).toBe(true);
    expect(committed).toHaveLength(54);
    const saved = (await t.dataSource.getRepository(DonorEntity).find()).map((d) => d.name).filter((n) => n.startsWith('uow-'));
    expect(saved.sort()).toEqual(committed.sort());
  });

  it('reads one state in a snapshot while a write commits, and refuses a snapshot inside a unit of work', async () => {
    const uow = t.get(UnitOfWork);
    const count = async (reader = t.dataSource.manager) => Number((await reader.query(`SELECT COUNT(*) AS n FROM donors WHERE name LIKE 'snapshot-%'`))[0].n);
    const before = await count();
    let firstRead = () => {};
    const readOnce = new Promise<void>((resolve) => (firstRead = resolve));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const snapshot = uow.readSnapshot(async (reader) => {
      const first = await count(reader);
      firstRead();
      await released;
      return [first, await count(reader)];
    });
    await readOnce;
    // PostgreSQL commits it meanwhile; SQLite's writer waits for the snapshot: either way the snapshot does not see it.
    const write = uow.transaction((tx) =>
      tx.getRepository(DonorEntity).insert({ organisationId: 1, name: 'snapshot-1', type: 'government', displayCurrency: 'USD' }),
    );
    await Promise.race([write, pause(50)]);
    release();
    const seen = await snapshot;
    await write;
    expect(seen).toEqual([before, before]);
    expect(await count()).toBe(before + 1);
    await expect(uow.transaction(() => uow.readSnapshot(() => Promise.resolve(1)))).rejects.toThrow('another database connection inside a transaction');
  });

  it('moves the figures version by the time a committed write returns, never for a rollback or a derived-only write', async () => {
    const uow = t.get(UnitOfWork);
    const insert = (name: string) => (tx: Parameters<Parameters<UnitOfWork['transaction']>[0]>[0]) =>
      tx.getRepository(DonorEntity).insert({ organisationId: 1, name, type: 'government', displayCurrency: 'USD' });
    const start = await uow.figuresVersion();
    await uow.transaction(insert('version-1'));
    const afterWrite = await uow.figuresVersion();
    expect(afterWrite).not.toBe(start);
    await expect(
      uow.transaction(async (tx) => {
        await insert('version-rolled-back')(tx);
        throw new Error('planned rollback');
      }),
    ).rejects.toThrow('planned rollback');
    await uow.transaction(() => Promise.resolve(), { derivedOnly: true });
    expect(await uow.figuresVersion()).toBe(afterWrite);
    // Twenty overlapping writes: each one's version has moved by the time it returns, once per write.
    const seen = await Promise.all(Array.from({ length: 20 }, (_, i) => uow.transaction(insert(`version-many-${i}`)).then(() => uow.figuresVersion())));
    expect(seen.every((v) => v !== afterWrite)).toBe(true);
    expect(await uow.figuresVersion()).toBe(String(Number(afterWrite) + 20));
  });
});
