import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row per create, change or cancellation. Never updated, never deleted. */
@Entity('audit_log')
export class AuditEntryEntity {
  /** The organisation whose record changed; null for the deployment's own (shared exchange rates, the command line's work). */
  @Column({ name: 'organisation_id', type: 'integer', nullable: true })
  organisationId: number | null;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: Date })
  at: Date;

  @Column({ name: 'actor_id', type: 'integer', nullable: true })
  actorId: number | null;

  @Column({ name: 'actor_email', type: 'varchar', length: 254, nullable: true })
  actorEmail: string | null;

  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 40 })
  entityType: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 64 })
  entityId: string;

  @Column({ type: 'simple-json', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'simple-json', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}
