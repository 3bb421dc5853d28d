import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { UserEntity } from '../../src/auth/user.entity';
import { ADMIN, createTestApp, TestApp, TEST_DB } from '../support/test-app';
import { makeDonor, seedReferenceData } from '../support/factories';

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli.js');
const WORK = join(ROOT, '.tmp', 'cli-test');
const HEADER =
  'externalRef,donor,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The CLI runs from dist/: build it when any source is newer. */
function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}

describe('npm run cli', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  const donorName = 'Command Line Donor';

  // Asynchronous on purpose: spawnSync would stop this process's event loop, and with it the test
  // app's valuation worker in the middle of a transaction that holds the valuation lock, so a
  // command waiting for that lock timed out (seen on PostgreSQL after the 100k import).
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...env, ...extra }, timeout: 120_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(input ?? '');
    });

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(WORK, { recursive: true });
    t = await createTestApp();
    await seedReferenceData(t);
    await makeDonor(t, { name: donorName });
    env = { PATH: process.env.PATH, ...t.db.env, SEED: 'false' };
  }, 180_000);
  let restarted: NestExpressApplication | null = null;
  afterAll(async () => {
    if (restarted) {
      await restarted.close();
      await t.db.drop();
    } else {
      await t.close();
    }
  });

  const countPledges = () => t.dataSource.getRepository(PledgeEntity).count();

  it('import-pledges: imports a file, and a second run creates nothing', async () => {
    const file = join(WORK, `small-${process.pid}.csv`);
    writeFileSync(file, `${HEADER}\nCLI-1,${donorName},From the command line,cash,2500.00,USD,,,,,2024-06-03,,committed,direct,,,P01,,,\n`);
    const before = await countPledges();
    const first = await cli(['import-pledges', file]);
    expect(first.stdout).toContain('Imported 1 pledge(s) from 1 rows; 0 were already there.');
    expect(first.status).toBe(0);
    const second = await cli(['import-pledges', file]);
    expect(second.stdout).toContain('Imported 0 pledge(s) from 1 rows; 1 were already there.');
    expect(await countPledges()).toBe(before + 1);
  });

  it('import-pledges: errors are printed with row and column, exit 1, nothing written', async () => {
    const file = join(WORK, `bad-${process.pid}.csv`);
    writeFileSync(file, `${HEADER}\nCLI-2,${donorName},Fine,cash,1.00,USD,,,,,,,,direct,,,,,,\nCLI-3,Nobody,Bad,cash,1.00,USD,,,,,,,,direct,,,,,,\n`);
    const before = await countPledges();
    const run = await cli(['import-pledges', file]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('row 3, donor: there is no donor named "Nobody"');
    expect(run.stdout).toContain('1 error(s) in');
    expect(await countPledges()).toBe(before);

    const latin1 = join(WORK, `latin1-${process.pid}.csv`);
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from(`${HEADER}\nX,${donorName},Po`), Buffer.from([0x9e]), Buffer.from('ega,cash,1.00,USD,,,,,,,,direct,,,,,,\n')]),
    );
    const notUtf8 = await cli(['import-pledges', latin1]);
    expect(notUtf8.status).toBe(1);
    expect(notUtf8.stderr).toContain('error: row 2, character 24: the file is not UTF-8 text');

    const missing = await cli(['import-pledges', join(WORK, 'no-such-file.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });

  it('a 100,000-row import from the command line and the app writing every 400 ms: both succeed, no "database is locked"', async () => {
    const rows = Array.from(
      { length: 100_000 },
      (_, i) => `BUSY-${i},${donorName},Beside a busy app ${i},cash,1.00,USD,,,,,2024-06-03,,committed,direct,,,,,,`,
    );
    const file = join(WORK, `busy-${process.pid}.csv`);
    writeFileSync(file, `${HEADER}\n${rows.join('\n')}\n`);
    const before = await countPledges();
    const child = spawn(process.execPath, [CLI, 'import-pledges', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const statuses: number[] = [];
    let done = false;
    void exited.then(() => (done = true));
    const auth = { authorization: `Bearer ${t.adminToken}` };
    for (let i = 0; !done || i < 3; i++) {
      const res = await t.http
        .post('/api/fx-rates')
        .set(auth)
        .send({ base: 'GBP', quote: 'USD', rate: '1.2500', date: `2019-01-${String((i % 28) + 1).padStart(2, '0')}`, source: `busy ${i}` });
      statuses.push(res.status);
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (i > 300) break;
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Imported 100000 pledge(s)');
    // Each app write waited for the import's lock and committed (a repeated date is a 409: 28
    // dates). Before BEGIN IMMEDIATE they failed at once with "database is locked".
    for (const status of statuses) expect([201, 409]).toContain(status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    expect(await countPledges()).toBe(before + 100_000);
  }, 180_000);

  it('refuses a file over the 50 MB limit before reading it', async () => {
    const file = join(WORK, `huge-${process.pid}.csv`);
    writeFileSync(file, Buffer.alloc(51 * 1024 * 1024, 'a'));
    const run = await cli(['import-pledges', file]);
    rmSync(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is 51.0 MB; the limit is 50 MB: split the file');
  });

  it('usage errors exit 2 with the usage text', async () => {
    const run = await cli(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error: unknown command "frobnicate"');
    expect(run.stderr).toContain('Usage: npm run cli -- <command>');
    expect((await cli(['create-user', '--email', 'x@y.z', '--role', 'emperor'])).status).toBe(2);
  });

  it('import-rates: imports the ECB daily file; the second run skips every rate', async () => {
    const file = join(ROOT, 'test', 'fixtures', 'ecb', 'eurofxref-daily.csv');
    const first = await cli(['import-rates', file]);
    expect(first.stdout).toContain('Imported 29 rate(s); 1 were already there');
    expect(first.status).toBe(0);
    expect((await cli(['import-rates', file])).stdout).toContain('Imported 0 rate(s); 30 were already there');
  });

  it('create-user: password from the environment; a duplicate is a clear error', async () => {
    const run = await cli(['create-user', '--email', 'Desk.Officer@anama.local', '--role', 'officer'], { CLI_USER_PASSWORD: 'officer-password-1' });
    expect(run.stdout).toMatch(/^Created officer desk\.officer@anama\.local \(user \d+\)\.$/m);
    expect(run.status).toBe(0);
    expect(await t.dataSource.getRepository(UserEntity).existsBy({ email: 'desk.officer@anama.local', role: 'officer' })).toBe(true);
    const login = await t.http.post('/api/auth/login').send({ email: 'desk.officer@anama.local', password: 'officer-password-1' });
    expect(login.status).toBe(200);
    const again = await cli(['create-user', '--email', 'desk.officer@anama.local', '--role', 'officer'], {}, 'officer-password-1\n');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('error: A user with this email exists');

    // The user belongs to the deployment's one organisation, or to the one named by its short name.
    const [admin] = await t.dataSource.getRepository(UserEntity).findBy({ email: ADMIN.email });
    expect(login.body.user.organisationId).toBe(admin.organisationId);
    const unknown = await cli(['create-user', '--email', 'other@anama.local', '--role', 'officer', '--organisation', 'NOPE'], {
      CLI_USER_PASSWORD: 'officer-password-1',
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('error: Organisation NOPE not found');
    const named = await cli(['create-user', '--email', 'other@anama.local', '--role', 'leadership', '--organisation', 'anama'], {
      CLI_USER_PASSWORD: 'leader-password-1',
    });
    expect(named.status).toBe(0);
    expect((await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'other@anama.local' })).organisationId).toBe(admin.organisationId);
  });

  it('backup: SQLite copy taken while the app keeps writing is consistent; PostgreSQL points to pg_dump', async () => {
    const destination = join(WORK, `backup-${process.pid}-${Date.now()}.sqlite`);
    if (TEST_DB === 'postgres') {
      const run = await cli(['backup', destination]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('for PostgreSQL use pg_dump (docs/backup.md)');
      return;
    }
    const donorId = await makeDonor(t);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await t.http
          .post('/api/pledges')
          .set('authorization', `Bearer ${t.adminToken}`)
          .send({ donorId, title: `During backup ${written}`, kind: 'cash', amount: '1.00', currency: 'USD', channel: 'direct', priorityCodes: ['P01'] });
        if (res.status !== 201) throw new Error(`write failed: ${res.status}`);
        written++;
      }
    })();
    const backup = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'backup', destination], { cwd: ROOT, env });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    writing = false;
    await writer;
    expect(backup.stdout).toContain('integrity ok');
    expect(backup.code).toBe(0);
    expect(written).toBeGreaterThan(0);

    const copy = new Database(destination, { readonly: true });
    const pledges = (copy.prepare('SELECT COUNT(*) AS n FROM pledges').get() as { n: number }).n;
    const orphans = (
      copy.prepare('SELECT COUNT(*) AS n FROM pledge_priorities pp LEFT JOIN pledges p ON p.id = pp.pledge_id WHERE p.id IS NULL').get() as { n: number }
    ).n;
    const unaudited = (
      copy
        .prepare(
          "SELECT COUNT(*) AS n FROM pledges p WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'pledge' AND a.entity_id = CAST(p.id AS TEXT) AND a.action = 'pledge.create') AND p.title LIKE 'During backup%'",
        )
        .get() as { n: number }
    ).n;
    copy.close();
    expect(orphans).toBe(0);
    expect(unaudited).toBe(0);
    expect(pledges).toBeLessThanOrEqual(await countPledges());
    expect((await cli(['backup', destination])).stderr).toContain('already exists');
  });

  it('a SIGKILL in the middle of a 100k-row import leaves none of it, and the app starts cleanly', async () => {
    const file = join(WORK, `100k-${process.pid}.csv`);
    const lines = [HEADER];
    for (let i = 0; i < 100_000; i++) lines.push(`KILL-${i},${donorName},Pledge ${i},cash,${1000 + i}.00,USD,,,,,2024-06-03,,committed,direct,,,P01,,,`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const before = await countPledges();

    const outcome = await new Promise<{ killedWhile: string; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'import-pledges', file], { cwd: ROOT, env });
      let stderr = '';
      let killedWhile = '';
      child.stderr.on('data', (d) => {
        stderr += d;
        const progress = /inserting [1-9]0% \(\d+\/100000\)/.exec(stderr);
        if (progress && !killedWhile) {
          killedWhile = progress[0];
          child.kill('SIGKILL');
        }
      });
      child.on('exit', (_code, signal) =>
        killedWhile ? resolve({ killedWhile, signal }) : reject(new Error(`import ended before it was killed:\n${stderr}`)),
      );
    });
    rmSync(file);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.killedWhile).toMatch(/^inserting/);

    // A restart on the same database, built as main.ts builds the app.
    await t.app.close();
    const config = loadConfig({ ...t.db.env, SEED: 'false', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    restarted = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger: ['error', 'warn'] });
    await configureApp(restarted, config);
    await restarted.init();
    const pledges = restarted.get(DataSource).getRepository(PledgeEntity);
    expect(await pledges.count()).toBe(before);
    expect(await pledges.createQueryBuilder('p').where("p.external_ref LIKE 'KILL-%'").getCount()).toBe(0);
    const health = await request(restarted.getHttpServer()).get('/api/health');
    expect(health.body).toEqual({ status: 'ok', db: 'up' });
  }, 180_000);
});
