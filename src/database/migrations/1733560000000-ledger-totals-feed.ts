import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What changed in the maintained totals since a reader last looked (issue 18: the first gap after
 * a write). Each instance keeps the ledger's totals in memory and, before a read, takes only the
 * groups written since: `ledger_totals.seq` is the feed position of a group's last write, and
 * `ledger_totals_feed` holds the last position given out and an `epoch` that moves when totals are
 * removed rather than written (a rebuild, zero groups dropped), which makes every instance load
 * them whole again.
 *
 * A writer takes its position just before it commits, holding the feed row until then
 * (LedgerAggregates), so positions are handed out in commit order and a reader that sees a
 * position sees every write before it.
 *
 * Existing databases: every stored group gets position 0, which the first load of each instance
 * reads whole; the feed starts at 0 in epoch 0. Nothing else to carry over.
 */
export class LedgerTotalsFeed1733560000000 implements MigrationInterface {
  name = 'LedgerTotalsFeed1733560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ledger_totals ADD COLUMN seq bigint NOT NULL DEFAULT 0');
    await queryRunner.query('CREATE INDEX idx_ledger_totals_seq ON ledger_totals (seq, group_key)');
    await queryRunner.query('CREATE TABLE ledger_totals_feed (id integer NOT NULL PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, epoch bigint NOT NULL)');
    await queryRunner.query('INSERT INTO ledger_totals_feed (id, seq, epoch) VALUES (1, 0, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ledger_totals_feed');
    await queryRunner.query('DROP INDEX idx_ledger_totals_seq');
    await queryRunner.query('ALTER TABLE ledger_totals DROP COLUMN seq');
  }
}
