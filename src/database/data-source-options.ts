import type { DataSourceOptions } from 'typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

// Raw `date` columns from pg come back as JS Dates at local midnight; keep them YYYY-MM-DD.
pg.types.setTypeParser(1082, (value: string) => value);

export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'] as 'error'[],
  };
  if (config.database.type === 'postgres') {
    return { ...common, type: 'postgres', url: config.database.url, extra: { max: 10 } };
  }
  if (config.database.path !== ':memory:') mkdirSync(dirname(config.database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.database.path,
    enableWAL: true,
    timeout: 5000,
    prepareDatabase: (db: { pragma: (p: string) => unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
