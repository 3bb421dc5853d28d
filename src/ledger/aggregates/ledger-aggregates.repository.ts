import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dateOnly } from '../../common/dates';
import { SqlDialect } from '../../database/sql-dialect';
import { aggregateToNumber, toBigInt } from '../../database/transformers';
import type { Transaction } from '../../database/unit-of-work';
import { VALUE_COLUMN } from '../ledger-valuation.repository';
import { REPORTING_CURRENCIES } from '../reporting-currencies';
import { pledgeValueDateSql } from '../value-date';
import { MEASURES, type Change, type Measures, type PledgeFacts, type ReceiptFacts, type StoredValues } from './contributions';

type Raw = Record<string, unknown>;

/** Ids per IN list, and changes per INSERT: under SQLite's bound-parameter limit. */
const IDS_PER_QUERY = 900;
const CHANGES_PER_STATEMENT = 300;
/** Totals per read of `at`: bounds the driver's rows held at once. */
const TOTALS_PER_READ = 20_000;

const M = Array.from({ length: MEASURES }, (_, i) => `m${i}`);

export type AggregateStatus = 'ready' | 'building';

/** Where the totals' feed stands: the last position given to a write, and the epoch (moved by removals). */
export interface FeedHead {
  seq: bigint;
  epoch: bigint;
}

/** A group of an aggregate with its summed measures. */
export interface AggregateRow {
  key: string;
  measures: Measures;
}

/**
 * The SQL of the maintained aggregates (ledger_totals, ledger_changes, ledger_aggregates_state;
 * migration 1733540000000): the pledges' facts the rules read, and the sums written and read.
 */
