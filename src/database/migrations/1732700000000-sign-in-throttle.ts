import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Sign-in throttling instead of the account lock (src/auth/sign-in-policy.ts).
 *
 * `sign_in_buckets`: failed sign-ins per bucket (a hash of the email, plus the address when it is
 * one the account has signed in from before), counted and delayed by one SQL statement so parallel
 * guesses cannot all read the same count. Shared by every app instance on the database.
 * `user_sign_in_addresses`: the addresses each user signed in from recently.
 *
 * Times are epoch milliseconds in `bigint` columns: the count, its delay and the comparison with
 * "now" are one portable expression on both databases (no datetime text on SQLite against
 * timestamptz on PostgreSQL), and "now" is the app's clock.
 *
 * `users.failed_logins` and `users.locked_until` are no longer read or written. They stay:
 * dropping a column on SQLite rebuilds the table, which every other table references.
 */
export class SignInThrottle1732700000000 implements MigrationInterface {
  name = 'SignInThrottle1732700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sign_in_buckets',
        columns: [
          c.varchar('bucket', 64, { isPrimary: true }),
          c.int('failures', { default: 0 }),
          c.bigint('delayed_until_ms', { isNullable: true }),
          c.bigint('updated_at_ms'),
        ],
        indices: [{ name: 'ix_sign_in_buckets_updated', columnNames: ['updated_at_ms'] }],
      }),
      true,
      true,
      true,
    );
    await queryRunner.createTable(
      new Table({
        name: 'user_sign_in_addresses',
        columns: [c.id(), c.int('user_id'), c.varchar('address', 64), c.bigint('last_success_at_ms')],
        foreignKeys: [fk('user_id', 'users')],
        indices: [{ name: 'uq_user_sign_in_addresses', columnNames: ['user_id', 'address'], isUnique: true }],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('user_sign_in_addresses', true);
    await queryRunner.dropTable('sign_in_buckets', true);
  }
}
