import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CaseRule, FactValue } from '../../src/database/case-rule';
import { SqlDialect } from '../../src/database/sql-dialect';
import { PLEDGE_STATUS_RULE, RECEIPT_STATUS_RULE, type ReceiptFact, type StatusFact } from '../../src/ledger/fulfilment';
import { createTestContext, TestContext } from '../support/test-context';

/** Every combination of the given values of each fact, as records. */
function combinations<F extends string>(values: Record<F, readonly FactValue[]>): Array<Record<F, FactValue>> {
  let rows: Array<Partial<Record<F, FactValue>>> = [{}];
  for (const [name, options] of Object.entries(values) as Array<[F, readonly FactValue[]]>) {
    rows = rows.flatMap((row) => options.map((value) => ({ ...row, [name]: value })));
  }
  return rows as Array<Record<F, FactValue>>;
}

/**
 * The status and receipt rules are each written once (fulfilment.ts) and rendered two ways. This
 * runs the SQL rendering on the real database over every combination of facts, NULLs included,
 * and compares it with the TypeScript evaluation of the same rule.
 */
describe(`one rule, rendered in SQL and evaluated in TypeScript, agree (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestContext;
  let dialect: SqlDialect;

  beforeAll(async () => {
    t = await createTestContext();
    dialect = SqlDialect.of(t.dataSource);
  });
  afterAll(() => t.close());

  /** The rule's SQL over a VALUES table of `rows`, each fact a typed column (a condition fact: a 0/1 column), beside its TypeScript answer. */
  async function compare<F extends string>(
    rule: CaseRule<F, string>,
    types: Record<F, 'condition' | 'text' | 'integer' | 'date'>,
    rows: Array<Record<F, FactValue>>,
    params: Record<string, string> = {},
  ) {
    const names = Object.keys(types) as F[];
    const sqlType = { condition: 'INTEGER', text: 'VARCHAR(20)', integer: 'BIGINT', date: dialect.isPostgres ? 'DATE' : 'TEXT' };
    const facts = Object.fromEntries(names.map((name, i) => [name, types[name] === 'condition' ? `v.column${i + 2} = 1` : `v.column${i + 2}`])) as Record<
      F,
      string
    >;
    const values: unknown[] = [];
    const tuples = rows.map((row, index) => {
      values.push(index);
      for (const name of names) {
        const value = row[name];
        values.push(typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'bigint' ? value.toString() : value);
      }
      return `(CAST(? AS INTEGER), ${names.map((name) => `CAST(? AS ${sqlType[types[name]]})`).join(', ')})`;
    });
    // At most one parameter (asOf): each of its uses in the CASE is a placeholder before the VALUES table's.
    const [param] = Object.entries(params);
    const caseSql = rule.sql({ facts, params: param ? { [param[0]]: `CAST(? AS ${sqlType.date})` } : {} });
    const uses = Array.from({ length: (caseSql.match(/\?/g) ?? []).length }, () => param?.[1]);
    const sql = `SELECT v.column1 AS n, ${caseSql} AS result FROM (VALUES ${tuples.join(', ')}) AS v ORDER BY 1`;
    const answered: Array<{ n: number | string; result: string }> = await t.dataSource.query(dialect.positional(sql), [...uses, ...values]);
    expect(answered).toHaveLength(rows.length);
    const fromSql = answered.map((r) => r.result);
    const fromTs = rows.map((row) => rule.evaluate({ facts: row, params }));
    expect(fromSql).toEqual(fromTs);
  }

  it('derives every pledge status alike', async () => {
    const rows = combinations<StatusFact>({
      cancelled: [null, false, true],
      kind: ['cash', 'in_kind'],
      commitment: ['announced', 'committed'],
      amountMinor: [null, 0n, 10_000n],
      disbursedMinor: [0n, 5_000n, 10_000n, 15_000n],
      quantity: [null, 0, 30],
      deliveredQuantity: [0, 12, 30, 31],
    });
    await compare(
      PLEDGE_STATUS_RULE,
      {
        cancelled: 'condition',
        kind: 'text',
        commitment: 'text',
        amountMinor: 'integer',
        disbursedMinor: 'integer',
        quantity: 'integer',
        deliveredQuantity: 'integer',
      },
      rows,
    );
  });

  it('derives every receipt status alike, the due date against asOf', async () => {
    const rows = combinations<ReceiptFact>({
      cancelled: [null, false, true],
      balanceLeft: [null, false, true],
      expectation: [null, 'not_documented', 'owed'],
      dueOn: [null, '2025-03-30', '2025-03-31', '2025-04-01'],
    });
    await compare(RECEIPT_STATUS_RULE, { cancelled: 'condition', balanceLeft: 'condition', expectation: 'text', dueOn: 'date' }, rows, { asOf: '2025-03-31' });
  });
});
