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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('donor_contacts', 'removed_at');
    await queryRunner.dropColumn('donor_contacts', 'language');
    await queryRunner.dropColumn('donors', 'active');
    await queryRunner.dropColumn('donors', 'iati_org_id');
  }
}
