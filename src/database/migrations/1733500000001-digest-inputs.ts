import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { Columns } from './schema-helpers';

/**
 * A digest keeps what it was rendered from (src/digests/): the view as JSON, the SHA-256 of the
 * templates that rendered it, and the published statement it cites, so a sent message can be
 * rendered again byte for byte and its figures traced to a statement. Existing messages: all
 * three null (their inputs were not kept; they cannot be re-rendered, and say so).
 */
export class DigestInputs1733500000001 implements MigrationInterface {
  name = 'DigestInputs1733500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.addColumns('digest_outbox', [
      new TableColumn(c.text('view_json', { isNullable: true })),
      new TableColumn(c.varchar('templates_sha256', 64, { isNullable: true })),
      new TableColumn(c.int('statement_id', { isNullable: true })),
    ]);
  }

  /** Plain ALTER TABLE … DROP COLUMN on both databases: TypeORM's dropColumn rebuilds the table on SQLite. */
  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['statement_id', 'templates_sha256', 'view_json']) await queryRunner.query(`ALTER TABLE digest_outbox DROP COLUMN ${column}`);
  }
}
