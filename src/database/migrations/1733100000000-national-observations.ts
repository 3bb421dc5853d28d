import { MigrationInterface, QueryRunner, TableCheck, TableColumn, TableIndex } from 'typeorm';
import { formatAmount } from '../../common/money/money';
import { Columns } from './schema-helpers';

/** Document 002's citation exactly as the seed writes it (`code: title`, seeds/report-2025-q1.json), so a later seed finds the row. */
const SOURCE_002 =
  "002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs, January-March 2025 (sent to the Folketing's Foreign Affairs Committee, URU Alm.del Bilag 219, May 2025)";

/** Where 001 states the 789 million AZN: the same sentence answers both questionnaires. */
const SOURCE_001_PAGE = 'Questionnaire on anti-personnel mines, Part II, answer to question 10; questionnaire on ERW, answer to question 3';
/** The seeded 789,000,000.00 AZN, in minor units. */
const SEEDED_789M_AZN_MINOR = 78900000000n;
/** 002, Annex 2: "$464 mln by government", stated for the report's period ending 31 March 2025. */
const REPORT_002 = {
  amountMinor: '46400000000',
  currency: 'USD',
  asAt: '2025-03-31',
  periodStart: '2020-11-10',
  sourcePage: 'Annex 2',
  notes:
    'Annex 2: "$464 mln by government" (the government\'s funding of demining since the liberation in November 2020, as at the end of the report\'s period, 31 March 2025). Added by the migration to dated observations.',
};

interface V1Row {
  id: number;
  amount_minor: string;
  currency: string;
  period_start: string | Date;
  period_end: string | Date;
  source: string;
  notes: string | null;
}

/**
 * National figures become dated observations of a cumulative figure (contract v2, issue 11).
 *
 * Version 1 stored period sums and the engine added up every row whose period had ended by the
 * date asked for, so the 789 million AZN allocated since November 2020 counted only from its
 * period end (6 May 2025), and every earlier date showed no government funding at all. Now each
 * `government_spend` row is the amount since `period_start` as a source states it on `as_at`
 * (`basis`: allocated or spent); the figure at a date is the latest observation on or before it.
 *
 * Existing rows are turned into observations that give the version 1 figure at each period end:
 * per currency in period-end order, `as_at` = period end and the amount = the running total of
 * that currency's rows (a single row stays as it is), counted from the first row's start. When
 * the table holds more than one currency a running total would add different money, so each row
 * keeps its own amount and its notes say so. `period_end` stays on those rows; the figure no
 * longer reads it. The seeded row of document 001 is an allocation; other rows were spend.
 *
 * When the seeded 789 million AZN is there, document 002's earlier observation (464 million USD
 * as at 31 March 2025) is added, as the seed now loads it, so the report's own date has a figure.
 *
 * `reported_figures` gains `source_page` too.
 */
export class NationalObservations1733100000000 implements MigrationInterface {
  name = 'NationalObservations1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    const param = parameters(queryRunner);
    await queryRunner.addColumns('government_spend', [
      new TableColumn(c.date('as_at', { isNullable: true })),
      new TableColumn(c.varchar('basis', 12, { isNullable: true })),
      new TableColumn(c.text('source_page', { isNullable: true })),
    ]);

    const rows = (
      (await queryRunner.query(
        // As text: SQLite would give a number, inexact above 2^53.
        'SELECT id, CAST(amount_minor AS TEXT) AS amount_minor, currency, period_start, period_end, source, notes FROM government_spend ORDER BY period_end, id',
      )) as V1Row[]
    ).map((r) => ({ ...r, amount: BigInt(r.amount_minor), start: isoDate(r.period_start), end: isoDate(r.period_end) }));
    const seeded789 = rows.find((r) => r.source.startsWith('001') && r.currency === 'AZN' && r.amount === SEEDED_789M_AZN_MINOR);
    const currencies = [...new Set(rows.map((r) => r.currency))].sort();
    const running = new Map<string, { amount: bigint; start: string }>();
    for (const row of rows) {
      const basis = row.source.startsWith('001') ? 'allocated' : 'spent';
      let amount = row.amount;
      let start = row.start;
      const notes: string[] = row.notes ? [row.notes] : [];
      if (currencies.length > 1) {
        notes.push(
          `Version 1 recorded ${formatAmount(row.amount, row.currency)} ${row.currency} as the spend of ${row.start} to ${row.end} alone. The database held spend in ` +
            `${currencies.join(' and ')}, which no running total can add up, so the migration to dated observations kept this row's own amount: ` +
            'it is not cumulative.',
        );
      } else {
        const before = running.get(row.currency);
        if (before) {
          amount = before.amount + row.amount;
          start = before.start < row.start ? before.start : row.start;
          notes.push(
            `Version 1 recorded ${formatAmount(row.amount, row.currency)} ${row.currency} as the spend of ${row.start} to ${row.end} alone; the migration to dated ` +
              `observations made it the running total of the ${row.currency} rows up to ${row.end}.`,
          );
        }
        running.set(row.currency, { amount, start });
      }
      await queryRunner.query(
        `UPDATE government_spend SET as_at = ${param(1)}, basis = ${param(2)}, amount_minor = ${param(3)}, period_start = ${param(4)}, notes = ${param(5)}, ` +
          `source_page = ${param(6)} WHERE id = ${param(7)}`,
        [row.end, basis, amount.toString(), start, notes.length ? notes.join('\n\n') : null, row === seeded789 ? SOURCE_001_PAGE : null, row.id],
      );
    }

