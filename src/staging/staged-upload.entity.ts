import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const STAGED_KINDS = ['ecb_rates', 'pledges_csv'] as const;
export type StagedKind = (typeof STAGED_KINDS)[number];

/** An uploaded file waiting for its user to confirm the preview. */
@Entity('staged_uploads')
export class StagedUploadEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ type: 'varchar', length: 24 })
  kind: StagedKind;

  @Column({ name: 'file_name', type: 'varchar', length: 200, nullable: true })
  fileName: string | null;

  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
