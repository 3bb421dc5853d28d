import 'reflect-metadata';
import { describe, it, expect, afterEach } from '@jest/globals';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { databaseUnavailable } from '../../src/database/database-errors';
import { OtherConnectionInTransactionError, UnitOfWork } from '../../src/database/unit-of-work';
import { FxRepository } from '../../src/fx/fx.repository';
import { DisbursementEntity, PledgeEntity } from '../../src/ledger/pledge.entity';
import { createTestApp, TestApp, TEST_DB } from '../support/test-app';
import { makeDonor, makePledge, pledgeBody, seedReferenceData } from '../support/factories';

/**
 * The database misbehaving (busy, locked, read-only, connections dropped) must never hang a
 * request or answer 500: every request answers within its timeout, 503 with Retry-After when the
 * database cannot serve, and nothing half-written. Runs on SQLite and on PostgreSQL.
 */
describe(`database faults (${TEST_DB})`, () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const auth = () => ({ authorization: `Bearer ${t!.adminToken}` });

  it('10 concurrent foreign-currency disbursements on one pledge, at rates not yet looked up: all answer, all saved, health still answers', async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const donorId = await makeDonor(t);
    const pledge = await makePledge(t, donorId, { amount: '1000000.00', currency: 'USD' });
    // Each on its own date, so every rate look-up misses the cache and goes to the database
    // inside the transaction that holds the pledge's row lock (it hung PostgreSQL for good).
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t!.http
          .post(`/api/pledges/${pledge.id}/disbursements`)
          .set(auth())
          .send({ amount: '1000.00', currency: 'EUR', receivedOn: `2024-11-${String(i + 1).padStart(2, '0')}` }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(await t.dataSource.getRepository(DisbursementEntity).count()).toBe(10);
    expect((await t.http.get('/api/health')).status).toBe(200);
  });

  it('a query on another connection inside a transaction is refused, not left to deadlock', async () => {
    t = await createTestApp();
    const uow = t.app.get(UnitOfWork);
    const rates = t.app.get(FxRepository);
    await expect(uow.transaction(() => rates.latestOnOrBefore('EUR', 'USD', '2024-01-01'))).rejects.toBeInstanceOf(OtherConnectionInTransactionError);
    // With the transaction handed on, the same read is fine.
    await expect(uow.transaction((tx) => rates.latestOnOrBefore('EUR', 'USD', '2024-01-01', tx))).resolves.toBeNull();
  });

  it('a lock held elsewhere longer than the lock timeout: 503 with Retry-After, nothing written, and the next try succeeds', async () => {
    t = await createTestApp({ env: { DB_LOCK_TIMEOUT_MS: '500' } });
    await seedReferenceData(t);
    const donorId = await makeDonor(t);
    const pledge = await makePledge(t, donorId, { amount: '1000.00', currency: 'USD' });
    const release = await holdWriteLock(t, pledge.id as number);
    try {
      const res = await t.http.post(`/api/pledges/${pledge.id}/disbursements`).set(auth()).send({ amount: '10.00', receivedOn: '2024-11-01' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', details: [{ field: 'db', message: 'busy' }] });
    } finally {
      await release();
    }
    expect(await t.dataSource.getRepository(DisbursementEntity).count()).toBe(0);
    const retry = await t.http.post(`/api/pledges/${pledge.id}/disbursements`).set(auth()).send({ amount: '10.00', receivedOn: '2024-11-01' });
    expect(retry.status).toBe(201);
  });

  it('a read-only database: writes answer 503 read-only with Retry-After, health says read-only, and recovers', async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const donorId = await makeDonor(t);
    const before = await t.dataSource.getRepository(PledgeEntity).count();
    const restore = await makeReadOnly(t);
    let app = t;
    try {
      if (restore.app) app = restore.app;
      const res = await app.http
        .post('/api/pledges')
        .set({ authorization: `Bearer ${t.adminToken}` })
        .send(pledgeBody(donorId, { title: 'Refused while read-only' }));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.body.details).toEqual([{ field: 'db', message: 'read-only' }]);
      const health = await app.http.get('/api/health');
      expect(health.status).toBe(503);
      expect(health.body.details).toEqual([{ field: 'db', message: 'read-only' }]);
      expect(health.headers['retry-after']).toBe('60');
    } finally {
      await restore.undo();
    }
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(before);
    await makePledge(t, donorId);
    expect((await t.http.get('/api/health')).body).toEqual({ status: 'ok', db: 'up' });
  });

  if (TEST_DB === 'sqlite') {
    it('SQLite: another process writing all the time does not make the app fail writes (BEGIN IMMEDIATE waits for the lock)', async () => {
      t = await createTestApp();
      await seedReferenceData(t);
      const donorId = await makeDonor(t);
      const writer = otherProcessWriting(t.db.env.SQLITE_PATH, 3_000);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++)
        statuses.push(
          (
            await t.http
              .post('/api/pledges')
              .set(auth())
              .send(pledgeBody(donorId, { title: `Written beside another process ${i}` }))
          ).status,
        );
      const writes = await writer;
      expect(writes).toBeGreaterThan(10);
      expect(statuses).toEqual(Array(30).fill(201));
      expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(30);
    });
  }

  if (TEST_DB === 'postgres') {
    it('PostgreSQL: the app’s connections terminated by the server: 503 or a fresh connection, never a 500, and health recovers', async () => {
      t = await createTestApp();
      await seedReferenceData(t);
      const url = new URL(t.db.env.DATABASE_URL);
      const admin = new pg.Client({ connectionString: t.db.env.DATABASE_URL });
      await admin.connect();
      try {
        const statuses: number[] = [];
        for (let round = 0; round < 3; round++) {
          await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [url.pathname.slice(1)]);
          statuses.push((await t.http.get('/api/pledges').set(auth())).status, (await t.http.get('/api/health')).status);
        }
        for (const s of statuses) expect([200, 503]).toContain(s);
        expect((await t.http.get('/api/health')).status).toBe(200);
      } finally {
        await admin.end();
      }
    });

    it('PostgreSQL: a statement that runs past statement_timeout is a 503, and the pool is not left holding it', async () => {
      t = await createTestApp({ env: { DB_STATEMENT_TIMEOUT_MS: '300' } });
      const err = await t.dataSource.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
      expect(databaseUnavailable(err)).toMatchObject({ trouble: 'busy', retryAfterSeconds: 2 });
      expect((await t.http.get('/api/health')).status).toBe(200);
    });
  }
});

