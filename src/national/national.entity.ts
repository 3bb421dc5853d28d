import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';

/** The government's own spending on demining, kept apart from the foreign-aid ledger. */
@Entity('government_spend')
export class GovernmentSpendEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}

export const REPORTED_FIGURE_KEYS = ['foreign_assistance_total', 'foreign_assistance_pledged', 'foreign_share', 'government_spend_total'] as const;
export type ReportedFigureKey = (typeof REPORTED_FIGURE_KEYS)[number];

/** A headline figure exactly as a document states it, shown beside what the ledger computes. */
@Entity('reported_figures')
export class ReportedFigureEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 60 })
  key: ReportedFigureKey;

  /** A decimal string: an amount when `currency` is set, a fraction (0.048) otherwise. */
  @Column({ type: 'varchar', length: 40 })
  value: string;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
