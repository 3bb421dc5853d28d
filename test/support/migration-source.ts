import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import type { TestDatabase } from './test-database';

/**
 * A bare TypeORM data source on `db` holding `migrations` (all of them by default), not yet
 * initialised: the migration tests run an earlier release's migrations with it, write rows as that
 * release did, and then run the rest as an upgrade would.
 */
export function migrationSource(db: TestDatabase, migrations: typeof MIGRATIONS = MIGRATIONS): DataSource {
  const config = loadConfig({ ...db.env, BOOTSTRAP_ADMIN_EMAIL: 'admin@test.local', BOOTSTRAP_ADMIN_PASSWORD: 'admin-password-1', SEED: 'false' });
  return new DataSource({ ...dataSourceOptions(config), migrations });
}
