import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase, TEST_DB } from './test-database';
import { assertAggregatesExact } from './aggregates-check';

export interface TestContext {
  ctx: INestApplicationContext;
  db: TestDatabase;
  dataSource: DataSource;
  get<T>(token: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/**
 * Services and repositories on a real, migrated database, without HTTP: the medium tier.
 * `database`: an existing test database (a migration test's), which closing leaves to its owner.
 * Closing it runs `verify-aggregates` and fails on any difference (test-app.ts says when not to).
 */
export async function createTestContext(opts: { seed?: boolean; database?: TestDatabase; verifyAggregates?: boolean } = {}): Promise<TestContext> {
  const db = opts.database ?? (await createTestDatabase(TEST_DB));
  const config = loadConfig({
    ...db.env,
    BOOTSTRAP_ADMIN_EMAIL: 'admin@test.local',
    BOOTSTRAP_ADMIN_PASSWORD: 'admin-password-1',
    SEED: opts.seed ? 'true' : 'false',
  });
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  await ctx.init();
  return {
    ctx,
    db,
    dataSource: ctx.get(DataSource),
    get: (token) => ctx.get(token),
    async close() {
      try {
        if (opts.verifyAggregates !== false) await assertAggregatesExact(ctx);
      } finally {
        await ctx.close();
        if (!opts.database) await db.drop();
      }
    },
  };
}
