import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Whether the database answers at all, for /api/health: one trivial query, no table touched. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  /** Resolves when the database answers a query; rejects with the driver's error when it does not. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
