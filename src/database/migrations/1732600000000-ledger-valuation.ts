import { MigrationInterface, QueryRunner } from 'typeorm';

/** The reporting currencies every pledge and disbursement is valued in, one column each. */
const VALUE_COLUMNS = ['value_usd_minor', 'value_eur_minor', 'value_azn_minor'];

/**
 * Each pledge and disbursement keeps its value in the reporting currencies (USD, EUR, AZN),
 * converted at its own value date, so the funding gap is a handful of SUMs rather than a
 * conversion per currency and day (src/fx/ledger-valuation.ts). `valued_at` is NULL while a row
 * waits to be valued: new rows, rows whose value date moved, and rows a newly published rate may
 * change. The partial indexes find those rows without scanning the ledger.
 *
 * Existing rows start unvalued and are valued before the next funding-gap computation.
 */
export class LedgerValuation1732600000000 implements MigrationInterface {
  name = 'LedgerValuation1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    for (const table of ['pledges', 'disbursements']) {
      for (const column of VALUE_COLUMNS) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column} bigint NULL`);
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN valued_at ${timestamp} NULL`);
      await queryRunner.query(`CREATE INDEX ix_${table}_unvalued ON ${table} (id) WHERE valued_at IS NULL`);
    }
    // The currency a receipt was valued from: the money received, or its pledge's currency for goods
    // valued at the pledge's unit value; NULL when it carries no money. Copied at valuation.
    await queryRunner.query('ALTER TABLE disbursements ADD COLUMN value_currency varchar(3) NULL');
    // Covering indexes for the gap's passes over receipts: per pledge (which also serves a pledge's
    // own receipts, so it replaces ix_disbursements_pledge) and per currency and date (the rates used).
    await queryRunner.query('DROP INDEX ix_disbursements_pledge');
    await queryRunner.query(
      'CREATE INDEX ix_disbursements_pledge_values ON disbursements (pledge_id, received_on, valued_at, value_currency, value_usd_minor, value_eur_minor, value_azn_minor)',
    );
    await queryRunner.query('CREATE INDEX ix_disbursements_value_dates ON disbursements (value_currency, received_on)');
    // Goods pledges are a few percent of the ledger; the gap's in-kind figures read only them.
    await queryRunner.query('CREATE INDEX ix_pledges_kind ON pledges (kind)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_pledges_kind');
    await queryRunner.query('DROP INDEX ix_disbursements_value_dates');
    await queryRunner.query('DROP INDEX ix_disbursements_pledge_values');
    await queryRunner.query('CREATE INDEX ix_disbursements_pledge ON disbursements (pledge_id)');
    await queryRunner.query('ALTER TABLE disbursements DROP COLUMN value_currency');
    for (const table of ['disbursements', 'pledges']) {
      await queryRunner.query(`DROP INDEX ix_${table}_unvalued`);
      for (const column of [...VALUE_COLUMNS, 'valued_at']) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
  }
}
