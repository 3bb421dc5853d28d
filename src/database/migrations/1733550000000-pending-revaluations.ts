import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revaluations still under way (issue 18): a new or corrected rate dated `from_date` makes the
 * stored values of rows valued on or after that date stale (every row, or only rows whose money is
 * in `currency`). Recording a back-dated rate used to mark every such row in the rate's own
 * transaction, one UPDATE per table: at 1M pledges and 3M receipts on PostgreSQL that outran the
 * 60 s statement timeout and the rate was refused. Now the rate's transaction records the
 * revaluation here and marks the first window of rows; the valuation worker marks the rest, a
 * window of ids per transaction, from `next_pledge_id` and then `next_receipt_id` (NULL: that
 * table is done), and deletes the row once both are done. Reads that find a row here say the
 * figures are being brought up to date (ledger/ledger-valuation.ts).
 *
 * A new table, empty on an existing database: there is nothing to carry over, since every earlier
 * rate marked its rows in full before it was answered.
 */
export class PendingRevaluations1733550000000 implements MigrationInterface {
  name = 'PendingRevaluations1733550000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const id = postgres ? 'id serial PRIMARY KEY' : 'id integer PRIMARY KEY AUTOINCREMENT';
    await queryRunner.query(
      `CREATE TABLE pending_revaluations (
         ${id},
         from_date varchar(10) NOT NULL,
         currency varchar(3) NULL,
         next_pledge_id bigint NULL,
         next_receipt_id bigint NULL,
         recorded_at ${postgres ? 'timestamptz' : 'datetime'} NOT NULL DEFAULT CURRENT_TIMESTAMP
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE pending_revaluations');
  }
}
