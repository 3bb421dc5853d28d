import { MigrationInterface, QueryRunner } from 'typeorm';
import { sqliteTriggers, TENANT_TABLES, type TenantTable } from './1733580000000-tenant-records';

/**
 * Issue 19, third step (docs/organisations.md): the keys an organisation chooses are unique within
 * it, not across the deployment. Two authorities may both have a donor named "Japan", a pledge
 * whose external reference is "EU-2024-01" and a priority coded "P01" ranked 1.
 *
 * - donors: the name, unique per organisation;
 * - pledges: the external reference, unique per organisation;
 * - priorities: keyed by (organisation, code), the rank unique per organisation; the earmarks
 *   (`pledge_priorities`) and targets (`priority_targets`) refer to a priority by both columns.
 *
 * SQLite keeps a table's constraints in its definition, so each table is rebuilt (the documented
 * way: a new table, the rows copied, the old one dropped, the new one renamed). TypeORM runs `up`
 * with foreign keys off, where any table can be rebuilt. It runs `down` in a transaction with
 * foreign keys on, where a table other tables refer to cannot be dropped. So `down`:
 * - gives donors and pledges their old rule back as a unique index (the same rule, not the same
 *   text of the table's definition);
 * - drops the two tables that refer to priorities, after keeping their rows, rebuilds priorities,
 *   and creates the two again with their rows, indexes and triggers.
 *
 * The triggers of 1733580000000 that checked an earmark's or a target's priority belonged to its
 * organisation looked the priority up by code alone; the foreign key on both columns now holds
 * that rule, so they check the pledge only (earmarks) or that the organisation exists (targets).
 */
