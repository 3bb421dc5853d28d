import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Password reset links an admin issues (src/auth/users.service.ts). Only the SHA-256 of the
 * link's secret is stored, like session tokens; a link works once, until `expires_at`, and a newer
 * link for the same user voids the older ones (`used_at` set without a password change).
 * Existing databases gain an empty table: nothing to migrate.
 */
export class UserManagement1733410000000 implements MigrationInterface {
  name = 'UserManagement1733410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'password_resets',
        columns: [
          c.id(),
          c.int('user_id'),
          c.varchar('token_hash', 64, { isUnique: true }),
          c.timestamp('expires_at'),
          c.timestamp('used_at', { isNullable: true }),
          c.int('issued_by'),
          c.createdAt(),
        ],
        foreignKeys: [fk('user_id', 'users')],
        indices: [{ name: 'ix_password_resets_user', columnNames: ['user_id'] }],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('password_resets', true);
  }
}
