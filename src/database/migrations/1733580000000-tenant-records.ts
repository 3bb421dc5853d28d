import { MigrationInterface, QueryRunner } from 'typeorm';
import { ANAMA } from './1733570000000-organisations';

/**
 * Issue 19, second step (docs/organisations.md): every record an organisation keeps carries that
 * organisation, `organisation_id`, and the database refuses a record whose organisation does not
 * exist or differs from its parent's (a receipt of another organisation's pledge, a contact of
 * another organisation's donor).
 *
 * Exchange rates are shared, and so are the deployment's own tables (sign-in buckets, the digest
 * signing secret). An audit entry of no organisation is the deployment's own: the import of shared
 * exchange rates from the command line, say. The funding engine's maintained sums are derived, and become per organisation
 * with the engine (step 3).
 *
 * Existing rows: every database so far holds one organisation's ledger (1733570000000 made it
 * ANAMA, organisation 1, in a database that held any user, donor, priority or pledge). The rows
 * of every tenant table belong to the one organisation there is; a database whose only rows are of
 * other tenant tables (a national figure, an audit entry) gets ANAMA as organisation 1 here.
 *
 * How each database holds the rule:
 * - PostgreSQL: a foreign key to `organisations`; a child's (organisation_id, parent) is a foreign
 *   key to its parent's (organisation_id, key), so a child cannot name another organisation's parent.
 * - SQLite: `ADD COLUMN … NOT NULL DEFAULT 0` (the only way to add a NOT NULL column), and triggers
 *   for the foreign keys, which refuse the default 0 too, so an insert that forgets the column fails.
 *   A real foreign key would make the column impossible to drop in `down` (TypeORM undoes a
 *   migration inside a transaction with foreign keys on, where a table cannot be rebuilt).
 */
export class TenantRecords1733580000000 implements MigrationInterface {
  name = 'TenantRecords1733580000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const owner = await ownerOfExistingRows(queryRunner, postgres);
    for (const table of TENANT_TABLES) {
      if (postgres) {
        await queryRunner.query(`ALTER TABLE ${table.name} ADD COLUMN organisation_id integer NULL`);
        if (owner !== null) await queryRunner.query(`UPDATE ${table.name} SET organisation_id = $1`, [owner]);
        if (!table.nullable) await queryRunner.query(`ALTER TABLE ${table.name} ALTER COLUMN organisation_id SET NOT NULL`);
        await queryRunner.query(
          `ALTER TABLE ${table.name} ADD CONSTRAINT fk_${table.name}_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT`,
        );
        if (table.key)
          await queryRunner.query(`ALTER TABLE ${table.name} ADD CONSTRAINT uq_${table.name}_organisation_key UNIQUE (organisation_id, ${table.key})`);
        for (const parent of table.parents ?? []) {
          await queryRunner.query(
            `ALTER TABLE ${table.name} ADD CONSTRAINT fk_${table.name}_${parent.column}_organisation FOREIGN KEY (organisation_id, ${parent.column}) ` +
              `REFERENCES ${parent.table} (organisation_id, ${keyOf(parent.table)}) ON DELETE RESTRICT`,
          );
        }
      } else {
        await queryRunner.query(`ALTER TABLE ${table.name} ADD COLUMN organisation_id integer ${table.nullable ? 'NULL' : 'NOT NULL DEFAULT 0'}`);
        if (owner !== null) await queryRunner.query(`UPDATE ${table.name} SET organisation_id = ?`, [owner]);
        for (const [name, sql] of sqliteTriggers(table)) await queryRunner.query(`CREATE TRIGGER ${name} ${sql}`);
      }
    }
    if (!postgres) await queryRunner.query(`CREATE TRIGGER ${SQLITE_DELETE_TRIGGER} ${sqliteDeleteTrigger()}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const [{ n }] = (await queryRunner.query('SELECT COUNT(*) AS n FROM organisations')) as Array<{ n: number | string }>;
    if (Number(n) > 1) throw new Error(`${n} organisations exist; the code before this migration keeps one ledger: export the others and remove them first`);
    if (!postgres) await queryRunner.query(`DROP TRIGGER ${SQLITE_DELETE_TRIGGER}`);
    // Children first: on PostgreSQL their foreign keys use the parents' (organisation_id, key).
    for (const table of [...TENANT_TABLES].reverse()) {
      if (!postgres) for (const [name] of sqliteTriggers(table)) await queryRunner.query(`DROP TRIGGER ${name}`);
      await queryRunner.query(`ALTER TABLE ${table.name} DROP COLUMN organisation_id`);
    }
  }
}

export interface TenantTable {
  name: string;
  /** The key children refer to, unique within an organisation (parents only). */
  key?: string;
  /** The tenant tables this one's rows belong to, by which column. */
  parents?: Array<{ column: string; table: string }>;
  /** Rows of no organisation are the deployment's own (the audit of shared exchange rates and of the command line's work). */
  nullable?: boolean;
}

/** Parents before children. */
export const TENANT_TABLES: TenantTable[] = [
  { name: 'donors', key: 'id' },
  { name: 'priorities', key: 'code' },
  { name: 'pledges', key: 'id', parents: [{ column: 'donor_id', table: 'donors' }] },
  { name: 'donor_contacts', parents: [{ column: 'donor_id', table: 'donors' }] },
  { name: 'priority_targets', parents: [{ column: 'priority_code', table: 'priorities' }] },
  {
    name: 'pledge_priorities',
    parents: [
      { column: 'pledge_id', table: 'pledges' },
      { column: 'priority_code', table: 'priorities' },
    ],
  },
  { name: 'disbursements', parents: [{ column: 'pledge_id', table: 'pledges' }] },
  { name: 'pledge_instalments', parents: [{ column: 'pledge_id', table: 'pledges' }] },
  {
    name: 'obligations',
    parents: [
      { column: 'pledge_id', table: 'pledges' },
      { column: 'donor_id', table: 'donors' },
    ],
  },
  { name: 'digest_outbox', parents: [{ column: 'donor_id', table: 'donors' }] },
  { name: 'government_spend' },
  { name: 'reported_figures' },
  { name: 'clearance_progress' },
  { name: 'clearance_results' },
  { name: 'statements' },
  { name: 'idempotency_keys' },
  { name: 'staged_uploads' },
  { name: 'audit_log', nullable: true },
];

function keyOf(table: string): string {
  const key = TENANT_TABLES.find((t) => t.name === table)?.key;
  if (!key) throw new Error(`${table} is not a parent tenant table`);
  return key;
}

/**
 * The organisation the rows already in the database belong to: the one there is; ANAMA, created
 * here as organisation 1, when tenant rows exist and no organisation does; none in an empty database.
 */
async function ownerOfExistingRows(queryRunner: QueryRunner, postgres: boolean): Promise<number | null> {
  const organisations = (await queryRunner.query('SELECT id FROM organisations ORDER BY id')) as Array<{ id: number | string }>;
  if (organisations.length > 1) {
    throw new Error(`${organisations.length} organisations exist and the ledger's rows do not say whose they are: this migration expects at most one`);
  }
  if (organisations.length === 1) return Number(organisations[0].id);
  const counts = TENANT_TABLES.map((t) => `(SELECT COUNT(*) FROM ${t.name})`).join(' + ');
  const [{ n }] = (await queryRunner.query(`SELECT ${counts} AS n`)) as Array<{ n: number | string }>;
  if (Number(n) === 0) return null;
  await queryRunner.query(
    `INSERT INTO organisations (id, name, short_name, country_code, currency, status) VALUES (1, ${postgres ? '$1, $2, $3, $4' : '?, ?, ?, ?'}, 'active')`,
    [ANAMA.name, ANAMA.shortName, ANAMA.countryCode, ANAMA.currency],
  );
  if (postgres) await queryRunner.query(`SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)`);
  return 1;
}

