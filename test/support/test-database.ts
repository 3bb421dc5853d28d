import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export type TestDbKind = 'sqlite' | 'postgres';

export const TEST_DB: TestDbKind = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** SQL written with `?` placeholders, numbered for PostgreSQL (`$1`, `$2`…) when the tests run there. */
export function portableSql(text: string): string {
  return TEST_DB === 'postgres' ? text.replace(/\?/g, (_, at: number) => `$${text.slice(0, at).split('?').length}`) : text;
}
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  kind: TestDbKind;
  /** Environment for loadConfig(): SQLITE_PATH or DATABASE_URL. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A brand-new, empty database for one test file: its own SQLite file, or its own PostgreSQL
 * database on localhost. A PostgreSQL that cannot be reached fails the test; it never skips.
 */
export async function createTestDatabase(kind: TestDbKind = TEST_DB): Promise<TestDatabase> {
  const name = `mat_test_${process.pid}_${process.env.JEST_WORKER_ID ?? '0'}_${Date.now().toString(36)}_${counter++}`;
  if (kind === 'sqlite') {
    const dir = join(process.cwd(), '.tmp', 'test-db');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.sqlite`);
    return {
      kind,
      env: { SQLITE_PATH: path },
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) await rm(path + suffix, { force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL tests need a server at ${ADMIN_URL} (.ci/run starts one): ${(error as Error).message}`, { cause: error });
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
