import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Priority targets become a history (src/priorities/): each row is a need for one priority, for a
 * period or open-ended, in any currency, with its source document and page or "ANAMA estimate",
 * and who set it. The target at a date is the latest recorded row in force then; a row without an
 * amount clears it. Data: each target stored on `priorities` today becomes one open-ended row
 * (source not recorded, set by the system). `priorities.target_minor` and `target_currency` are no
 * longer read or written; they stay, as dropping a column on SQLite rebuilds the table.
 */
export class PriorityTargets1733430000000 implements MigrationInterface {
  name = 'PriorityTargets1733430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'priority_targets',
        columns: [
          c.id(),
          c.varchar('priority_code', 8),
          c.bigint('amount_minor', { isNullable: true }),
          c.varchar('currency', 3, { isNullable: true }),
          c.date('period_start', { isNullable: true }),
          c.date('period_end', { isNullable: true }),
          c.varchar('basis', 16),
          c.text('source', { isNullable: true }),
          c.varchar('source_page', 40, { isNullable: true }),
          c.int('set_by'),
          c.createdAt(),
        ],
        foreignKeys: [fk('priority_code', 'priorities', 'code')],
        indices: [{ name: 'ix_priority_targets_code', columnNames: ['priority_code', 'id'] }],
      }),
      true,
      true,
      true,
    );
    await queryRunner.query(
      `INSERT INTO priority_targets (priority_code, amount_minor, currency, basis, set_by)
       SELECT code, target_minor, target_currency, 'not_recorded', 0 FROM priorities WHERE target_minor IS NOT NULL ORDER BY rank`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('priority_targets', true);
  }
}