export class KeysPerOrganisation1733590000000 implements MigrationInterface {
  name = 'KeysPerOrganisation1733590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') return postgresUp(queryRunner);
    const [{ foreign_keys: foreignKeys }] = (await queryRunner.query('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
    if (foreignKeys) throw new Error('this migration rebuilds tables others refer to, which needs foreign keys off: run it through DataSource.runMigrations');
    await dropSqliteUnique(queryRunner, 'donors', 'name');
    await queryRunner.query('CREATE UNIQUE INDEX uq_donors_organisation_name ON donors (organisation_id, name)');
    await dropSqliteUnique(queryRunner, 'pledges', 'external_ref');
    await queryRunner.query('CREATE UNIQUE INDEX uq_pledges_organisation_external_ref ON pledges (organisation_id, external_ref)');
    await rebuild(queryRunner, 'priorities', prioritiesPerOrganisation);
    for (const table of PRIORITY_CHILDREN) {
      await rebuild(
        queryRunner,
        table,
        (sql) => replaceOnce(sql, SINGLE_PRIORITY_KEY, COMPOSITE_PRIORITY_KEY),
        (d) => !d.name.startsWith(`fk_${table}_organisation_`),
      );
      for (const [name, sql] of sqliteTriggers(AFTER[table])) await queryRunner.query(`CREATE TRIGGER ${name} ${sql}`);
    }
    await checkForeignKeys(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = (await queryRunner.query('SELECT COUNT(*) AS n FROM organisations')) as Array<{ n: number | string }>;
    if (Number(n) > 1)
      throw new Error(`${n} organisations exist; the keys before this migration are unique across the deployment: export the others and remove them first`);
    if (queryRunner.connection.options.type === 'postgres') return postgresDown(queryRunner);

    await queryRunner.query('DROP INDEX uq_donors_organisation_name');
    await queryRunner.query('CREATE UNIQUE INDEX uq_donors_name ON donors (name)');
    await queryRunner.query('DROP INDEX uq_pledges_organisation_external_ref');
    await queryRunner.query('CREATE UNIQUE INDEX uq_pledges_external_ref ON pledges (external_ref)');

    // The tables that refer to priorities go first, with their rows kept aside; then nothing
    // refers to priorities, and it can be rebuilt with foreign keys on.
    const kept: Array<{ table: PriorityChild; sql: string; dependents: SchemaObject[]; columns: string }> = [];
    for (const table of PRIORITY_CHILDREN) {
      const { sql, dependents, columns } = await definitionOf(queryRunner, table);
      await queryRunner.query(`CREATE TEMPORARY TABLE kept_${table} AS SELECT ${columns} FROM "${table}"`);
      await queryRunner.query(`DROP TABLE "${table}"`);
      kept.push({ table, sql, dependents, columns });
    }
    await rebuild(queryRunner, 'priorities', prioritiesByCode);
    for (const { table, sql, dependents, columns } of kept) {
      await queryRunner.query(replaceOnce(sql, COMPOSITE_PRIORITY_KEY, SINGLE_PRIORITY_KEY));
      await queryRunner.query(`INSERT INTO "${table}" (${columns}) SELECT ${columns} FROM temp.kept_${table}`);
      await queryRunner.query(`DROP TABLE temp.kept_${table}`);
      for (const d of dependents) if (d.type === 'index') await queryRunner.query(d.sql);
      for (const [name, trigger] of sqliteTriggers(BEFORE[table])) await queryRunner.query(`CREATE TRIGGER ${name} ${trigger}`);
    }
    await restoreSequence(queryRunner, kept);
    await checkForeignKeys(queryRunner);
  }
}

const PRIORITY_CHILDREN = ['pledge_priorities', 'priority_targets'] as const;
type PriorityChild = (typeof PRIORITY_CHILDREN)[number];

/** The children's definitions in 1733580000000, and after this migration (the priority checked by the foreign key). */
const BEFORE = Object.fromEntries(PRIORITY_CHILDREN.map((name) => [name, TENANT_TABLES.find((t) => t.name === name)])) as Record<PriorityChild, TenantTable>;
const AFTER: Record<PriorityChild, TenantTable> = {
  pledge_priorities: { name: 'pledge_priorities', parents: [{ column: 'pledge_id', table: 'pledges' }] },
  priority_targets: { name: 'priority_targets' },
};

const SINGLE_PRIORITY_KEY = /FOREIGN KEY \("priority_code"\) REFERENCES "priorities" \("code"\)/;
const COMPOSITE_PRIORITY_KEY = /FOREIGN KEY \("organisation_id", "priority_code"\) REFERENCES "priorities" \("organisation_id", "code"\)/;

function replaceOnce(sql: string, from: RegExp, to: RegExp): string {
  const replacement = to.source.replace(/\\/g, '');
  const found = sql.match(new RegExp(from.source, 'g'))?.length ?? 0;
  if (found !== 1) throw new Error(`expected ${from.source} once in ${sql}`);
  return sql.replace(from, replacement);
}

/**
 * Takes out the rule that `column` is unique across the deployment: the constraint in the table's
 * definition (a rebuild), or the unique index this migration's `down` left in its place.
 */
async function dropSqliteUnique(queryRunner: QueryRunner, table: string, column: string): Promise<void> {
  const { sql } = await definitionOf(queryRunner, table);
  if (sql.includes(`UNIQUE ("${column}")`)) await rebuild(queryRunner, table, (definition) => withoutUnique(definition, column));
  else await queryRunner.query(`DROP INDEX uq_${table}_${column}`);
}

/** Takes out the table's own unique constraint on `column` (one, stated inline). */
function withoutUnique(sql: string, column: string): string {
  const constraint = new RegExp(`, CONSTRAINT "[^"]+" UNIQUE \\("${column}"\\)`);
  if ((sql.match(new RegExp(constraint.source, 'g'))?.length ?? 0) !== 1) throw new Error(`expected one UNIQUE ("${column}") in ${sql}`);
  return sql.replace(constraint, '');
}

const CODE_KEY = '"code" varchar(8) PRIMARY KEY NOT NULL';
const CODE_COLUMN = '"code" varchar(8) NOT NULL';
const PER_ORGANISATION =
  ', CONSTRAINT "pk_priorities" PRIMARY KEY ("organisation_id", "code"), CONSTRAINT "uq_priorities_organisation_rank" UNIQUE ("organisation_id", "rank"))';

function prioritiesPerOrganisation(sql: string): string {
  if (!sql.includes(CODE_KEY) || !sql.endsWith(')')) throw new Error(`priorities: unexpected definition ${sql}`);
  return withoutUnique(sql.replace(CODE_KEY, CODE_COLUMN), 'rank').slice(0, -1) + PER_ORGANISATION;
}

function prioritiesByCode(sql: string): string {
  if (!sql.includes(CODE_COLUMN) || !sql.endsWith(PER_ORGANISATION)) throw new Error(`priorities: unexpected definition ${sql}`);
  return sql.replace(CODE_COLUMN, CODE_KEY).slice(0, -PER_ORGANISATION.length) + ', CONSTRAINT "uq_priorities_rank" UNIQUE ("rank"))';
}

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  sql: string;
}