@Injectable()
export class LedgerAggregatesRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  private run(tx: Transaction | undefined, sql: string, params: unknown[] = []): Promise<Raw[]> {
    return (tx ?? this.dataSource.manager).query(sql, params);
  }

  /** Whether the aggregates are built, and through which pledge id while they are being built. On PostgreSQL a writer holds the row shared until it commits (the builder takes it exclusively). */
  async state(tx: Transaction | undefined, lock: 'share' | 'update' | null = null): Promise<{ status: AggregateStatus; builtThrough: number }> {
    const suffix = lock === null ? '' : lock === 'share' ? this.dialect.forShare : this.dialect.forUpdate;
    const [row] = await this.run(tx, `SELECT status, built_through FROM ledger_aggregates_state WHERE id = 1${suffix}`);
    return { status: row.status as AggregateStatus, builtThrough: aggregateToNumber(row.built_through as number) };
  }

  async setState(tx: Transaction, status: AggregateStatus, builtThrough: number): Promise<void> {
    const p = this.dialect.placeholder.bind(this.dialect);
    await this.run(tx, `UPDATE ledger_aggregates_state SET status = ${p(1)}, built_through = ${p(2)} WHERE id = 1`, [status, builtThrough]);
  }

  /** Empties the aggregates (a rebuild starts from nothing); every instance loads the totals whole again. */
  async clear(tx: Transaction): Promise<void> {
    await this.run(tx, 'DELETE FROM ledger_changes');
    await this.run(tx, 'DELETE FROM ledger_totals');
    await this.newEpoch(tx);
  }

  /** The feed's last position and epoch (migration 1733560000000) in `reader`'s snapshot. */
  async feedHead(reader: Transaction): Promise<FeedHead> {
    const [row] = await this.run(reader, 'SELECT CAST(seq AS TEXT) AS seq, CAST(epoch AS TEXT) AS epoch FROM ledger_totals_feed WHERE id = 1');
    return { seq: BigInt(row.seq as string), epoch: BigInt(row.epoch as string) };
  }

  /**
   * Gives the totals `keys` (written in `tx`) the feed's next position. Called last in the unit of
   * work: the feed row is then held from here to the commit, so positions are given in commit order.
   */
  async stamp(tx: Transaction, keys: ReadonlySet<string>): Promise<void> {
    if (keys.size === 0) return;
    await this.run(tx, 'UPDATE ledger_totals_feed SET seq = seq + 1 WHERE id = 1');
    const { seq } = await this.feedHead(tx);
    const p = this.dialect.placeholder.bind(this.dialect);
    const all = [...keys];
    for (let i = 0; i < all.length; i += IDS_PER_QUERY) {
      const part = all.slice(i, i + IDS_PER_QUERY);
      await this.run(tx, `UPDATE ledger_totals SET seq = CAST(${p(1)} AS BIGINT) WHERE group_key IN (${part.map((_, j) => p(j + 2)).join(', ')})`, [
        seq.toString(),
        ...part,
      ]);
    }
  }

  /** Totals were removed, not written (a rebuild, zero groups dropped): readers load them whole again. */
  private async newEpoch(tx: Transaction): Promise<void> {
    await this.run(tx, 'UPDATE ledger_totals_feed SET epoch = epoch + 1 WHERE id = 1');
  }

  /** The ids of up to `limit` pledges above `after`, in order. */
  async pledgeIdsAfter(tx: Transaction, after: number, limit: number): Promise<number[]> {
    const p = this.dialect.placeholder.bind(this.dialect);
    const rows = await this.run(tx, `SELECT id FROM pledges WHERE id > ${p(1)} ORDER BY id LIMIT ${Math.trunc(limit)}`, [after]);
    return rows.map((r) => aggregateToNumber(r.id as number));
  }

  /** The pledges carrying these external references (an import's new pledges, read back in its transaction). */
  async pledgeIdsByRefs(tx: Transaction, organisationId: number, refs: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < refs.length; i += IDS_PER_QUERY) {
      const part = refs.slice(i, i + IDS_PER_QUERY);
      const rows = await this.run(
        tx,
        `SELECT id FROM pledges WHERE organisation_id = ${this.dialect.placeholder(1)} AND external_ref IN (${part.map((_, j) => this.dialect.placeholder(j + 2)).join(', ')})`,
        [organisationId, ...part],
      );
      ids.push(...rows.map((r) => aggregateToNumber(r.id as number)));
    }
    return ids;
  }

  /** Every pledge id (the check command). */
  async allPledgeIds(reader: Transaction): Promise<number[]> {
    const rows = await this.run(reader, 'SELECT id FROM pledges ORDER BY id');
    return rows.map((r) => aggregateToNumber(r.id as number));
  }

  /** The pledges of these receipts. */
  async pledgesOfReceipts(tx: Transaction, receiptIds: readonly number[]): Promise<number[]> {
    const found = new Set<number>();
    for (const list of chunks(receiptIds)) {
      const rows = await this.run(tx, `SELECT DISTINCT pledge_id FROM disbursements WHERE id IN (${list})`);
      for (const r of rows) found.add(aggregateToNumber(r.pledge_id as number));
    }
    return [...found];
  }

  /** Locks these pledges' rows until `tx` ends, in id order (PostgreSQL; SQLite's writers are serialised). */
  async lockPledges(tx: Transaction, ids: readonly number[]): Promise<void> {
    const lock = this.dialect.forUpdate;
    if (lock === '') return;
    for (const list of chunks([...ids].sort((a, b) => a - b))) await this.run(tx, `SELECT id FROM pledges WHERE id IN (${list}) ORDER BY id${lock}`);
  }

  /** The facts of these pledges as the rules read them (pledges that do not exist are left out). */
  async facts(tx: Transaction | undefined, ids: readonly number[]): Promise<PledgeFacts[]> {
    const out: PledgeFacts[] = [];
    const d = this.dialect;
    const values = (alias: string) => REPORTING_CURRENCIES.map((c) => `CAST(${alias}.${VALUE_COLUMN[c]} AS TEXT) AS ${c.toLowerCase()}`).join(', ');
    for (const list of chunks([...new Set(ids)].sort((a, b) => a - b))) {
      const pledges = await this.run(
        tx,
        `SELECT p.id AS id, p.donor_id AS donor_id, p.kind AS kind, CAST(p.amount_minor AS TEXT) AS amount, p.currency AS currency,
                ${pledgeValueDateSql(d, 'p')} AS value_date, ${d.utcDay('p.cancelled_at')} AS cancelled_on,
                p.receipt_expectation AS expectation, p.receipt_due_on AS due_on, p.in_kind_quantity AS quantity, p.in_kind_unit AS unit,
                p.in_kind_quantity_is_maximum AS up_to, CAST(p.unit_value_minor AS TEXT) AS unit_value, ${values('p')},
                CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END AS waiting
           FROM pledges p WHERE p.id IN (${list}) ORDER BY p.id`,
      );
      const earmarks = await this.run(
        tx,
        `SELECT pledge_id, priority_code, share_bp FROM pledge_priorities WHERE pledge_id IN (${list}) ORDER BY pledge_id, priority_code`,
      );
      const receipts = await this.run(
        tx,
        `SELECT d.id AS id, d.pledge_id AS pledge_id, d.received_on AS received_on, CAST(d.counted_minor AS TEXT) AS counted, d.quantity AS quantity,
                CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency,
                d.value_currency AS value_currency, ${values('d')}, CASE WHEN d.valued_at IS NULL THEN 1 ELSE 0 END AS waiting
           FROM disbursements d WHERE d.pledge_id IN (${list}) ORDER BY d.pledge_id, d.id`,
      );
      const byPledge = new Map<number, PledgeFacts>();
      for (const r of pledges) {
        const facts: PledgeFacts = {
          id: aggregateToNumber(r.id as number),
          donorId: aggregateToNumber(r.donor_id as number),
          kind: r.kind as 'cash' | 'in_kind',
          amountMinor: toBigInt(r.amount as string | null),
          currency: (r.currency as string | null) ?? null,
          valueDate: dateOnly(r.value_date as string) as string,
          cancelledOn: r.cancelled_on === null || r.cancelled_on === undefined ? null : dateOnly(r.cancelled_on as string),
          expectation: r.expectation as PledgeFacts['expectation'],
          dueOn: r.due_on === null || r.due_on === undefined ? null : dateOnly(r.due_on as string),
          quantity: r.quantity === null || r.quantity === undefined ? null : aggregateToNumber(r.quantity as number),
          unit: (r.unit as string | null) ?? null,
          upTo: r.up_to === true || aggregateToNumber(r.up_to as number) === 1,
          unitValueMinor: toBigInt(r.unit_value as string | null),
          values: storedValues(r),
          waiting: aggregateToNumber(r.waiting as number) === 1,
          earmarks: [],
          receipts: [],
        };
        byPledge.set(facts.id, facts);
        out.push(facts);
      }
      for (const e of earmarks) {
        const p = byPledge.get(aggregateToNumber(e.pledge_id as number));
        (p?.earmarks as Array<PledgeFacts['earmarks'][number]> | undefined)?.push({
          priorityCode: String(e.priority_code),
          shareBasisPoints: e.share_bp === null || e.share_bp === undefined ? null : aggregateToNumber(e.share_bp as number),
        });
      }
      for (const r of receipts) {
        const p = byPledge.get(aggregateToNumber(r.pledge_id as number));
        const receipt: ReceiptFacts = {
          id: aggregateToNumber(r.id as number),
          receivedOn: dateOnly(r.received_on as string) as string,
          countedMinor: toBigInt(r.counted as string | null) ?? 0n,
          amountMinor: toBigInt(r.amount as string | null),
          currency: (r.currency as string | null) ?? null,
          quantity: r.quantity === null || r.quantity === undefined ? null : aggregateToNumber(r.quantity as number),
          valueCurrency: (r.value_currency as string | null) ?? null,
          values: storedValues(r),
          waiting: aggregateToNumber(r.waiting as number) === 1,
        };
        (p?.receipts as ReceiptFacts[] | undefined)?.push(receipt);
      }
    }
    return out;
  }

  /**
   * Adds `changes` (summed per (day, key)) to ledger_changes and, per key, to ledger_totals, in key
   * order so concurrent writers on PostgreSQL take the rows' locks in one order.
   */
  async apply(tx: Transaction, changes: readonly Change[]): Promise<string[]> {
    if (changes.length === 0) return [];
    const totals = new Map<string, Measures>();
    for (const c of changes) {
      const t = totals.get(c.key) ?? new Array<bigint>(MEASURES).fill(0n);
      c.measures.forEach((v, i) => (t[i] += v));
      totals.set(c.key, t);
    }
    const dated = [...changes].sort((a, b) => (a.day === b.day ? cmp(a.key, b.key) : cmp(a.day, b.day)));
    const keyed = [...totals].filter(([, m]) => m.some((v) => v !== 0n)).sort(([a], [b]) => cmp(a, b));
    const update = M.map((m) => `${m} = ${'%t'}.${m} + excluded.${m}`).join(', ');
    for (let i = 0; i < dated.length; i += CHANGES_PER_STATEMENT) {
      const part = dated.slice(i, i + CHANGES_PER_STATEMENT);
      const params: unknown[] = [];
      const tuples = part.map((c) => this.tuple(params, [c.day, c.key], c.measures));
      await this.run(
        tx,
        `INSERT INTO ledger_changes (day, group_key, ${M.join(', ')}) VALUES ${tuples.join(', ')}
         ON CONFLICT (day, group_key) DO UPDATE SET ${update.replaceAll('%t', 'ledger_changes')}`,
        params,
      );
    }
    for (let i = 0; i < keyed.length; i += CHANGES_PER_STATEMENT) {
      const part = keyed.slice(i, i + CHANGES_PER_STATEMENT);
      const params: unknown[] = [];
      const tuples = part.map(([key, m]) => this.tuple(params, [key], m));
      await this.run(
        tx,
        `INSERT INTO ledger_totals (group_key, ${M.join(', ')}) VALUES ${tuples.join(', ')}
         ON CONFLICT (group_key) DO UPDATE SET ${update.replaceAll('%t', 'ledger_totals')}`,
        params,
      );
    }
    return keyed.map(([key]) => key);
  }

  /** Removes groups whose sums all came back to zero (a rebuild and the check command; writes leave them, as reads skip them). */
  async dropZeros(tx: Transaction): Promise<void> {
    const zero = M.map((m) => `${m} = 0`).join(' AND ');
    await this.run(tx, `DELETE FROM ledger_changes WHERE ${zero}`);
    await this.run(tx, `DELETE FROM ledger_totals WHERE ${zero}`);
    await this.newEpoch(tx);
  }

  private tuple(params: unknown[], texts: string[], measures: Measures): string {
    const p = this.dialect.placeholder.bind(this.dialect);
    const parts: string[] = [];
    for (const t of texts) {
      params.push(t);
      parts.push(p(params.length));
    }
    for (const v of measures) {
      params.push(v.toString());
      parts.push(`CAST(${p(params.length)} AS BIGINT)`);
    }
    return `(${parts.join(', ')})`;
  }

  /**
   * The totals of every group written after feed position `after` (0n: every group), `perRead` at
   * a time in key order, handed to `take` read by read: the driver's rows for one read are all
   * that is held beside the caller's groups (a million groups at 10x scale).
   */
  async totalsSince(reader: Transaction, after: bigint, take: (key: string, measures: Measures) => void, perRead = TOTALS_PER_READ): Promise<void> {
    const limit = Math.max(1, Math.trunc(perRead));
    const p = this.dialect.placeholder.bind(this.dialect);
    // Read as the driver gives them (SQLite: numbers, checked exact in measuresOf; PostgreSQL: text):
    // a CAST per column cost a fifth of the read on the bench's 114k groups. Everything: in key
    // order; what changed since a position: in feed order (the index on seq, group_key), a few rows.
    const columns = `group_key, CAST(seq AS TEXT) AS seq, ${M.join(', ')}`;
    // Past `position`: a key (everything), or a (seq, key) in feed order, null before the first read.
    let position: { seq: string; key: string } | null = null;
    for (;;) {
      const part: Raw[] =
        after === 0n
          ? await this.run(reader, `SELECT ${columns} FROM ledger_totals WHERE group_key > ${p(1)} ORDER BY group_key LIMIT ${limit}`, [position?.key ?? ''])
          : position === null
            ? await this.run(reader, `SELECT ${columns} FROM ledger_totals WHERE seq > CAST(${p(1)} AS BIGINT) ORDER BY seq, group_key LIMIT ${limit}`, [
                after.toString(),
              ])
            : await this.run(
                reader,
                `SELECT ${columns} FROM ledger_totals
                  WHERE seq > CAST(${p(1)} AS BIGINT) OR (seq = CAST(${p(1)} AS BIGINT) AND group_key > ${p(2)})
                  ORDER BY seq, group_key LIMIT ${limit}`,
                [position.seq, position.key],
              );
      for (const r of part) take(String(r.group_key), measuresOf(r));
      if (part.length < limit) break;
      const last: Raw = part[part.length - 1];
      position = { seq: String(last.seq), key: String(last.group_key) };
    }
  }

  /** The changes dated after `asOf`, summed per group: what the totals hold that `asOf` does not count yet. */
  async changesAfter(reader: Transaction, asOf: string): Promise<Map<string, Measures>> {
    const p = this.dialect.placeholder.bind(this.dialect);
    const summed = M.map((m) => `SUM(${m}) AS ${m}`).join(', ');
    const later = await this.run(reader, `SELECT group_key, ${summed} FROM ledger_changes WHERE day > ${p(1)} GROUP BY group_key`, [asOf]);
    return new Map(later.map((r) => [String(r.group_key), measuresOf(r)]));
  }

  /** Every stored change, summed per (day, key) (the check command). */
  async allChanges(reader: Transaction): Promise<Change[]> {
    const cast = M.map((m) => `CAST(${m} AS TEXT) AS ${m}`).join(', ');
    const rows = await this.run(reader, `SELECT day, group_key, ${cast} FROM ledger_changes`);
    return rows.map((r) => ({ day: String(r.day), key: String(r.group_key), measures: measuresOf(r) }));
  }

  /** Every day a stored change is dated, in order. */
  async changeDays(reader: Transaction): Promise<string[]> {
    const rows = await this.run(reader, 'SELECT DISTINCT day FROM ledger_changes ORDER BY day');
    return rows.map((r) => String(r.day));
  }

  /** Every stored total (the check command). */
  async allTotals(reader: Transaction): Promise<AggregateRow[]> {
    const cast = M.map((m) => `CAST(${m} AS TEXT) AS ${m}`).join(', ');
    const rows = await this.run(reader, `SELECT group_key, ${cast} FROM ledger_totals`);
    return rows.map((r) => ({ key: String(r.group_key), measures: measuresOf(r) }));
  }

  /**
   * Waiting rows' pledges, up to `limit` + 1 (more than `limit`: too many to value for one read).
   * `id > 0` (every id) makes SQLite take the partial index of unvalued rows: without it, it
   * scanned a covering index of every receipt that holds valued_at (10 ms at 300k receipts, on
   * every read of the figures).
   */
  async pledgesWithWaitingRows(reader: Transaction, limit: number): Promise<number[]> {
    const n = Math.trunc(limit) + 1;
    const rows = await this.run(
      reader,
      `SELECT id FROM (SELECT id FROM pledges WHERE valued_at IS NULL AND id > 0 LIMIT ${n}) AS a
       UNION SELECT pledge_id FROM (SELECT pledge_id FROM disbursements WHERE valued_at IS NULL AND id > 0 LIMIT ${n}) AS b`,
    );
    return rows.map((r) => aggregateToNumber(r.id as number));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A row's measures as bigints: text (PostgreSQL, or a CAST) as it is; a number (SQLite) only while exact, never rounded. */
function measuresOf(r: Raw): Measures {
  return M.map((m) => {
    const v = r[m] as string | number | bigint | null;
    if (v === null || v === undefined) return 0n;
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`A maintained sum (${String(r.group_key)}, ${m}) is beyond exact integers: ${v}`);
    return BigInt(v);
  });
}

function storedValues(r: Raw): StoredValues {
  return { USD: toBigInt(r.usd as string | null), EUR: toBigInt(r.eur as string | null), AZN: toBigInt(r.azn as string | null) };
}

function chunks(ids: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY)
    out.push(
      ids
        .slice(i, i + IDS_PER_QUERY)
        .map((id) => String(Math.trunc(Number(id))))
        .join(', '),
    );
  return out;
}
