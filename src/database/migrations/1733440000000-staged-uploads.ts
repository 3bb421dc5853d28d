import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Files a user uploaded for a preview and has not yet applied (src/staging/): an ECB rates file
 * or a pledges CSV. The preview page names the upload; applying it reads the same bytes, so what
 * is applied is exactly what was previewed, on whichever instance the confirmation reaches.
 * Uploads expire after an hour and are removed when applied or when their user stages another.
 */
export class StagedUploads1733440000000 implements MigrationInterface {
  name = 'StagedUploads1733440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'staged_uploads',
        columns: [
          c.varchar('id', 36, { isPrimary: true }),
          c.int('user_id'),
          c.varchar('kind', 24),
          c.varchar('file_name', 200, { isNullable: true }),
          c.text('content'),
          c.timestamp('expires_at'),
          c.createdAt(),
        ],
        foreignKeys: [fk('user_id', 'users')],
        indices: [{ name: 'ix_staged_uploads_user', columnNames: ['user_id', 'kind'] }],
      }),
      true,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('staged_uploads', true);
  }
}