async function definitionOf(queryRunner: QueryRunner, table: string): Promise<{ sql: string; dependents: SchemaObject[]; columns: string }> {
  const [definition] = (await queryRunner.query(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, [table])) as Array<{ sql: string }>;
  if (!definition) throw new Error(`no table ${table}`);
  const dependents = (await queryRunner.query(
    `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`,
    [table],
  )) as SchemaObject[];
  const columns = ((await queryRunner.query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, [table])) as Array<{ name: string }>)
    .map((c) => `"${c.name}"`)
    .join(', ');
  return { sql: definition.sql, dependents, columns };
}

/**
 * Rebuilds `table` with the definition `change` gives, keeping its rows, its indexes and triggers
 * (those `keep` keeps) and its AUTOINCREMENT position. The rename runs with `legacy_alter_table`
 * on: other tables' triggers name this table, and a modern rename refuses while the old table is
 * gone and rewrites nothing that needs rewriting here (the new table takes the old name).
 */
async function rebuild(
  queryRunner: QueryRunner,
  table: string,
  change: (sql: string) => string,
  keep: (d: SchemaObject) => boolean = () => true,
): Promise<void> {
  const { sql, dependents, columns } = await definitionOf(queryRunner, table);
  const head = `CREATE TABLE "${table}" (`;
  const rebuilt = change(sql);
  if (!rebuilt.startsWith(head)) throw new Error(`${table}: unexpected definition ${sql.slice(0, 60)}`);
  const [sequence] = (await queryRunner.query(`SELECT seq FROM sqlite_sequence WHERE name = ?`, [table])) as Array<{ seq: number }>;
  await queryRunner.query(`CREATE TABLE "${table}_rebuilt" (` + rebuilt.slice(head.length));
  await queryRunner.query(`INSERT INTO "${table}_rebuilt" (${columns}) SELECT ${columns} FROM "${table}"`);
  await queryRunner.query(`DROP TABLE "${table}"`);
  await queryRunner.query('PRAGMA legacy_alter_table = ON');
  try {
    await queryRunner.query(`ALTER TABLE "${table}_rebuilt" RENAME TO "${table}"`);
  } finally {
    await queryRunner.query('PRAGMA legacy_alter_table = OFF');
  }
  for (const d of dependents) if (keep(d)) await queryRunner.query(d.sql);
  if (sequence) await queryRunner.query(`UPDATE sqlite_sequence SET seq = ? WHERE name = ?`, [sequence.seq, table]);
}