    const table = await queryRunner.getTable('government_spend');
    const column = (name: string) => {
      const found = table?.findColumnByName(name);
      if (!found) throw new Error(`government_spend.${name} is missing`);
      return found;
    };
    const withNullable = (old: TableColumn, isNullable: boolean) => Object.assign(old.clone(), { isNullable });
    await queryRunner.changeColumns('government_spend', [
      { oldColumn: column('as_at'), newColumn: withNullable(column('as_at'), false) },
      { oldColumn: column('basis'), newColumn: withNullable(column('basis'), false) },
      { oldColumn: column('period_start'), newColumn: withNullable(column('period_start'), true) },
      { oldColumn: column('period_end'), newColumn: withNullable(column('period_end'), true) },
    ]);

    // Document 002's observation, as the seed now loads it, unless the report's date already has one.
    const reportDateObserved = rows.some((r) => r.end === REPORT_002.asAt);
    if (seeded789 && !reportDateObserved) {
      await queryRunner.query(
        'INSERT INTO government_spend (amount_minor, currency, as_at, basis, period_start, source, source_page, notes) ' +
          `VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(param).join(', ')})`,
        [
          REPORT_002.amountMinor,
          REPORT_002.currency,
          REPORT_002.asAt,
          'allocated',
          REPORT_002.periodStart,
          SOURCE_002,
          REPORT_002.sourcePage,
          REPORT_002.notes,
        ],
      );
    }

    await queryRunner.createCheckConstraint(
      'government_spend',
      new TableCheck({ name: 'ck_government_spend_basis', expression: "basis IN ('allocated', 'spent')" }),
    );
    // The engine's read: the latest observation on or before a date, ties to the latest recorded.
    await queryRunner.createIndex('government_spend', new TableIndex({ name: 'ix_government_spend_as_at', columnNames: ['as_at', 'id'] }));

    await queryRunner.addColumn('reported_figures', new TableColumn(c.text('source_page', { isNullable: true })));
  }

  /**
   * Back to version 1's columns. Amounts stay as stored (cumulative), and an observation without a
   * period end takes its `as_at` as one; one without a period start cannot be a version 1 row, so
   * the rollback refuses rather than invent a start.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ count }] = (await queryRunner.query('SELECT COUNT(*) AS count FROM government_spend WHERE period_start IS NULL')) as Array<{
      count: string | number;
    }>;
    if (Number(count) > 0)
      throw new Error(`${count} government spend observation(s) have no period start, which version 1 requires: set one before rolling back`);
    await queryRunner.dropColumn('reported_figures', 'source_page');
    await queryRunner.dropIndex('government_spend', 'ix_government_spend_as_at');
    await queryRunner.dropCheckConstraint('government_spend', 'ck_government_spend_basis');
    await queryRunner.query('UPDATE government_spend SET period_end = as_at WHERE period_end IS NULL');
    const table = await queryRunner.getTable('government_spend');
    const column = (name: string) => {
      const found = table?.findColumnByName(name);
      if (!found) throw new Error(`government_spend.${name} is missing`);
      return found;
    };
    await queryRunner.changeColumns('government_spend', [
      { oldColumn: column('period_start'), newColumn: Object.assign(column('period_start').clone(), { isNullable: false }) },
      { oldColumn: column('period_end'), newColumn: Object.assign(column('period_end').clone(), { isNullable: false }) },
    ]);
    await queryRunner.dropColumns('government_spend', ['source_page', 'basis', 'as_at']);
  }
}

/** The driver's placeholder for the n-th parameter (1-based): `$n` on PostgreSQL, `?` on SQLite. */
function parameters(queryRunner: QueryRunner): (n: number) => string {
  const driver = queryRunner.connection.driver;
  return (n: number) => driver.createParameter(`p${n}`, n - 1);
}

/** A date column as YYYY-MM-DD: text from SQLite and from pg with the app's type parser, else a Date at local midnight. */
function isoDate(value: string | Date): string {
  if (!(value instanceof Date)) return value.slice(0, 10);
  return [value.getFullYear(), value.getMonth() + 1, value.getDate()].map((part, i) => String(part).padStart(i === 0 ? 4 : 2, '0')).join('-');
}
