import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Clearance results by period (src/funding/clearance-result.entity.ts): area cleared and items
 * found in a period, for the whole programme or, where the source gives it, one district or one
 * operator, each with its source document and page. Also a page for the area figures of
 * clearance_progress (existing rows: not recorded).
 *
 * A database the earlier seed loaded (it holds the seed's "cleared to date" figure from report
 * 002) gets the Q1 2025 rows per district of that report, Table 5, page 11, as the seed now
 * writes them (seeds/clearance-results.json, the same rows: test/medium/clearance-results.test.ts).
 * An empty database gets them from the seed, which skips rows already there.
 */
export const Q1_2025_SOURCE = '002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs, January-March 2025, Table 5';
export const Q1_2025_PAGE = 'page 11';
export const Q1_2025_BY_DISTRICT: ReadonlyArray<readonly [district: string, hectares: string, itemsFound: number]> = [
  ['Aghdam', '1722.6', 1116],
  ['Aghdara', '219.1', 135],
  ['Jabrail', '1658.1', 1060],
  ['Fuzuli', '2099.4', 1258],
  ['Kalbajar', '775.0', 0],
  ['Lachin', '1358.6', 5],
  ['Gubadly', '956.4', 11],
  ['Shusha', '37.8', 1],
  ['Khankendi', '134.2', 8857],
  ['Khojavand', '588.3', 675],
  ['Khojali', '359.6', 593],
  ['Zangilan', '865.6', 2],
  ['Others', '227.7', 243],
];

export class ClearanceResults1733520000000 implements MigrationInterface {
  name = 'ClearanceResults1733520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'clearance_results',
        columns: [
          c.id(),
          c.date('period_start'),
          c.date('period_end'),
          c.varchar('district', 80, { isNullable: true }),
          c.varchar('operator', 120, { isNullable: true }),
          c.varchar('hectares', 24, { isNullable: true }),
          c.int('items_found', { isNullable: true }),
          c.text('source'),
          c.varchar('source_page', 200, { isNullable: true }),
          c.text('notes', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('created_by', 'users')],
        indices: [{ name: 'ix_clearance_results_period', columnNames: ['period_start', 'period_end'] }],
      }),
      true,
      true,
      true,
    );
    await queryRunner.addColumn('clearance_progress', new TableColumn(c.varchar('source_page', 200, { isNullable: true })));

    const seeded = (await queryRunner.query(
      "SELECT id FROM clearance_progress WHERE metric = 'cleared_to_date' AND as_of = '2025-03-31' AND hectares = '190794.2' AND source LIKE '002:%'",
    )) as unknown[];
    if (seeded.length === 0) return;
    const placeholders = queryRunner.connection.options.type === 'postgres' ? '$1, $2, $3, $4, $5, $6, $7' : '?, ?, ?, ?, ?, ?, ?';
    for (const [district, hectares, itemsFound] of Q1_2025_BY_DISTRICT) {
      await queryRunner.query(
        `INSERT INTO clearance_results (period_start, period_end, district, hectares, items_found, source, source_page) VALUES (${placeholders})`,
        ['2025-01-01', '2025-03-31', district, hectares, itemsFound, Q1_2025_SOURCE, Q1_2025_PAGE],
      );
    }
  }

  /** clearance_progress is referenced by nothing, but a plain DROP COLUMN keeps the rule one for all tables. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE clearance_progress DROP COLUMN source_page');
    await queryRunner.dropTable('clearance_results', true);
  }
}
