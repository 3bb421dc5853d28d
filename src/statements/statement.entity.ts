import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A published statement: written once, never updated; a correction is a new row that names the one it replaces. */
@Entity('statements')
export class StatementEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  /** "2025-Q1", or null when published for a date. */
  @Column({ type: 'varchar', length: 7, nullable: true })
  period!: string | null;

  @Column({ name: 'as_of', type: 'date' })
  asOf!: string;

  /** A day (YYYY-MM-DD) or an instant (ISO 8601 UTC). */
  @Column({ name: 'known_on', type: 'varchar', length: 30 })
  knownOn!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'published_at', type: Date })
  publishedAt!: Date;

  @Column({ name: 'published_by', type: 'integer' })
  publishedBy!: number;

  @Column({ name: 'published_by_email', type: 'varchar', length: 254 })
  publishedByEmail!: string;

  /** SHA-256 (hex) of `content`. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'replaces_id', type: 'integer', nullable: true })
  replacesId!: number | null;

  /** The canonical JSON of the statement's content (statement-document.ts): exactly the bytes hashed. */
  @Column({ type: 'text' })
  content!: string;
}
