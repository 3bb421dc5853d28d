import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Planned instalments of a pledge (src/ledger/instalment.entity.ts): a due date and an amount in
 * the pledge's currency (cash) or a quantity (in kind). Removed instalments keep their row with
 * `removed_at` set. Existing databases gain an empty table: no pledge had a schedule before.
 */
export class PledgeInstalments1733510000000 implements MigrationInterface {
  name = 'PledgeInstalments1733510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'pledge_instalments',
        columns: [
          c.id(),
          c.int('pledge_id'),
          c.date('due_on'),
          c.bigint('amount_minor', { isNullable: true }),
          c.int('quantity', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.timestamp('removed_at', { isNullable: true }),
          c.int('removed_by', { isNullable: true }),
          c.createdAt(),
          c.updatedAt(),
        ],
        foreignKeys: [fk('pledge_id', 'pledges')],
        indices: [
          { name: 'ix_pledge_instalments_pledge', columnNames: ['pledge_id', 'due_on', 'id'] },
          { name: 'ix_pledge_instalments_due', columnNames: ['due_on', 'id'] },
        ],
        checks: [{ name: 'ck_pledge_instalments_size', expression: '(amount_minor IS NULL) <> (quantity IS NULL)' }],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pledge_instalments', true);
  }
}
