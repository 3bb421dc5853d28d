import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const OBLIGATION_KINDS = ['narrative_report', 'financial_report', 'audit', 'visibility', 'other'] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

/** A report or other deliverable ANAMA owes a donor for a pledge. Open until submitted or waived. */
@Entity('obligations')
export class ObligationEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'pledge_id', type: 'integer' })
  pledgeId: number;

  /** The pledge's donor, kept here so the calendar filters and the digest select without reading the ledger. */
  @Column({ name: 'donor_id', type: 'integer' })
  donorId: number;

  @Column({ type: 'varchar', length: 24 })
  kind: ObligationKind;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  responsible: string | null;

  @Column({ name: 'submitted_on', type: 'date', nullable: true })
  submittedOn: string | null;

  @Column({ name: 'waived_reason', type: 'text', nullable: true })
  waivedReason: string | null;

  @Column({ name: 'created_by', type: 'integer' })
  createdBy: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}

/** A user's calendar-feed key, stored as its SHA-256; rotating replaces it. */
@Entity('calendar_feeds')
export class CalendarFeedEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ name: 'key_hash', type: 'varchar', length: 64, unique: true })
  keyHash: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
