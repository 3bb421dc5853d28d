import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The first response to a create, kept so a retry with the same key gets it back instead of a duplicate. */
@Entity('idempotency_keys')
@Index('uq_idempotency_actor_key', ['actorId', 'key'], { unique: true })
export class IdempotencyKeyEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'actor_id', type: 'integer' })
  actorId: number;

  @Column({ name: 'idem_key', type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  route: string;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode: number;

  @Column({ name: 'response_body', type: 'text' })
  responseBody: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
