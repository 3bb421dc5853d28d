import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseUnavailable, type DatabaseTrouble } from './database-errors';
import { UnitOfWork } from './unit-of-work';

/** What /api/health says of the database. */
export type DatabaseState = 'up' | DatabaseTrouble;

/** Whether the database answers and can be written to, for /api/health: trivial queries, no table touched. */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  /**
   * `up`, or why not: `unreachable` (no answer), `busy` (timed out, locked) or `read-only`
   * (PostgreSQL says its transactions are read-only, or the last write was refused as read-only).
   */
  async state(): Promise<DatabaseState> {
    try {
      if (this.dataSource.options.type === 'postgres') {
        const [row] = await this.dataSource.query<Array<{ transaction_read_only: string }>>('SHOW transaction_read_only');
        if (row?.transaction_read_only === 'on') return 'read-only';
      } else {
        await this.dataSource.query('SELECT 1');
      }
    } catch (error) {
      return databaseUnavailable(error)?.trouble ?? 'unreachable';
    }
    return this.uow.lastWriteReadOnly ? 'read-only' : 'up';
  }
}