const refuse = (table: string, why: string) => `SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: ${table}.organisation_id ${why}')`;

/**
 * SQLite's stand-ins for the foreign keys: a root row's organisation exists; a child row's
 * organisation is its parents' (which exists, by the parents' own triggers; a parent that does not
 * exist is the tables' own foreign key's to refuse); and no row moves to another organisation (on
 * PostgreSQL the children's foreign keys hold a parent that has any).
 */
export function sqliteTriggers(table: TenantTable): Array<[string, string]> {
  const parents = table.parents ?? [];
  const mismatch = parents.length
    ? parents
        .map((p) => `EXISTS (SELECT 1 FROM ${p.table} WHERE ${keyOf(p.table)} = NEW.${p.column} AND organisation_id IS NOT NEW.organisation_id)`)
        .join(' OR ')
    : `${table.nullable ? 'NEW.organisation_id IS NOT NULL AND ' : ''}NOT EXISTS (SELECT 1 FROM organisations WHERE id = NEW.organisation_id)`;
  const why = parents.length ? "is not its parent''s" : 'names no organisation';
  const columns = ['organisation_id', ...parents.map((p) => p.column)].join(', ');
  return [
    [`fk_${table.name}_organisation_insert`, `BEFORE INSERT ON ${table.name} WHEN ${mismatch} BEGIN ${refuse(table.name, why)}; END`],
    [
      `fk_${table.name}_organisation_update`,
      `BEFORE UPDATE OF ${columns} ON ${table.name} WHEN NEW.organisation_id IS NOT OLD.organisation_id OR ${mismatch} ` +
        `BEGIN ${refuse(table.name, parents.length ? "changed or is not its parent''s" : 'changed or names no organisation')}; END`,
    ],
  ];
}

const SQLITE_DELETE_TRIGGER = 'fk_organisations_tenant_rows_delete';

/** An organisation that still holds rows cannot be deleted (children hold their parents' organisation). */
function sqliteDeleteTrigger(): string {
  const held = TENANT_TABLES.filter((t) => !t.parents?.length)
    .map((t) => `EXISTS (SELECT 1 FROM ${t.name} WHERE organisation_id = OLD.id)`)
    .join(' OR ');
  return `BEFORE DELETE ON organisations WHEN ${held} BEGIN ${refuse('tenant', 'still holds rows')}; END`;
}
