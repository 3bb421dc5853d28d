import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * What ANAMA owes donors in return for their money (src/obligations/): reports, audits and
 * visibility, each tied to a pledge and due on a date; and each user's secret calendar-feed key
 * (only its SHA-256 is stored). An obligation is open until it is submitted (on a date) or waived
 * (with a reason); nothing is deleted. Existing databases gain empty tables: nothing to migrate.
 */
export class Obligations1733420000000 implements MigrationInterface {
  name = 'Obligations1733420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'obligations',
        columns: [
          c.id(),
          c.int('pledge_id'),
          c.int('donor_id'),
          c.varchar('kind', 24),
          c.varchar('title', 200),
          c.date('due_on'),
          c.varchar('responsible', 200, { isNullable: true }),
          c.date('submitted_on', { isNullable: true }),
          c.text('waived_reason', { isNullable: true }),
          c.int('created_by'),
          c.createdAt(),
          c.updatedAt(),
        ],
        foreignKeys: [fk('pledge_id', 'pledges'), fk('donor_id', 'donors')],
        indices: [
          { name: 'ix_obligations_due', columnNames: ['due_on', 'id'] },
          { name: 'ix_obligations_pledge', columnNames: ['pledge_id'] },
        ],
      }),
      true,
      true,
      true,
    );
    await queryRunner.createTable(
      new Table({
        name: 'calendar_feeds',
        columns: [c.int('user_id', { isPrimary: true }), c.varchar('key_hash', 64, { isUnique: true }), c.createdAt()],
        foreignKeys: [fk('user_id', 'users')],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('calendar_feeds', true);
    await queryRunner.dropTable('obligations', true);
  }
}
