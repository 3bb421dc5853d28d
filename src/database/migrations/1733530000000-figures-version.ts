import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The figures version (src/database/figures-version.ts): a number that moves after every committed
 * write that can change a figure, read by every instance before it serves a cached one. On
 * PostgreSQL a sequence, advanced after commit (no row lock between concurrent writers); on SQLite,
 * whose writers are serialised anyway, one row updated inside the writing transaction.
 */
export class FiguresVersion1733530000000 implements MigrationInterface {
  name = 'FiguresVersion1733530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('CREATE SEQUENCE figures_version AS bigint MINVALUE 1 START WITH 1 CACHE 1');
      return;
    }
    await queryRunner.query('CREATE TABLE figures_version (id integer PRIMARY KEY CHECK (id = 1), value integer NOT NULL)');
    await queryRunner.query('INSERT INTO figures_version (id, value) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') await queryRunner.query('DROP SEQUENCE figures_version');
    else await queryRunner.query('DROP TABLE figures_version');
  }
}
