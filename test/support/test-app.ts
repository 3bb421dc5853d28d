import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { createTestDatabase, TestDatabase, TEST_DB, TestDbKind } from './test-database';
import { assertAggregatesExact } from './aggregates-check';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  http: ReturnType<typeof request>;
  /** A bearer token for the bootstrap admin. */
  adminToken: string;
  tokenFor(role: 'admin' | 'officer' | 'leadership' | 'donor', donorId?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The app exactly as main.ts builds it (AppModule.forRoot + configureApp), on a fresh database.
 * `seed: true` loads the report's data, as a first start on the embedded default does.
 * `database`: another instance on an existing test database (another TestApp's `db`); closing this
 * app leaves that database to its owner.
 * Closing it runs `verify-aggregates` (the maintained sums against the rows) and fails on any
 * difference; `verifyAggregates: false` only where a test leaves the database unreadable on purpose.
 */
export async function createTestApp(
  opts: { seed?: boolean; db?: TestDbKind; env?: Record<string, string>; database?: TestDatabase; signIn?: boolean; verifyAggregates?: boolean } = {},
): Promise<TestApp> {
  const ownsDatabase = !opts.database;
  const db = opts.database ?? (await createTestDatabase(opts.db ?? TEST_DB));
  const config = loadConfig({
    ...db.env,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    SEED: opts.seed ? 'true' : 'false',
    ...opts.env,
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger: ['error', 'warn'] });
  await configureApp(app, config);
  await app.init();
  const http = request(app.getHttpServer());
  const login = async (email: string, password: string) => {
    const res = await http.post('/api/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  // `signIn: false`: no token (a sign-in writes, and some tests start an instance that cannot).
  const adminToken = opts.signIn === false ? '' : await login(ADMIN.email, ADMIN.password);
  let users = 0;
  return {
    app,
    config,
    db,
    dataSource: app.get(DataSourceToken),
    http,
    adminToken,
    async tokenFor(role, donorId) {
      const email = `${role}${++users}@test.local`;
      const password = `${role}-password-123`;
      const res = await http.post('/api/users').set('authorization', `Bearer ${adminToken}`).send({ email, password, role, donorId });
      if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return login(email, password);
    },
    async close() {
      try {
        if (opts.verifyAggregates !== false) await assertAggregatesExact(app);
      } finally {
        await app.close();
        if (ownsDatabase) await db.drop();
      }
    },
  };
}

export { TEST_DB };
