import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { Columns } from './schema-helpers';

/**
 * What the donor screens keep (src/donors/): a donor's IATI organisation identifier and whether it
 * is active (a deactivated donor keeps its records and figures but takes no new pledges and gets
 * no digest); a contact's language and the time it was removed (contacts are never deleted: a
 * removed one leaves the lists and gets no digest). Existing rows: every donor active, no IATI id,
 * no language, nothing removed.
 */
export class DonorDetails1733450000000 implements MigrationInterface {
  name = 'DonorDetails1733450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.addColumns('donors', [new TableColumn(c.varchar('iati_org_id', 100, { isNullable: true })), new TableColumn(c.bool('active', true))]);
    await queryRunner.addColumns('donor_contacts', [
      new TableColumn(c.varchar('language', 12, { isNullable: true })),
      new TableColumn(c.timestamp('removed_at', { isNullable: true })),
    ]);
  }

  /**
   * Plain ALTER TABLE … DROP COLUMN on both databases (SQLite has it since 3.35): TypeORM's
   * dropColumn rebuilds the table on SQLite, and donors is referenced by pledges and contacts.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of [
      ['donor_contacts', 'removed_at'],
      ['donor_contacts', 'language'],
      ['donors', 'active'],
      ['donors', 'iati_org_id'],
    ]) {
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
  }
}
