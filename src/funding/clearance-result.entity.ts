import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What clearance achieved in a period, as a source document states it: area cleared and items
 * (mines and ERW) found, for the whole programme or one district or one operator when the source
 * breaks it down. A figure the source does not give is null ("not recorded"), never 0.
 */
@Entity('clearance_results')
export class ClearanceResultEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  /** The district the row covers; null: not broken down by district. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  district: string | null;

  /** The operator the row covers; null: not broken down by operator. */
  @Column({ type: 'varchar', length: 120, nullable: true })
  operator: string | null;

  /** Hectares as a decimal string ("1722.6"), as in clearance_progress; null when the source gives no area. */
  @Column({ type: 'varchar', length: 24, nullable: true })
  hectares: string | null;

  @Column({ name: 'items_found', type: 'integer', nullable: true })
  itemsFound: number | null;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'source_page', type: 'varchar', length: 200, nullable: true })
  sourcePage: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
