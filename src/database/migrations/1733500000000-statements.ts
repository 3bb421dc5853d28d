import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Published statements (src/statements/): the funding figures frozen at (asOf, knownOn) with the
 * records they describe, as canonical JSON, its SHA-256, who published it and when, and the
 * statement it replaces. Rows are only ever inserted. No existing data to migrate.
 */
export class Statements1733500000000 implements MigrationInterface {
  name = 'Statements1733500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'statements',
        columns: [
          c.id(),
          c.varchar('title', 200),
          c.varchar('period', 7, { isNullable: true }),
          c.date('as_of'),
          c.varchar('known_on', 30),
          c.varchar('currency', 3),
          c.timestamp('published_at'),
          c.int('published_by'),
          c.varchar('published_by_email', 254),
          c.varchar('sha256', 64),
          c.int('replaces_id', { isNullable: true }),
          c.text('content'),
        ],
        foreignKeys: [fk('replaces_id', 'statements')],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('statements', true);
  }
}
