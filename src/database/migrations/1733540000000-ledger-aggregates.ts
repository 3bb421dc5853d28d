import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's maintained aggregates (src/ledger/aggregates): the funding engine's sums kept on
 * every write, so a gap after a write reads a few thousand rows instead of the whole ledger.
 * - ledger_totals: every change ever recorded, summed per group (`group_key`);
 * - ledger_changes: the same changes summed per (day, group), so a figure on `asOf` is the totals
 *   less the changes dated after it;
 * - ledger_aggregates_state: whether they are built. The migration cannot build them (the rules
 *   are the application's, ledger/aggregates/contributions.ts), so it leaves them to build: the
 *   application builds them in the background in batches of pledges (AggregateBuilder), reading
 *   the ledger's rows meanwhile. The same holds for an existing database being upgraded.
 * Dialect-neutral: days are text (YYYY-MM-DD), sums 64-bit integers.
 */
export class LedgerAggregates1733540000000 implements MigrationInterface {
  name = 'LedgerAggregates1733540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const measures = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((m) => `${m} bigint NOT NULL`).join(', ');
    await queryRunner.query(`CREATE TABLE ledger_totals (group_key varchar(300) NOT NULL PRIMARY KEY, ${measures})`);
    await queryRunner.query(
      `CREATE TABLE ledger_changes (day varchar(10) NOT NULL, group_key varchar(300) NOT NULL, ${measures}, PRIMARY KEY (day, group_key))`,
    );
    await queryRunner.query(
      `CREATE TABLE ledger_aggregates_state (id integer NOT NULL PRIMARY KEY CHECK (id = 1), status varchar(20) NOT NULL, built_through integer NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO ledger_aggregates_state (id, status, built_through) VALUES (1, 'building', 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ledger_aggregates_state');
    await queryRunner.query('DROP TABLE ledger_changes');
    await queryRunner.query('DROP TABLE ledger_totals');
  }
}