/** Holds a write lock on the pledge's row (PostgreSQL) or on the whole database (SQLite) from another connection. */
async function holdWriteLock(t: TestApp, pledgeId: number): Promise<() => Promise<void>> {
  if (TEST_DB === 'postgres') {
    const client = new pg.Client({ connectionString: t.db.env.DATABASE_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT id FROM pledges WHERE id = $1 FOR UPDATE', [pledgeId]);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(t.db.env.SQLITE_PATH);
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
    return Promise.resolve();
  };
}

/**
 * Makes the database refuse writes: SQLite's query_only on the app's one connection; on
 * PostgreSQL the database's default_transaction_read_only, seen by a second app instance's new
 * connections. `undo` puts it back.
 */
async function makeReadOnly(t: TestApp): Promise<{ app?: TestApp; undo: () => Promise<void> }> {
  if (TEST_DB === 'sqlite') {
    await t.dataSource.query('PRAGMA query_only = ON');
    return { undo: async () => void (await t.dataSource.query('PRAGMA query_only = OFF')) };
  }
  const name = new URL(t.db.env.DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: t.db.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
  const second = await createTestApp({ database: t.db, signIn: false });
  return {
    app: second,
    undo: async () => {
      await second.close();
      await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
      await admin.end();
    },
  };
}

/** A child process that commits a small write to the same SQLite file every 20 ms for `ms`; resolves with its count. */
function otherProcessWriting(path: string, ms: number): Promise<number> {
  const script = `
    const Database = require(${JSON.stringify(require_resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(path)}, { timeout: 10000 });
    db.exec('CREATE TABLE IF NOT EXISTS other_process_writes (at TEXT)');
    const insert = db.prepare('INSERT INTO other_process_writes VALUES (?)');
    let n = 0;
    const end = Date.now() + ${ms};
    const tick = () => {
      if (Date.now() > end) { process.stdout.write(String(n)); db.close(); return; }
      db.transaction(() => { insert.run(new Date().toISOString()); const s = Date.now(); while (Date.now() - s < 5); })();
      n++;
      setTimeout(tick, 20);
    };
    tick();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer exited ${code}`))));
  });
}

function require_resolve(name: string): string {
  return `${process.cwd()}/node_modules/${name}`;
}
