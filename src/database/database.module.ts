import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { DatabaseHealth } from './database-health';
import { dataSourceOptions } from './data-source-options';
import { UnitOfWork } from './unit-of-work';

/** Applies pending migrations before anything else touches the database; one instance at a time on PostgreSQL. */
export async function migrate(dataSource: DataSource): Promise<number> {
  if (dataSource.options.type !== 'postgres') return (await dataSource.runMigrations({ transaction: 'each' })).length;
  // A session-level advisory lock belongs to one connection: take and release it on the same one,
  // not on whichever pooled connection a query happens to get.
  const session = dataSource.createQueryRunner();
  await session.connect();
  try {
    await session.query('SELECT pg_advisory_lock(hashtext($1))', ['mat:migrations']);
    try {
      return (await dataSource.runMigrations({ transaction: 'each' })).length;
    } finally {
      await session.query('SELECT pg_advisory_unlock(hashtext($1))', ['mat:migrations']);
    }
  } finally {
    await session.release();
  }
}

/** The database, its migrations and the UnitOfWork; `entities` come from the app (src/entities.ts). */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(entities: NonNullable<DataSourceOptions['entities']>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => dataSourceOptions(config, entities),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            const applied = await migrate(dataSource);
            if (applied) new Logger('Database').log(`Applied ${applied} migration(s)`);
            return dataSource;
          },
        }),
      ],
      providers: [UnitOfWork, DatabaseHealth],
      exports: [UnitOfWork, DatabaseHealth],
    };
  }
}
