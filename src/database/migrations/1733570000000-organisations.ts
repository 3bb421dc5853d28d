import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns } from './schema-helpers';

/**
 * Issue 19, first step: the organisations a deployment serves, and the organisation each user
 * belongs to. The ledger's own tables gain their organisation in a later migration (docs/organisations.md
 * says in which order and why); until then a deployment holds one organisation's ledger, and this
 * one only names it.
 *
 * `users.organisation_id` is nullable on purpose: a platform admin (a later step) belongs to none.
 * Every other user belongs to one; UsersService refuses to create one without it.
 *
 * Existing databases: every one so far holds ANAMA's ledger (the product's first and only user), so
 * a database that holds any user, donor, priority or pledge gets ANAMA as organisation 1, and every
 * existing user belongs to it. An empty database gets no organisation here: the first start creates
 * it with the bootstrap admin (AppStartupService), from the BOOTSTRAP_ORGANISATION_* settings.
 */
export class Organisations1733570000000 implements MigrationInterface {
  name = 'Organisations1733570000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'organisations',
        columns: [
          c.id(),
          c.varchar('name', 200),
          c.varchar('short_name', 40),
          c.varchar('country_code', 2),
          c.varchar('currency', 3),
          c.varchar('status', 12, { default: "'active'" }),
          c.createdAt(),
        ],
        uniques: [
          { name: 'uq_organisations_name', columnNames: ['name'] },
          { name: 'uq_organisations_short_name', columnNames: ['short_name'] },
        ],
        checks: [{ name: 'ck_organisations_status', expression: "status IN ('active', 'suspended')" }],
      }),
      true,
    );
    if (postgres) {
      await queryRunner.query('ALTER TABLE users ADD COLUMN organisation_id integer NULL REFERENCES organisations (id) ON DELETE RESTRICT');
    } else {
      // On SQLite a column that takes part in a foreign key can only be dropped by rebuilding the
      // table, which `down` cannot do (TypeORM reverts with foreign keys on, and every table refers
      // to users). Triggers hold the same rule and go with the column.
      await queryRunner.query('ALTER TABLE users ADD COLUMN organisation_id integer NULL');
      for (const [name, sql] of SQLITE_TRIGGERS) await queryRunner.query(`CREATE TRIGGER ${name} ${sql}`);
    }
    await queryRunner.query('CREATE INDEX ix_users_organisation ON users (organisation_id, id)');

    const [{ n }] = (await queryRunner.query(
      'SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM donors) + (SELECT COUNT(*) FROM priorities) + (SELECT COUNT(*) FROM pledges) AS n',
    )) as Array<{ n: number | string }>;
    if (Number(n) === 0) return;
    await queryRunner.query(
      `INSERT INTO organisations (id, name, short_name, country_code, currency, status) VALUES (1, ${postgres ? '$1, $2, $3, $4' : '?, ?, ?, ?'}, 'active')`,
      [ANAMA.name, ANAMA.shortName, ANAMA.countryCode, ANAMA.currency],
    );
    if (postgres) await queryRunner.query(`SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)`);
    await queryRunner.query('UPDATE users SET organisation_id = 1');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = (await queryRunner.query('SELECT COUNT(*) AS n FROM organisations')) as Array<{ n: number | string }>;
    if (Number(n) > 1) throw new Error(`${n} organisations exist; the code before this migration serves one: export the others and remove them first`);
    await queryRunner.query('DROP INDEX ix_users_organisation');
    if (queryRunner.connection.options.type !== 'postgres') for (const [name] of SQLITE_TRIGGERS) await queryRunner.query(`DROP TRIGGER ${name}`);
    await queryRunner.query('ALTER TABLE users DROP COLUMN organisation_id');
    await queryRunner.dropTable('organisations');
  }
}

const MISSING = "SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: users.organisation_id')";
/** SQLite's stand-in for the foreign key users.organisation_id → organisations.id, ON DELETE RESTRICT. */
const SQLITE_TRIGGERS: Array<[string, string]> = [
  [
    'fk_users_organisation_insert',
    `BEFORE INSERT ON users WHEN NEW.organisation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organisations WHERE id = NEW.organisation_id) BEGIN ${MISSING}; END`,
  ],
  [
    'fk_users_organisation_update',
    `BEFORE UPDATE OF organisation_id ON users WHEN NEW.organisation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organisations WHERE id = NEW.organisation_id) BEGIN ${MISSING}; END`,
  ],
  [
    'fk_organisations_users_delete',
    "BEFORE DELETE ON organisations WHEN EXISTS (SELECT 1 FROM users WHERE organisation_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: users.organisation_id'); END",
  ],
];

/** The organisation of every database that existed before this migration (../shared/domain/facts.md, "ANAMA"). */
export const ANAMA = {
  name: 'Mine Action Agency of the Republic of Azerbaijan',
  shortName: 'ANAMA',
  countryCode: 'AZ',
  currency: 'AZN',
} as const;
