import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/**
 * Donor digests: the transactional outbox (one message per donor, contact and period, never two)
 * and a small key-value table for the generated unsubscribe-link key.
 */
export class DigestOutbox1732400000000 implements MigrationInterface {
  name = 'DigestOutbox1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'digest_outbox',
        columns: [
          c.id(),
          c.int('donor_id'),
          c.int('contact_id'),
          c.varchar('period', 7),
          c.varchar('message_id', 200, { isUnique: true }),
          c.varchar('to_address', 254),
          c.varchar('subject', 300),
          c.text('html_body'),
          c.text('text_body'),
          c.text('unsubscribe_url'),
          c.varchar('status', 8, { default: "'queued'" }),
          c.int('attempts', { default: 0 }),
          c.timestamp('next_attempt_at'),
          c.timestamp('locked_until', { isNullable: true }),
          c.text('last_error', { isNullable: true }),
          c.timestamp('sent_at', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('donor_id', 'donors'), fk('contact_id', 'donor_contacts')],
        indices: [
          { name: 'uq_digest_outbox_donor_contact_period', columnNames: ['donor_id', 'contact_id', 'period'], isUnique: true },
          { name: 'ix_digest_outbox_due', columnNames: ['status', 'next_attempt_at'] },
        ],
      }),
      true,
      true,
      true,
    );
    await queryRunner.createTable(
      new Table({ name: 'digest_settings', columns: [c.varchar('key', 60, { isPrimary: true }), c.text('value'), c.createdAt()] }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('digest_settings', true);
    await queryRunner.dropTable('digest_outbox', true);
  }
}