/** The AUTOINCREMENT position of tables created again (their rows came back with their ids). */
async function restoreSequence(queryRunner: QueryRunner, tables: Array<{ table: string }>): Promise<void> {
  for (const { table } of tables) {
    const [{ top }] = (await queryRunner.query(`SELECT MAX(rowid) AS top FROM "${table}"`)) as Array<{ top: number | null }>;
    const [existing] = (await queryRunner.query(`SELECT seq FROM sqlite_sequence WHERE name = ?`, [table])) as Array<{ seq: number }>;
    if (top !== null && (!existing || existing.seq < top)) {
      if (existing) await queryRunner.query(`UPDATE sqlite_sequence SET seq = ? WHERE name = ?`, [top, table]);
      else await queryRunner.query(`INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, [table, top]);
    }
  }
}

async function checkForeignKeys(queryRunner: QueryRunner): Promise<void> {
  const broken = (await queryRunner.query('PRAGMA foreign_key_check')) as unknown[];
  if (broken.length) throw new Error(`the rebuild left ${broken.length} broken foreign key(s): ${JSON.stringify(broken.slice(0, 5))}`);
}

// --- PostgreSQL: constraints change in place ---------------------------------------------------

/** The name of `table`'s constraint of `type` ('u' unique, 'p' primary key) on exactly `columns`, in order. */
async function constraintOn(queryRunner: QueryRunner, table: string, type: 'u' | 'p', columns: string[]): Promise<string> {
  const rows = (await queryRunner.query(
    `SELECT c.conname AS name
       FROM pg_constraint c
      WHERE c.conrelid = $1::regclass AND c.contype = $2
        AND ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) = $3::text[]`,
    [table, type, columns],
  )) as Array<{ name: string }>;
  if (rows.length !== 1) throw new Error(`${table}: expected one constraint ${type} on (${columns.join(', ')}), found ${rows.length}`);
  return rows[0].name;
}

/** The foreign keys that refer to priorities by its code alone. */
async function singlePriorityKeys(queryRunner: QueryRunner): Promise<Array<{ table: string; name: string }>> {
  return (await queryRunner.query(
    `SELECT conrelid::regclass::text AS "table", conname AS name FROM pg_constraint
      WHERE contype = 'f' AND confrelid = 'priorities'::regclass AND array_length(conkey, 1) = 1 ORDER BY 1`,
  )) as Array<{ table: string; name: string }>;
}

async function postgresUp(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`ALTER TABLE donors DROP CONSTRAINT "${await constraintOn(queryRunner, 'donors', 'u', ['name'])}"`);
  await queryRunner.query('ALTER TABLE donors ADD CONSTRAINT uq_donors_organisation_name UNIQUE (organisation_id, name)');
  await queryRunner.query(`ALTER TABLE pledges DROP CONSTRAINT "${await constraintOn(queryRunner, 'pledges', 'u', ['external_ref'])}"`);
  await queryRunner.query('ALTER TABLE pledges ADD CONSTRAINT uq_pledges_organisation_external_ref UNIQUE (organisation_id, external_ref)');
  // 1733580000000's keys from (organisation_id, priority_code) to priorities (organisation_id, code) stay.
  for (const key of await singlePriorityKeys(queryRunner)) await queryRunner.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);
  await queryRunner.query(`ALTER TABLE priorities DROP CONSTRAINT "${await constraintOn(queryRunner, 'priorities', 'p', ['code'])}"`);
  await queryRunner.query('ALTER TABLE priorities ADD CONSTRAINT pk_priorities PRIMARY KEY (organisation_id, code)');
  await queryRunner.query(`ALTER TABLE priorities DROP CONSTRAINT "${await constraintOn(queryRunner, 'priorities', 'u', ['rank'])}"`);
  await queryRunner.query('ALTER TABLE priorities ADD CONSTRAINT uq_priorities_organisation_rank UNIQUE (organisation_id, rank)');
}

async function postgresDown(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('ALTER TABLE priorities DROP CONSTRAINT uq_priorities_organisation_rank');
  await queryRunner.query('ALTER TABLE priorities ADD CONSTRAINT uq_priorities_rank UNIQUE (rank)');
  await queryRunner.query('ALTER TABLE priorities DROP CONSTRAINT pk_priorities');
  await queryRunner.query('ALTER TABLE priorities ADD CONSTRAINT pk_priorities_code PRIMARY KEY (code)');
  for (const table of PRIORITY_CHILDREN) {
    await queryRunner.query(
      `ALTER TABLE ${table} ADD CONSTRAINT fk_${table}_priority_code FOREIGN KEY (priority_code) REFERENCES priorities (code) ON DELETE RESTRICT`,
    );
  }
  await queryRunner.query('ALTER TABLE pledges DROP CONSTRAINT uq_pledges_organisation_external_ref');
  await queryRunner.query('ALTER TABLE pledges ADD CONSTRAINT uq_pledges_external_ref UNIQUE (external_ref)');
  await queryRunner.query('ALTER TABLE donors DROP CONSTRAINT uq_donors_organisation_name');
  await queryRunner.query('ALTER TABLE donors ADD CONSTRAINT uq_donors_name UNIQUE (name)');
}
