import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns } from './schema-helpers';

/** Clearance figures (contaminated area, cleared to date, yearly work plans) behind the funding-gap projection. */
export class ClearanceProgress1732500000000 implements MigrationInterface {
  name = 'ClearanceProgress1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'clearance_progress',
        columns: [
          c.id(),
          c.varchar('metric', 40),
          c.varchar('hectares', 24),
          c.date('period_start', { isNullable: true }),
          c.date('as_of'),
          c.int('plan_year', { isNullable: true }),
          c.text('source'),
          c.text('notes', { isNullable: true }),
          c.createdAt(),
        ],
        indices: [{ name: 'ix_clearance_progress_metric', columnNames: ['metric', 'as_of'] }],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('clearance_progress', true);
  }
}
