import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { Columns, fk } from './schema-helpers';

/** The ledger: users, audit, donors, priorities, pledges, disbursements, national figures, rates, idempotency. */
export class LedgerFoundation1732300000000 implements MigrationInterface {
  name = 'LedgerFoundation1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    const create = (table: Table) => queryRunner.createTable(table, true, true, true);

    await create(
      new Table({
        name: 'donors',
        columns: [
          c.id(),
          c.varchar('name', 200, { isUnique: true }),
          c.varchar('type', 16),
          c.varchar('country_code', 2, { isNullable: true }),
          c.varchar('display_currency', 3, { default: "'USD'" }),
          c.text('notes', { isNullable: true }),
          c.text('source', { isNullable: true }),
          c.createdAt(),
          c.updatedAt(),
        ],
      }),
    );
    await create(
      new Table({
        name: 'donor_contacts',
        columns: [
          c.id(),
          c.int('donor_id'),
          c.varchar('name', 200, { isNullable: true }),
          c.varchar('email', 254),
          c.bool('digest_enabled', true),
          c.timestamp('unsubscribed_at', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('donor_id', 'donors')],
        indices: [{ name: 'ix_donor_contacts_donor', columnNames: ['donor_id'] }],
      }),
    );
    await create(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.varchar('email', 254, { isUnique: true }),
          c.varchar('password_hash', 200),
          c.varchar('role', 16),
          c.int('donor_id', { isNullable: true }),
          c.bool('active', true),
          c.int('failed_logins', { default: 0 }),
          c.timestamp('locked_until', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('donor_id', 'donors')],
      }),
    );
    await create(
      new Table({
        name: 'auth_tokens',
        columns: [
          c.id(),
          c.varchar('token_hash', 64, { isUnique: true }),
          c.int('user_id'),
          c.timestamp('expires_at'),
          c.timestamp('revoked_at', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('user_id', 'users')],
      }),
    );
    await create(
      new Table({
        name: 'audit_log',
        columns: [
          c.id(),
          c.timestamp('at'),
          c.int('actor_id', { isNullable: true }),
          c.varchar('actor_email', 254, { isNullable: true }),
          c.varchar('action', 40),
          c.varchar('entity_type', 40),
          c.varchar('entity_id', 64),
          c.text('before', { isNullable: true }),
          c.text('after', { isNullable: true }),
          c.text('reason', { isNullable: true }),
        ],
        indices: [
          { name: 'ix_audit_entity', columnNames: ['entity_type', 'entity_id'] },
          { name: 'ix_audit_at', columnNames: ['at'] },
        ],
      }),
    );
    await create(
      new Table({
        name: 'priorities',
        columns: [
          c.varchar('code', 8, { isPrimary: true }),
          c.int('rank', { isUnique: true }),
          c.varchar('title', 200),
          c.text('description'),
          c.bigint('target_minor', { isNullable: true }),
          c.varchar('target_currency', 3, { isNullable: true }),
          c.text('source', { isNullable: true }),
        ],
      }),
    );
    await create(
      new Table({
        name: 'pledges',
        columns: [
          c.id(),
          c.int('donor_id'),
          c.varchar('title', 300),
          c.varchar('kind', 8),
          c.bigint('amount_minor', { isNullable: true }),
          c.varchar('currency', 3, { isNullable: true }),
          c.int('in_kind_quantity', { isNullable: true }),
          c.varchar('in_kind_unit', 80, { isNullable: true }),
          c.bool('in_kind_quantity_is_maximum', false),
          c.bigint('unit_value_minor', { isNullable: true }),
          c.date('pledged_on', { isNullable: true }),
          c.date('source_date', { isNullable: true }),
          c.varchar('commitment', 12),
          c.varchar('channel', 12),
          c.varchar('channel_name', 200, { isNullable: true }),
          c.varchar('instrument', 200, { isNullable: true }),
          c.text('source', { isNullable: true }),
          c.text('notes', { isNullable: true }),
          c.varchar('external_ref', 120, { isNullable: true, isUnique: true }),
          c.bigint('disbursed_minor', { default: 0 }),
          c.int('delivered_quantity', { default: 0 }),
          c.timestamp('cancelled_at', { isNullable: true }),
          c.text('cancel_reason', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.createdAt(),
          c.updatedAt(),
        ],
        foreignKeys: [fk('donor_id', 'donors'), fk('created_by', 'users')],
        indices: [
          { name: 'ix_pledges_donor', columnNames: ['donor_id'] },
          { name: 'ix_pledges_pledged_on', columnNames: ['pledged_on'] },
        ],
      }),
    );
    await create(
      new Table({
        name: 'pledge_priorities',
        columns: [c.int('pledge_id', { isPrimary: true }), c.varchar('priority_code', 8, { isPrimary: true }), c.int('share_bp', { isNullable: true })],
        foreignKeys: [fk('pledge_id', 'pledges'), fk('priority_code', 'priorities', 'code')],
        indices: [{ name: 'ix_pledge_priorities_priority', columnNames: ['priority_code'] }],
      }),
    );
    await create(
      new Table({
        name: 'disbursements',
        columns: [
          c.id(),
          c.int('pledge_id'),
          c.bigint('amount_minor', { isNullable: true }),
          c.varchar('currency', 3, { isNullable: true }),
          c.int('quantity', { isNullable: true }),
          c.date('received_on'),
          c.varchar('received_on_basis', 12, { default: "'exact'" }),
          c.bigint('counted_minor', { isNullable: true }),
          c.varchar('rate', 40, { isNullable: true }),
          c.date('rate_date', { isNullable: true }),
          c.text('rate_source', { isNullable: true }),
          c.varchar('reference', 120, { isNullable: true }),
          c.text('over_disbursement_reason', { isNullable: true }),
          c.text('source', { isNullable: true }),
          c.text('notes', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('pledge_id', 'pledges'), fk('created_by', 'users')],
        indices: [
          { name: 'ix_disbursements_pledge', columnNames: ['pledge_id'] },
          { name: 'ix_disbursements_received_on', columnNames: ['received_on'] },
        ],
      }),
    );
    await create(
      new Table({
        name: 'government_spend',
        columns: [
          c.id(),
          c.bigint('amount_minor'),
          c.varchar('currency', 3),
          c.date('period_start'),
          c.date('period_end'),
          c.text('source'),
          c.text('notes', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('created_by', 'users')],
      }),
    );
    await create(
      new Table({
        name: 'reported_figures',
        columns: [
          c.id(),
          c.varchar('key', 60),
          c.varchar('value', 40),
          c.varchar('currency', 3, { isNullable: true }),
          c.date('as_of'),
          c.text('source'),
          c.text('notes', { isNullable: true }),
          c.int('created_by', { isNullable: true }),
          c.createdAt(),
        ],
        foreignKeys: [fk('created_by', 'users')],
        indices: [{ name: 'ix_reported_figures_key', columnNames: ['key', 'as_of'] }],
      }),
    );
    await create(
      new Table({
        name: 'fx_rates',
        columns: [c.id(), c.varchar('base', 3), c.varchar('quote', 3), c.date('rate_date'), c.varchar('rate', 40), c.varchar('source', 200), c.createdAt()],
        indices: [{ name: 'uq_fx_rates_pair_date', columnNames: ['base', 'quote', 'rate_date'], isUnique: true }],
      }),
    );
    await create(
      new Table({
        name: 'idempotency_keys',
        columns: [
          c.id(),
          c.int('actor_id'),
          c.varchar('idem_key', 200),
          c.varchar('route', 200),
          c.varchar('request_hash', 64),
          c.int('status_code'),
          c.text('response_body'),
          c.createdAt(),
        ],
        indices: [{ name: 'uq_idempotency_actor_key', columnNames: ['actor_id', 'idem_key'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys',
      'fx_rates',
      'reported_figures',
      'government_spend',
      'disbursements',
      'pledge_priorities',
      'pledges',
      'priorities',
      'audit_log',
      'auth_tokens',
      'users',
      'donor_contacts',
      'donors',
    ]) {
      await queryRunner.dropTable(table, true);
    }
  }
}
