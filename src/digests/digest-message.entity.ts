import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const MESSAGE_STATUSES = ['queued', 'sent', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * One digest for one donor contact and one period, written by a run and delivered later by the
 * sender. The rendered parts are stored, so what is sent (and retried) is exactly what was queued.
 */
@Entity('digest_outbox')
export class DigestMessageEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'donor_id', type: 'integer' })
  donorId: number;

  @Column({ name: 'contact_id', type: 'integer' })
  contactId: number;

  /** YYYY-MM */
  @Column({ type: 'varchar', length: 7 })
  period: string;

  /** Stable per donor, contact and period: a retry or a second sender sends the same Message-ID. */
  @Column({ name: 'message_id', type: 'varchar', length: 200, unique: true })
  messageId: string;

  @Column({ name: 'to_address', type: 'varchar', length: 254 })
  toAddress: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  /** The one-click unsubscribe endpoint, sent in the List-Unsubscribe header. */
  /** The view the message was rendered from (DigestView as JSON), so it can be rendered again byte for byte; null before issue 12. */
  @Column({ name: 'view_json', type: 'text', nullable: true })
  viewJson: string | null;

  /** SHA-256 of the templates that rendered it: a re-render with other templates is not expected to match. */
  @Column({ name: 'templates_sha256', type: 'varchar', length: 64, nullable: true })
  templatesSha256: string | null;

  /** The published statement the digest cites, if one was published by then. */
  @Column({ name: 'statement_id', type: 'integer', nullable: true })
  statementId: number | null;

  @Column({ name: 'unsubscribe_url', type: 'text' })
  unsubscribeUrl: string;

  @Column({ type: 'varchar', length: 8, default: 'queued' })
  status: MessageStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: Date })
  nextAttemptAt: Date;

  @Column({ name: 'locked_until', type: Date, nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'sent_at', type: Date, nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}

/** Settings the digests keep for themselves, such as the generated unsubscribe-link key. */
@Entity('digest_settings')
export class DigestSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  key: string;

  @Column({ type: 'text' })
  value: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
